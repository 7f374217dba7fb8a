"""Benchmark loop closure: plan a decision's publication over a million stored responses.

    .venv/bin/python bench/loop.py                      # 1,000,000 respondents
    .venv/bin/python bench/loop.py --respondents 100000 # a shorter run

An embedded Redis (started by the bench in a temporary directory, the same configuration Sauti
runs with) is filled straight from a Lua script with synthetic respondents of the example
campaign: a participant hash (channel, language, consent, /stop and reachability in realistic
shares) and an answers hash of five answers each, in the commit's format. Then, for a decision
linked by `sim_id is yes OR (uses includes money AND money_safe <= 2)`:

1. preview: the planner in count mode over every shard (nothing written);
2. publish: planning in write mode (targets per shard), while a feeder — as the publisher role
   would — queues notices as soon as the first targets exist: time to the first notice in the
   outbox, and total planning time (target: 10 s for a million on 2 cores);
3. feeding: how fast the publisher composes, seals and queues notices (it only has to stay
   ahead of the channels: 30/s on Telegram, 80/s on WhatsApp), with the outbox emptied as if
   the sender kept up.

The publisher role runs in a second process, as under `sauti run`; during planning it feeds
each shard up to the outbox window (SAUTI_LOOP_OUTBOX_WINDOW) and then waits for the sender.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.conversation.participants import new_record
from bot.loop.preview import Viewpoint, build_preview
from bot.privacy import ParticipantId
from bot.runtime.outbox import Priority
from bot.settings import read_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "dialogues" / "examples" / "safe_connect.yaml"
CAMPAIGN = "safe-connect-2026"
WRITE_CHUNK = 5000

DECISION = """\
spec_version: 1
id: sim-letters
campaign: safe-connect-2026
title: {en: "SIM cards without an ID card"}
status: partly_adopted
rationale:
  en: "The law requires an ID check; a chief's letter is the alternative it allows."
  fr: "La loi impose un contrôle d'identité ; la lettre du chef est l'alternative permise."
  ar: "يفرض القانون التحقق من الهوية؛ رسالة الشيخ هي البديل الذي يسمح به."
  sw: "Sheria inataka kitambulisho; barua ya mwenyekiti ndiyo mbadala unaoruhusiwa."
message:
  en: "Agents now accept a letter from the village chief instead of an ID card."
  fr: "Les agents acceptent maintenant une lettre du chef de village."
  ar: "يقبل الوكلاء الآن رسالة من شيخ القرية بدلًا من بطاقة الهوية."
  sw: "Mawakala sasa wanakubali barua ya mwenyekiti wa kijiji badala ya kitambulisho."
linked_to:
  rule:
    any:
      - {question: sim_id, is: "yes"}
      - all:
          - {question: uses, includes: money}
          - {question: money_safe, at_most: 2}
"""

# KEYS: the shard's respondents set.  ARGV: 1 participant key prefix, 2 answers key prefix,
# 3 consent field, 4 a wrapped-key stand-in, 5.. participant ids.  Writes each respondent.
_FILL = """
local languages = {'en', 'fr', 'ar', 'sw'}
local channels = {'telegram', 'whatsapp', 'whatsapp', 'telegram', 'webchat'}
local uses = {'["calls","money"]', '["money","internet"]', '["calls","sms"]', '["internet"]'}
local answered = '{"o":"answered","t":1795000000,"v":'
for i = 5, #ARGV do
  local pid = ARGV[i]
  local n = string.byte(pid, 1) * 7 + string.byte(pid, 2) * 13 + string.byte(pid, 3)
  local consent = '1'
  if n % 7 == 0 then consent = '0' end
  redis.call('HSET', ARGV[1] .. pid, 'ch', channels[n % 5 + 1], 'wk', ARGV[4],
    'lang', languages[n % 4 + 1], 't0', '1795000000000', 'cid', '', 'stg', '', 'lset', '1',
    'stop', (n % 31 == 0) and '1' or '0', 'reach', (n % 53 == 0) and 'unreachable' or '',
    'c:safe-connect-2026', '1', ARGV[3], consent)
  redis.call('HSET', ARGV[2] .. pid,
    'uses', answered .. uses[n % 4 + 1] .. '}',
    'money_safe', answered .. (n % 5 + 1) .. '}',
    'unsafe', answered .. '"no"}',
    'sim_id', answered .. ((n % 3 == 0) and '"yes"' or '"no"') .. '}',
    'outages', answered .. (n % 11) .. '}')
  redis.call('SADD', KEYS[1], pid)
