"""Benchmark retention: how long erasing a closed campaign of 100,000 respondents takes.

    .venv/bin/python bench/retention.py                          # 100,000 respondents
    .venv/bin/python bench/retention.py --respondents 10000      # a shorter run

An embedded Redis in a temporary directory (Sauti's own configuration, 16 shards) holds the
example campaign and 100,000 synthetic respondents written as bench/results.py writes them
(`fill`: session, answers with sealed free text, result counters as the commits add them), and
as a participant record holds them: wrapped data key, sealed address, `c:<cid>`, `u:<cid>`, a
committed event marker; one in ten is also in another campaign, still kept (so keeps their
record). Then the campaign is closed past its retention and `erase_campaign` — what the
retention job and `sauti retention run` call — is timed, once, from the call to its return.
Checked afterwards: the results read the same, no respondent is left, the one-in-ten keep their
record and everyone else's is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.results import CAMPAIGN, _app, _settle, fill  # noqa: E402
from bot.app import App  # noqa: E402
from bot.conversation.campaign import DAY_MS, CampaignStatus  # noqa: E402
from bot.records.results import campaign_results  # noqa: E402
from bot.runtime.retention import erase_campaign, holding  # noqa: E402
from dialogues import Survey  # noqa: E402

OTHER = "other-2026"  # a campaign still kept: its respondents keep their record
WRITE_CHUNK = 2000


async def _records(app: App) -> int:
    """Each respondent's participant record as the pipeline leaves it; returns how many are
    also in the other campaign."""
    schema, also = app.schema, 0
    pipe = app.redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        async for member in app.redis.sscan_iter(schema.respondents(shard, CAMPAIGN), count=2000):
            pid = member.decode()
            fields = {"wk": os.urandom(60), "addr": os.urandom(40), "t0": "1795000000000"}
            fields |= {f"c:{CAMPAIGN}": "1", f"u:{CAMPAIGN}": "1"}
            if sum(pid.encode()) % 10 == 0:
                fields[f"c:{OTHER}"] = "1"
                also += 1
            pipe.hset(schema.participant(pid), mapping=fields)  # type: ignore[arg-type]
            pipe.zadd(schema.event_markers(pid), {"abcdefgh": 2 * 29_000_000 + 1})
            if len(pipe) >= WRITE_CHUNK:
                await pipe.execute()
    await pipe.execute()
    return also


async def _run(app: App, count: int) -> None:
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    survey: Survey = campaign.survey
    print(f"filling {count:,} respondents ...", flush=True)
    await fill(app, survey, count)
    also = await _records(app)
    await _settle(app)
    before = await campaign_results(app.redis, app.schema, survey, by="language", minimum=5)
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    past = int(time.time() * 1000) - 400 * DAY_MS  # the default keeps data 365 days
    await app.redis.hset(app.schema.campaign(CAMPAIGN), "closed", str(past))
    memory_before = (await app.redis.info("memory"))["used_memory"]
    await app.redis.config_set(
        "slowlog-log-slower-than", 2000
    )  # calls over 2 ms, to find the longest
    await app.redis.config_set("slowlog-max-len", 10_000)
    await app.redis.slowlog_reset()
    await app.redis.config_resetstat()

    began = time.perf_counter()
    erased = await erase_campaign(app.redis, app.schema, app.campaigns, CAMPAIGN)
    took = time.perf_counter() - began

    slow = [entry for entry in await app.redis.slowlog_get(10_000) if _script(entry)]
    longest = max((entry["duration"] for entry in slow), default=0) / 1000
    stats = (await app.redis.info("commandstats"))["cmdstat_evalsha"]
    assert erased is not None
    assert erased.completed
    after = await campaign_results(app.redis, app.schema, survey, by="language", minimum=5)
    assert after == before, "the results changed"
    assert await holding(app.redis, app.schema, CAMPAIGN) == 0
    assert erased.participants == count - also
    memory_after = (await app.redis.info("memory"))["used_memory"]
    print(
        f"  erased {erased.respondents:,} respondents ({erased.participants:,} whole, "
        f"{also:,} kept for another campaign) in {took:.2f} s: "
        f"{erased.respondents / took:,.0f} respondents/s"
    )
    print(
        f"  {stats['calls']} script calls, {stats['usec_per_call'] / 1000:.1f} ms each on average;"
        f" {len(slow)} over 2 ms, the longest {longest:.1f} ms (Redis serves nobody else meanwhile)"
    )
    print(
        f"  Redis memory {memory_before / 2**20:.1f} MiB -> {memory_after / 2**20:.1f} MiB; "
        "results identical before and after"
    )


def _script(entry: dict[str, object]) -> bool:
    command = entry["command"]
    text = command.decode() if isinstance(command, bytes) else str(command)
    return text.lower().startswith(("evalsha", "eval "))


async def bench(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-retention-bench-") as directory:
        app = await _app(Path(directory))
        try:
            await app.campaigns.load(
                (REPO / "dialogues" / "examples" / "safe_connect.yaml")
                .read_text(encoding="utf-8")
                .replace(f"id: {CAMPAIGN}", f"id: {OTHER}", 1),
                open_now=True,
            )
            await _run(app, count)
        finally:
            await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(bench(args.respondents))


if __name__ == "__main__":
    main()
