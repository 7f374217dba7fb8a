"""Benchmark a decision's page at 100,000 respondents: the count of who would be told (cold),
and the console's page once that count is kept (target: < 200 ms of server time, issue 17).

    .venv/bin/python bench/console_preview.py                      # 100,000 respondents
    .venv/bin/python bench/console_preview.py --respondents 10000 --calls 50   # shorter
    .venv/bin/python bench/console_preview.py --profile            # cProfile of one cold count
    .venv/bin/python bench/console_preview.py --chunk 2000         # planning's chunk

Respondents and the decision are bench/loop.py's (its `fill`: a participant hash and five
answers each, straight from a Lua script; the decision linked by `sim_id is yes OR (uses
includes money AND money_safe <= 2)`). Then:

1. cold: the count a preview shows (bot.loop.preview.count_preview, every shard walked in
   Redis) timed `--counts` times, wall clock and Redis CPU;
2. the page `/console/campaigns/{id}/decisions/{id}` as `sauti run` serves it (bot.web), opened
   signed in as an analyst, one request at a time: the first one finds nothing kept and
   answers at once ("Counting…") while the count runs in the background (then again once the
   process is warm), the next `--calls` show the kept count. Server time: the page handler's,
   measured by a middleware this bench adds innermost (the sign-in checked, the decision, its
   preview, its reactions, the page rendered). Reported: p50 and p95;
3. stale: the results' version moved on (as an answer does): the page, one request at a time,
   while the new count runs in the background (the kept count shown meanwhile); then again,
   with twenty page loads at once, which start one count between them;
4. an unrelated page (the campaign's own page, `/console/campaigns/{id}`) one request at a
   time: with no count running, then while a new count runs in the background. Reported: p50
   and p95, and how long the count took.

    .venv/bin/python bench/console_preview.py --pause 0     # no pause between script calls
    .venv/bin/python bench/console_preview.py --pause 100   # SAUTI_LOOP_PREVIEW_PAUSE_PERCENT
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench.console_results import handler_time, percentiles  # noqa: E402
from bench.loop import CAMPAIGN, DECISION, _app, _redis_cpu, _settle, fill  # noqa: E402
from bot.access.organisations import DEFAULT_ORG  # noqa: E402
from bot.access.roles import Role  # noqa: E402
from bot.app import App  # noqa: E402
from bot.loop.preview import count_preview  # noqa: E402
from bot.records import tally  # noqa: E402
from bot.staff_web.auth import SESSION_COOKIE  # noqa: E402
from bot.staff_web.wiring import build_sign_in  # noqa: E402
from bot.web import make_web_app  # noqa: E402

ANALYST = "analyst@bench.example"
PAGE = f"/console/campaigns/{CAMPAIGN}/decisions/sim-letters"
UNRELATED = f"/console/campaigns/{CAMPAIGN}"
TIMED = "X-Bench-Handler-Ms"


async def bench(
    respondents: int, calls: int, counts: int, profile: bool, chunk: int, pause: int | None
) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-console-preview-bench-") as directory:
        app = await _app(Path(directory))
        if chunk:  # SAUTI_LOOP_PREVIEW_CHUNK
            loop = dataclasses.replace(app.settings.loop, preview_chunk=chunk)
            app.settings = dataclasses.replace(app.settings, loop=loop)
        if pause is not None:  # SAUTI_LOOP_PREVIEW_PAUSE_PERCENT
            loop = dataclasses.replace(app.settings.loop, preview_pause_percent=pause)
            app.settings = dataclasses.replace(app.settings, loop=loop)
        try:
            await _run(app, respondents, calls, counts, profile)
        finally:
            await app.close()


async def _run(app: App, respondents: int, calls: int, counts: int, profile: bool) -> None:
    print(f"filling {respondents:,} respondents ...", flush=True)
    filled = await fill(app, respondents)
    await _settle(app)
    print(f"  written in {filled:.1f} s")
    stored, _ = await app.ledger().load(DECISION, int(time.time() * 1000))

    chunk = app.settings.loop.preview_chunk
    limits = dataclasses.replace(app.publisher().limits(), chunk=chunk)
    print(f"cold: the count a preview shows, {counts} times ({chunk} respondents a call):")
    for _ in range(counts):
        cpu, began = await _redis_cpu(app), time.perf_counter()
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        found = await count_preview(app.redis, app.schema, stored, limits)
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)
        wall, cpu = time.perf_counter() - began, await _redis_cpu(app) - cpu
        print(f"  {wall:.2f} s wall, Redis CPU {cpu:.2f} s — linked {found.linked:,}, "
              f"told {found.told:,}")  # fmt: skip

    await app.organisations().ensure(DEFAULT_ORG, "Bench")
    await app.staff().add(ANALYST, DEFAULT_ORG, Role.ANALYST)
    signed_in = await build_sign_in(app).sessions.create(
        ANALYST, DEFAULT_ORG, Role.ANALYST, mfa=True
    )
    site = make_web_app(app)
    site.middlewares.append(handler_time)
    cookies = {SESSION_COOKIE: signed_in}
    print(f"pause after each script call of a count: {app.settings.loop.preview_pause_percent} %")
    async with TestClient(TestServer(site, host="127.0.0.1")) as client:
        await _first_views(app, client, cookies, stored.ref)
        times = [await _page(client, cookies) for _ in range(calls)]
        size = len(await (await client.get(PAGE, cookies=cookies)).read())
        print(f"page, count kept, {calls} requests one at a time: {percentiles(times)}  "
              f"{size / 1024:.0f} KB of HTML")  # fmt: skip

        runs = _counting_runs(app)
        await _answer_came_in(app)
        began = time.perf_counter()
        during = [await _page(client, cookies)]
        while app.preview_cache().counting:
            during.append(await _page(client, cookies))
        counted = time.perf_counter() - began
        print(f"stale (an answer came in): page one at a time while it is counted again: "
              f"{percentiles(during)} ({len(during)} pages); new count kept {counted:.2f} s "
              f"after the first; counts run: {runs()}")  # fmt: skip

        await _answer_came_in(app)
        began = time.perf_counter()
        await asyncio.gather(*(_page(client, cookies) for _ in range(20)))
        answered = time.perf_counter() - began
        await app.preview_cache().settled()
        print(f"stale again: 20 page loads at once, all answered in {answered:.2f} s; counts "
              f"run: {runs() - 1} (one for all)")  # fmt: skip

        await _unrelated(app, client, cookies, calls)


async def _first_views(app: App, client: Any, cookies: dict[str, str], ref: str) -> None:
    """The page with nothing kept: it answers at once while the first count runs."""
    first = await _page(client, cookies)
    began = time.perf_counter()
    await app.preview_cache().settled()
    counted = time.perf_counter() - began
    print(f"page, nothing kept yet (answers at once, 'Counting…'): {first:.0f} ms; the "
          f"first count kept {counted:.2f} s later")  # fmt: skip
    # The same once the process has served the page (its templates loaded): the kept count
    # taken away, as for a decision nobody looked at for a day.
    await app.redis.delete(app.schema.preview(ref))
    warm = await _page(client, cookies)
    await app.preview_cache().settled()
    print(f"page, nothing kept yet, the process warm: {warm:.0f} ms")


async def _unrelated(app: App, client: Any, cookies: dict[str, str], calls: int) -> None:
    """Another page, one request at a time: with no count running, then during one."""
    await _page(client, cookies, UNRELATED)  # its templates loaded once, as in a running server
    idle = [await _page(client, cookies, UNRELATED) for _ in range(calls)]
    print(f"unrelated page ({UNRELATED}), no count running: {percentiles(idle)}")
    await _answer_came_in(app)
    await _page(client, cookies)  # starts the count
    began = time.perf_counter()
    during = []
    while app.preview_cache().counting:
        during.append(await _page(client, cookies, UNRELATED))
    counted = time.perf_counter() - began
    print(f"unrelated page while a count runs: {percentiles(during)} ({len(during)} pages "
          f"during a {counted:.2f} s count)")  # fmt: skip


async def _page(client: Any, cookies: dict[str, str], path: str = PAGE) -> float:
    response = await client.get(path, cookies=cookies)
    await response.read()
    assert response.status == 200, response.status
    return float(response.headers[TIMED])


async def _answer_came_in(app: App) -> None:
    """What an answer's commit does to the results' version (and nothing else)."""
    await app.redis.hincrby(app.schema.counters(0, CAMPAIGN), tally.VERSION, 1)


def _counting_runs(app: App) -> Any:
    """How many preview counts the app's cache makes from now on."""
    cache = app.preview_cache()
    count = cache._count
    runs = [0]

    async def counting(*args: Any) -> Any:
        runs[0] += 1
        return await count(*args)

    cache._count = counting
    return lambda: runs[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--counts", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--chunk", type=int, default=0, help="default: SAUTI_LOOP_PREVIEW_CHUNK's")
    parser.add_argument(
        "--pause", type=int, default=None, help="default: SAUTI_LOOP_PREVIEW_PAUSE_PERCENT's"
    )
    args = parser.parse_args()
    asyncio.run(
        bench(args.respondents, args.calls, args.counts, args.profile, args.chunk, args.pause)
    )


if __name__ == "__main__":
    main()