end
return #ARGV - 4
"""


async def _app(data_dir: Path, *, load: bool = True) -> App:
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {
        "SAUTI_DATA_DIR": str(data_dir / "var"),
        "SAUTI_LOG_LEVEL": "WARNING",
        "SAUTI_LOOP_QUIET_HOURS": "none",  # measure planning, not the clock
    }
    app = await build_app(read_settings(environ, config_path=config))
    if load:
        await app.campaigns.load(EXAMPLE.read_text(encoding="utf-8"), open_now=True)
    return app


async def fill(app: App, respondents: int) -> float:
    """Synthetic respondents straight into Redis; returns seconds taken."""
    began = time.perf_counter()
    schema = app.schema
    by_shard: dict[int, list[str]] = {shard: [] for shard in range(schema.shards)}
    fill_script = app.redis.register_script(_FILL)
    # One real wrapped data key for everyone: web chat notices are sealed with it.
    record, _ = new_record(
        app.crypto,
        ParticipantId("a" * 32),
        channel="webchat",
        address=None,
        language="en",
        now_ms=0,
    )
    stand_in = record.wrapped_key
    for _ in range(respondents):
        pid = base64.b32encode(os.urandom(20)).decode().lower()
        shard = zlib.crc32(pid.encode()) % schema.shards
        batch = by_shard[shard]
        batch.append(pid)
        if len(batch) >= WRITE_CHUNK:
            await _write(app, fill_script, shard, batch, stand_in)
            batch.clear()
    for shard, batch in by_shard.items():
        if batch:
            await _write(app, fill_script, shard, batch, stand_in)
    return time.perf_counter() - began


async def _write(app: App, script: object, shard: int, pids: list[str], stand_in: bytes) -> None:
    schema = app.schema
    tag = schema.tag(shard)
    await script(  # type: ignore[operator]
        keys=[schema.respondents(shard, CAMPAIGN)],
        args=[f"{tag}:p:", f"{tag}:a:{CAMPAIGN}:", f"u:{CAMPAIGN}", stand_in, *pids],
    )


async def bench(respondents: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-loop-bench-") as directory:
        app = await _app(Path(directory))
        try:
            await _run(app, respondents)
        finally:
            await app.close()


async def _run(app: App, respondents: int) -> None:
    print(f"filling {respondents:,} respondents ...", flush=True)
    filled = await fill(app, respondents)
    await _settle(app)
    info = await app.redis.info("memory")
    print(f"  written in {filled:.1f} s; Redis memory {info['used_memory'] / 2**20:,.0f} MiB")
    stored, _ = await app.ledger().load(DECISION, int(time.time() * 1000))
    publisher = app.publisher()
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None

    began = time.perf_counter()
    viewpoint = Viewpoint(None, "UTC", await app.pseudonyms(campaign.org))
    preview = await build_preview(
        app.redis, publisher.schema, stored, campaign.survey, publisher.limits(), viewpoint
    )
    previewed = time.perf_counter() - began
    counts = preview.counts
    print(
        f"preview (count only): {previewed:.2f} s — linked {counts.linked:,}, would be told "
        f"{counts.told:,}, not told {sum(counts.excluded.values()):,} {dict(counts.excluded)}"
    )

    role = await _start_role(app)  # the publisher role of `sauti run`, in its own process
    cpu_before = await _redis_cpu(app)
    began = time.time()
    # `sauti decision publish --allow-missing-translations`: the decision is in English only.
    published = await publisher.publish(CAMPAIGN, stored.id, allow_missing=True)
    planned = time.time() - began
    cpu = await _redis_cpu(app) - cpu_before
    first = await _first_notice(role)
    told = (await publisher.planned_counts(published.stored)).told
    print(
        f"publish: planning {planned:.2f} s for {respondents:,} respondents ({told:,} targets); "
        f"Redis CPU {cpu:.2f} s"
    )
    print(f"  first notice in the outbox after {(first - began) * 1000:.0f} ms")

    began = time.time()
    fed = 0
    while fed < 20_000:
        await _drain_outboxes(app)  # a sender that keeps up: feeding is never held back
        worked = await publisher.step()
        fed += worked
        if not worked:
            break
    feeding = time.time() - began
    print(f"feeding: {fed:,} notices composed, sealed and queued in {feeding:.2f} s "
          f"({fed / feeding:,.0f}/s)")  # fmt: skip


async def _drain_outboxes(app: App) -> None:
    pipe = app.redis.pipeline(transaction=False)
    for shard in range(app.schema.shards):
        pipe.delete(app.schema.outbox(shard, Priority.BULK))
    await pipe.execute()


async def _start_role(app: App) -> asyncio.subprocess.Process:
    """Another process on the same data directory (it attaches to the embedded Redis)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--role",
        str(app.settings.data_dir.parent),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert (await process.stdout.readline()).strip() == b"ready"
    return process


async def _first_notice(process: asyncio.subprocess.Process) -> float:
    assert process.stdout is not None
    line = await process.stdout.readline()
    await process.wait()
    return float(line)


async def role(data_dir: Path) -> None:
    """The publisher role, stepping until its first batch of notices is in an outbox; prints
    the time it was committed."""
    app = await _app(data_dir, load=False)
    publisher = app.publisher()
    feed = publisher.feeder.feed
    first: list[float] = []

    async def noting(*args: Any, **kwargs: Any) -> int:
        fed = await feed(*args, **kwargs)
        if fed and not first:
            first.append(time.time())
        return fed

    publisher.feeder.feed = noting  # type: ignore[method-assign]
    print("ready", flush=True)
    try:
        while not first:
            if not await publisher.step():
                await asyncio.sleep(0.002)
        print(first[0], flush=True)
    finally:
        await app.close()


async def _settle(app: App) -> None:
    """Compact the AOF the fill grew, so no rewrite triggered by the fill runs during timing."""
    info = await app.redis.info("persistence")
    if not info["aof_rewrite_in_progress"]:
        await app.redis.bgrewriteaof()
    while True:
        await asyncio.sleep(0.5)
        info = await app.redis.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return


async def _redis_cpu(app: App) -> float:
    info = await app.redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--role", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role is not None:
        asyncio.run(role(args.role))
    else:
        asyncio.run(bench(args.respondents))


if __name__ == "__main__":
    main()
