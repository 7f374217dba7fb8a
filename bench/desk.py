"""Benchmark the grievance desk's page at 100,000 cases across 50 organisations (two campaigns
each): the server's work for one page of 50 cases of one organisation, before and after the
desk's index (issue 17).

    .venv/bin/python bench/desk.py                       # 100,000 cases, 50 organisations
    .venv/bin/python bench/desk.py --cases 10000 --calls 50   # shorter

Cases are written by the real creation script (`create_case.lua`, which places each on its
organisation's desk), in pipelined batches, a share of them flagged urgent or safety and a share
resolved; then the AOF is compacted so no rewrite runs during the timing. Timed, one call at a
time, for an organisation picked at random each call:

- before: what `listCases` did without the index: every case of the deployment read, those of
  the organisation's campaigns kept, sorted in the desk's order, the first 50 taken;
- after: what it does now: the first page from the organisation's index (`desk_page`), the
  exact count of open safety-flagged cases (`open_safety_cases`) and the move numbers its cursor
  carries (`last_moves`); and a second page through the cursor (which also looks for cases that
  moved ahead of it, `moved_ahead`).

Reported: p50 and p95 in ms. The page's rendering and the HTTP round trip are the same before
and after and are left out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.results import EXAMPLE, _settle  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.records.cases import desk_order, list_cases  # noqa: E402
from bot.records.desk import desk_page, last_moves, moved_ahead, open_safety_cases  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from bot.storage.lua import BatchStep, ScriptCall, run_batch  # noqa: E402
from bot.storage.scripts import CREATE_CASE  # noqa: E402

PAGE = 50
BATCH = 1000
DAY_MS = 86_400_000
NOW_MS = 1_795_000_000_000


async def _app(data_dir: Path) -> App:
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {"SAUTI_DATA_DIR": str(data_dir / "var"), "SAUTI_LOG_LEVEL": "WARNING"}
    return await build_app(read_settings(environ, config_path=config), channels=False)


async def _campaigns(app: App, organisations: int) -> dict[str, str]:
    """Two campaigns per organisation: campaign id -> organisation."""
    survey = EXAMPLE.read_text(encoding="utf-8")
    owners = {}
    for n in range(organisations):
        org = f"org{n:02d}"
        for c in range(2):
            campaign_id = f"c{n:02d}-{c}"
            owners[campaign_id] = org
            text = survey.replace("id: safe-connect-2026", f"id: {campaign_id}", 1)
            await app.campaigns.load(text, org=org, open_now=True)
    return owners


def _case(n: int, owners: dict[str, str], rng: random.Random) -> list[str | bytes | int]:
    campaign_id = rng.choice(sorted(owners))
    created = NOW_MS - rng.randint(0, 60) * DAY_MS - rng.randint(0, DAY_MS)
    status = rng.choices(["received", "under_review", "resolved", "escalated"], [3, 3, 3, 1])[0]
    urgency = rng.choices(["normal", "urgent", "safety"], [85, 12, 3])[0]
    return [
        "pid", os.urandom(16).hex(),
        "cid", campaign_id,
        "lang", "en",
        "ch", "whatsapp",
        "status", status,
        "t", created,
        "due", created + 14 * DAY_MS,
        "x", os.urandom(80),
        "urg", urgency,
        "steps", 0 if status == "received" else 1,
        "org", owners[campaign_id],
    ]  # fmt: skip


async def fill(app: App, cases: int, owners: dict[str, str]) -> None:
    rng = random.Random(17)
    schema = app.schema
    for start in range(0, cases, BATCH):
        steps: list[BatchStep] = []
        for n in range(start, min(cases, start + BATCH)):
            reference = f"F-B{n:06d}"
            shard = n % schema.shards
            fields = _case(n, owners, rng)
            steps.append(ScriptCall(CREATE_CASE, [schema.case(shard, reference)], fields))
            steps.append(("ZADD", schema.cases(shard), int(fields[11]), reference))
        await run_batch(app.redis, steps)


async def before(app: App, org: str) -> object:
    """The desk's first page as it was read without the index."""
    mine = set(await app.campaigns.ids(org))
    cases = sorted(
        (case for case in await list_cases(app.redis, app.schema) if case.campaign_id in mine),
        key=desk_order,
    )
    return cases[:PAGE]


async def after(app: App, org: str) -> object:
    moves = await last_moves(app.redis, app.schema, org)
    page = await desk_page(app.redis, app.schema, org, limit=PAGE)
    return page, moves, await open_safety_cases(app.redis, app.schema, org)


async def second_page(app: App, org: str) -> float:
    first = await desk_page(app.redis, app.schema, org, limit=PAGE)
    moves = await last_moves(app.redis, app.schema, org)
    assert first.last is not None
    began = time.perf_counter()
    await last_moves(app.redis, app.schema, org)
    await desk_page(app.redis, app.schema, org, after=first.last, limit=PAGE)
    await moved_ahead(app.redis, app.schema, org, before=first.last, after_moves=moves)
    await open_safety_cases(app.redis, app.schema, org)
    return (time.perf_counter() - began) * 1000


async def _timed(
    calls: int, orgs: list[str], read: Callable[[str], Awaitable[object]]
) -> list[float]:
    rng = random.Random(3)
    await read(orgs[0])
    samples = []
    for _ in range(calls):
        org = rng.choice(orgs)
        began = time.perf_counter()
        await read(org)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    print(
        f"  {name:<34} p50 {statistics.median(ordered):8.2f} ms   p95 {p95:8.2f} ms"
        f"   ({len(ordered)} calls)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--calls-before", type=int, default=20)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = await _app(Path(folder))
        try:
            owners = await _campaigns(app, arguments.organisations)
            began = time.perf_counter()
            await fill(app, arguments.cases, owners)
            print(f"{arguments.cases:,} cases written in {time.perf_counter() - began:.1f} s")
            await _settle(app)
            orgs = sorted(set(owners.values()))
            print(f"desk page of {PAGE} cases, one organisation of {len(orgs)}:")
            _report("before (every case read)", await _timed(
                arguments.calls_before, orgs, lambda org: before(app, org)))  # fmt: skip
            _report("after: first page", await _timed(
                arguments.calls, orgs, lambda org: after(app, org)))  # fmt: skip
            rng = random.Random(5)
            seconds = [await second_page(app, rng.choice(orgs)) for _ in range(arguments.calls)]
            _report("after: next page (cursor)", seconds)
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(main())
