"""Benchmark a campaign's results page for 100,000 respondents: the console's page itself
(`/console/campaigns/{id}/results`, without a breakdown and `by` language, channel and another
question), and the API calls it makes — `getCampaign` (the overview: started, completed,
dropped off by language and channel) and `getResults` (each question's counts and its
drop-off) — target: the page in < 200 ms of server time (issue 17).

    .venv/bin/python bench/console_results.py              # 100,000 respondents, 200 calls
    .venv/bin/python bench/console_results.py --respondents 10000 --calls 100   # shorter

The campaign and its respondents are made as bench/results.py makes them (its `fill`: counters
written as the commits leave them, with pipelined HINCRBY, never through the pipeline), except
that the 15% who did not complete stopped at a question, its answers and those after it
missing, so that drop-off by question has something to count. Then Sauti's whole web application
(`bot.web.make_web_app`: the console and the API, as `sauti run` serves them) is served on the
loopback. The API is called with a viewer's token and the page opened with a viewer's signed-in
session, one request at a time. Server time: the API's own `Server-Timing` (token, rate limit,
permission, the counters read and suppressed, the answer serialised); for the page, the time of
its handler measured by a middleware this bench adds innermost (the session read, both
operations run, the page rendered). Reported: p50 and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench.api_results import VIEWER, _services, _token  # noqa: E402
from bench.results import CAMPAIGN, _app, _respondent, _settle, fill  # noqa: E402
from bot.access.organisations import DEFAULT_ORG  # noqa: E402
from bot.access.roles import Role  # noqa: E402
from bot.api import api_application  # noqa: E402
from bot.app import App  # noqa: E402
from bot.staff_web.auth import SESSION_COOKIE  # noqa: E402
from bot.staff_web.wiring import build_sign_in  # noqa: E402
from bot.web import make_web_app  # noqa: E402
from dialogues import Session, SessionStatus, Survey  # noqa: E402

PAGE = f"/console/campaigns/{CAMPAIGN}/results"
PAGES = (
    ("page", PAGE),
    ("page by=language", f"{PAGE}?by=language"),
    ("page by=channel", f"{PAGE}?by=channel"),
    ("page by=worry", f"{PAGE}?by=worry"),
)
TIMED = "X-Bench-Handler-Ms"
CALLS = (
    ("getCampaign", f"/api/v1/campaigns/{CAMPAIGN}"),
    ("getResults", f"/api/v1/campaigns/{CAMPAIGN}/results"),
    ("getResults by=language", f"/api/v1/campaigns/{CAMPAIGN}/results?by=language"),
    ("getResults by=channel", f"/api/v1/campaigns/{CAMPAIGN}/results?by=channel"),
    ("getResults by=worry", f"/api/v1/campaigns/{CAMPAIGN}/results?by=worry"),
)


def stopping_respondent(survey: Survey, rng: random.Random) -> Session:
    """bench/results.py's respondent; one who did not complete stopped at a question (the
    first ones the likeliest), never answering it or any after it."""
    session = _respondent(survey, rng)
    if session.status is SessionStatus.COMPLETED:
        return session
    answerable = [q.id for q in survey.questions if q.answerable]
    at = min(int(rng.expovariate(0.3)), len(answerable) - 1)
    later = set(answerable[at:])
    return replace(
        session,
        current=answerable[at],
        values={q: v for q, v in session.values.items() if q not in later},
        texts=session.texts - later,
        skipped=session.skipped - later,
        declined=session.declined - later,
    )


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms"


async def server_times(
    client: TestClient[web.Request, web.Application],
    path: str,
    calls: int,
    *,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[list[float], int]:
    """Server times of `calls` requests (ms), and the size of the last answer (bytes)."""
    times: list[float] = []
    size = 0
    for n in range(calls + 5):  # the first five warm up (survey cached, scripts loaded)
        response = await client.get(path, headers=headers, cookies=cookies)
        size = len(await response.read())
        assert response.status == 200, response.status
        if n >= 5:
            if TIMED in response.headers:
                times.append(float(response.headers[TIMED]))
            else:
                times.append(float(response.headers["Server-Timing"].partition("dur=")[2]))
    return times, size


@web.middleware
async def handler_time(request: web.Request, handler: Any) -> web.StreamResponse:
    """The page handler's time, innermost: what the server spends on the page itself."""
    began = time.perf_counter()
    response: web.StreamResponse = await handler(request)
    response.headers[TIMED] = f"{(time.perf_counter() - began) * 1000:.2f}"
    return response


async def _session(app: App) -> str:
    """A viewer's signed-in console session (as the sign-in page makes one)."""
    sessions = build_sign_in(app).sessions
    return await sessions.create(VIEWER, DEFAULT_ORG, Role.VIEWER, mfa=True)


async def bench(count: int, calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-console-results-bench-") as directory:
        app = await _app(Path(directory))
        try:
            await _run(app, count, calls)
        finally:
            await app.close()


async def _run(app: App, count: int, calls: int) -> None:
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    print(f"filling {count:,} respondents ...", flush=True)
    filled, _ = await fill(app, campaign.survey, count, respondent=stopping_respondent)
    await _settle(app)
    print(f"  written in {filled:.1f} s")
    token = await _token(app)
    cookie = await _session(app)
    site = make_web_app(app)  # the console, as `sauti run` serves it
    site.middlewares.append(handler_time)
    api = web.Application()  # the API alone, its rate limit lifted (bench/api_results.py)
    api.add_subapp("/api/v1", api_application(_services(app)))
    async with (
        TestClient(TestServer(site, host="127.0.0.1")) as pages,
        TestClient(TestServer(api, host="127.0.0.1")) as client,
    ):
        headers = {"Authorization": f"Bearer {token}"}
        overview = await (await client.get(CALLS[0][1], headers=headers)).json()
        print(
            f"  started {overview['started']:,}, completed {overview['completed']:,}, "
            f"dropped off {overview['dropped_off']:,}"
        )
        print(f"{calls} requests each, one at a time, server time:")
        for name, path in PAGES:
            times, size = await server_times(pages, path, calls, cookies={SESSION_COOKIE: cookie})
            print(f"  {name:<24} {percentiles(times)}   {size / 1024:.0f} KB of HTML")
        for name, path in CALLS:
            times, _ = await server_times(client, path, calls, headers=headers)
            print(f"  {name:<24} {percentiles(times)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    args: Any = parser.parse_args(argv)
    asyncio.run(bench(args.respondents, args.calls))


if __name__ == "__main__":
    main()
