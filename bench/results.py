"""Benchmark a campaign's results for 100,000 respondents: the read the results API and
`sauti campaign results` make, with and without a breakdown.

    .venv/bin/python bench/results.py                          # 100,000 respondents, 300 calls
    .venv/bin/python bench/results.py --respondents 10000 --calls 200   # a shorter run

An embedded Redis in a temporary directory (Sauti's own configuration, 16 shards) holds the
example campaign. 100,000 synthetic respondents of it are made (seeded: answers to every
question with realistic skews, a few skipped or declined, four languages, three channels) and
written as the pipeline leaves them: each one's session, answers, participant fields and place
among the respondents, and the result counters exactly as their commits add them — the same
function the worker calls for each commit (`bot.records.tally.delta`), from no session to the
final one (the deltas of a respondent's commits add up to that), summed per shard and written
with pipelined HINCRBY. So the read path measured is the real one, on counters as the commits
leave them.

Then a results snapshot of them is taken (bot.records.snapshots: what readers read), timed, and
`campaign_results` (bot.records.results) is called again and again: no breakdown, by
language, and by another question (`worry`, six options, against every crossed question), each
timed in this process from the call to the suppressed result (what an API handler awaits);
and, for comparison, the same read from the live counters (one round trip fewer: the read
before snapshots).
Reported: p50, p99 and max over the calls (target, issue 14: p99 < 50 ms), the fields read, the
Redis memory of the counters, and what a commit adds (result fields touched per answer, over the
answers of 1,000 respondents given one by one).

For comparison, the way without counters: walking every respondent as the export does
(bot.records.export.respondents: SSCAN, then sessions, answers and participants in pipelined
chunks) and counting options in Python, measured once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.app import App, build_app  # noqa: E402
from bot.conversation.stored_answers import encode_answer  # noqa: E402
from bot.conversation.stored_sessions import encode_session  # noqa: E402
from bot.records import results as results_module  # noqa: E402
from bot.records.export import respondents  # noqa: E402
from bot.records.results import CampaignResults, campaign_results, results_of  # noqa: E402
from bot.records.snapshots import take_snapshot  # noqa: E402
from bot.records.tally import Tallied, delta, tallied  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from bot.storage.lua import ScriptCall, run_batch  # noqa: E402
from bot.storage.scripts import READ_RESULTS  # noqa: E402
from dialogues import Session, SessionStatus, Survey  # noqa: E402
from dialogues.expressions import AnswerValue  # noqa: E402
from dialogues.model import Question, QuestionKind  # noqa: E402

EXAMPLE = REPO / "dialogues" / "examples" / "safe_connect.yaml"
CAMPAIGN = "safe-connect-2026"
LANGUAGES = ("en", "en", "sw", "sw", "sw", "fr", "ar")  # drawn from: Swahili the most spoken
CHANNELS = ("whatsapp", "whatsapp", "whatsapp", "telegram", "webchat")
WRITE_CHUNK = 2000
T0 = 1_795_000_000


async def _app(data_dir: Path) -> App:
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {"SAUTI_DATA_DIR": str(data_dir / "var"), "SAUTI_LOG_LEVEL": "WARNING"}
    app = await build_app(read_settings(environ, config_path=config), channels=False)
    await app.campaigns.load(EXAMPLE.read_text(encoding="utf-8"), open_now=True)
    return app


def _answer(question: Question, rng: random.Random) -> AnswerValue | str | None:
    """A synthetic answer: a value, "text" for a free text, "skip"/"decline", None (not asked)."""
    roll = rng.random()
    if roll < 0.03:
        return "skip"
    if roll < 0.05 and question.optional:
        return "decline"
    ids = [option.id for option in question.options]
    weights = [1 / (n + 1) for n in range(len(ids))]  # the first options the most chosen
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        return rng.choices(ids, weights)[0]
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        count = rng.randint(question.min_selections, min(question.max_selections, 3))
        return tuple(sorted(set(rng.choices(ids, weights, k=count)), key=ids.index))
    if question.kind is QuestionKind.SCALE:
        return int(rng.choices(ids, weights)[0])
    if question.kind is QuestionKind.NUMBER:
        return rng.randint(0, 20)
    return "text"


def _respondent(survey: Survey, rng: random.Random) -> Session:
    values: dict[str, AnswerValue] = {}
    texts, skipped, declined = set(), set(), set()
    for question in survey.questions:
        if not question.answerable:
            continue
        answer = _answer(question, rng)
        if answer == "skip":
            skipped.add(question.id)
        elif answer == "decline":
            declined.add(question.id)
        elif answer == "text" and question.kind is QuestionKind.TEXT:
            texts.add(question.id)
        elif answer is not None:
            values[question.id] = answer
    status = SessionStatus.COMPLETED if rng.random() < 0.85 else SessionStatus.ACTIVE
    return Session(
        CAMPAIGN, survey.revision, rng.choice(LANGUAGES), status, None, T0, T0 + 600,
        values=values, texts=frozenset(texts), skipped=frozenset(skipped),
        declined=frozenset(declined),
    )  # fmt: skip


def _stored_answers(session: Session) -> dict[str, bytes]:
    fields: dict[str, bytes] = {}
    for question_id, value in session.values.items():
        fields |= encode_answer(question_id, "answered", T0, value=value)
    for question_id in session.texts:  # sealed text, as stored: two chunks of stand-in bytes
        fields |= encode_answer(question_id, "answered", T0, sealed=b"\x01" * 90)
    for question_id in session.skipped:
        fields |= encode_answer(question_id, "skipped", T0)
    for question_id in session.declined:
        fields |= encode_answer(question_id, "declined", T0)
    return fields


Respondent = Callable[[Survey, random.Random], Session]


async def fill(
    app: App, survey: Survey, count: int, seed: int = 14, respondent: Respondent | None = None
) -> tuple[float, Counter[int]]:
    """The respondents and their counters; returns seconds taken and the fields per answer.
    `respondent` makes each one's final session (default: `_respondent`)."""
    make = respondent or _respondent
    began = time.perf_counter()
    rng = random.Random(seed)
    schema, survey_tally = app.schema, tallied(survey)
    counters: dict[int, Counter[str]] = {shard: Counter() for shard in range(schema.shards)}
    pipe = app.redis.pipeline(transaction=False)
    touched: Counter[int] = Counter()
    for n in range(count):
        pid = base64.b32encode(rng.randbytes(20)).decode().lower()
        shard = zlib.crc32(pid.encode()) % schema.shards
        session, channel = make(survey, rng), rng.choice(CHANNELS)
        # What this respondent's commits added, together (each commit adds delta(before,
        # after); they add up to delta(None, final)).
        counters[shard].update(delta(None, session, channel, survey_tally))
        counters[shard].update(started=1, completed=session.status is SessionStatus.COMPLETED)
        if n < 1000:
            touched.update(_fields_per_answer(survey, session, channel, survey_tally))
        pipe.set(schema.session(pid, CAMPAIGN), encode_session(session))
        answers = _stored_answers(session)
        if answers:  # one who stopped at the first question has none
            pipe.hset(schema.answers(pid, CAMPAIGN), mapping=answers)  # type: ignore[arg-type]
        pipe.hset(schema.participant(pid), mapping={"ch": channel, "lang": session.language})
        pipe.sadd(schema.respondents(shard, CAMPAIGN), pid)
        if len(pipe) >= 4 * WRITE_CHUNK:
            await pipe.execute()
    await pipe.execute()
    for shard, fields in counters.items():
        for name, value in fields.items():
            if value:
                pipe.hincrby(schema.counters(shard, CAMPAIGN), name, value)
    await pipe.execute()
    # Readers read results snapshots (bot.records.snapshots): one of what was just written, as
    # readers would take once enough people answered.
    await take_snapshot(app.redis, app.schema, CAMPAIGN, 0)
    return time.perf_counter() - began, touched


def _fields_per_answer(
    survey: Survey, final: Session, channel: str, survey_tally: Tallied
) -> Counter[int]:
    """Result fields each commit of this respondent touches, answering one question at a time
    in the survey's order: {fields touched: how many answers}."""
    sizes: Counter[int] = Counter()
    values: dict[str, AnswerValue] = {}
    before: Session | None = None
    for question in survey.questions:
        if question.id not in final.values:
            continue
        values[question.id] = final.values[question.id]
        after = Session(
            CAMPAIGN, final.revision, final.language, SessionStatus.ACTIVE, None, T0, T0,
            values=dict(values),
        )  # fmt: skip
        sizes[len(delta(before, after, channel, survey_tally))] += 1
        before = after
    return sizes


async def _settle(app: App) -> None:
    """Compact the AOF the fill grew, so that no rewrite it triggers runs during the timing."""
    if not (await app.redis.info("persistence"))["aof_rewrite_in_progress"]:
        await app.redis.bgrewriteaof()
    while True:
        await asyncio.sleep(0.5)
        if not (await app.redis.info("persistence"))["aof_rewrite_in_progress"]:
            return


async def _timed(calls: int, read: Callable[[], Awaitable[object]]) -> list[float]:
    await read()  # warm: the campaign's survey parsed and cached, scripts loaded
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        await read()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


async def _paired(
    calls: int, first: Callable[[], Awaitable[object]], second: Callable[[], Awaitable[object]]
) -> tuple[list[float], list[float]]:
    """Both timed in turns, so that a busy moment of the machine weighs on both alike."""
    firsts: list[float] = []
    seconds: list[float] = []
    for _ in range(calls):
        firsts += await _timed(1, first)
        seconds += await _timed(1, second)
    return firsts, seconds


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    print(
        f"  {name:<28} p50 {statistics.median(ordered):6.2f} ms   p99 {p99:6.2f} ms   "
        f"max {ordered[-1]:6.2f} ms   ({len(ordered)} calls)"
    )


async def _scan(app: App, survey: Survey) -> tuple[float, int]:
    """Results the way without counters: every respondent walked, options counted."""
    began = time.perf_counter()
    counts: Counter[str] = Counter()
    walked = 0
    async for respondent in respondents(app.redis, app.schema, app.crypto, CAMPAIGN):
        walked += 1
        for question_id, answer in respondent.answers.items():
            counts[f"{question_id}.{answer.outcome.value}"] += 1
            value = answer.value
            for option in value if isinstance(value, tuple) else (value,):
                if isinstance(option, str):
                    counts[f"{question_id}={option}"] += 1
    return time.perf_counter() - began, walked


async def _live_results(app: App, survey: Survey, by: str | None, minimum: int) -> CampaignResults:
    """The read before results snapshots: the live counters, one round trip."""
    breakdown = results_module._Breakdown.of(survey, by) if by else None
    names = results_module._fields(survey, breakdown)
    joined = " ".join(names)
    calls = [
        ScriptCall(READ_RESULTS, [app.schema.counters(shard, CAMPAIGN)], [joined])
        for shard in range(app.schema.shards)
    ]
    totals = dict.fromkeys(names, 0)
    for reply in await run_batch(app.redis, calls):
        for name, value in zip(names, reply, strict=False):
            if value is not None:
                totals[name] += int(value)
    return results_of(survey, totals, by=by, minimum=minimum)


async def bench(count: int, calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-results-bench-") as directory:
        app = await _app(Path(directory))
        try:
            await _run(app, count, calls)
        finally:
            await app.close()


async def _run(app: App, count: int, calls: int) -> None:
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    survey = campaign.survey
    print(f"filling {count:,} respondents ...", flush=True)
    filled, touched = await fill(app, survey, count)
    await _settle(app)
    memory = 0
    fields = 0
    for shard in range(app.schema.shards):
        key = app.schema.counters(shard, CAMPAIGN)
        memory += await app.redis.memory_usage(key, samples=0) or 0
        fields += await app.redis.hlen(key)
    answers = sum(touched.values())
    mean = sum(size * n for size, n in touched.items()) / answers
    print(f"  written in {filled:.1f} s")
    print(
        f"  result counters: {fields:,} fields over {app.schema.shards} shards, "
        f"{memory / 2**20:.2f} MiB"
    )
    print(
        f"  a commit adds: {mean:.1f} result fields per answer on average, at most "
        f"{max(touched)} (over {answers:,} answers of 1,000 respondents)"
    )
    minimum = app.settings.privacy.min_cell
    began = time.perf_counter()
    await take_snapshot(app.redis, app.schema, CAMPAIGN, 0)
    print(f"  a new results snapshot taken in {(time.perf_counter() - began) * 1000:.1f} ms")
    found = await campaign_results(app.redis, app.schema, survey, by=None, minimum=minimum)
    print(f"  started {found.started.count:,}, completed {found.completed.count:,}")
    print(
        f"campaign_results, {calls} calls each (server time in this process), from the snapshot "
        "and, for comparison, from the live counters (the read before snapshots), in turns:"
    )
    for by in (None, "language", "worry"):
        snapshot, live = await _paired(
            calls,
            lambda by=by: campaign_results(app.redis, app.schema, survey, by=by, minimum=minimum),  # type: ignore[misc]
            lambda by=by: _live_results(app, survey, by, minimum),  # type: ignore[misc]
        )
        _report(f"by {by}" if by else "no breakdown", snapshot)
        _report("  live counters", live)
    scanned, walked = await _scan(app, survey)
    print(f"without counters: walking {walked:,} respondents as the export does: {scanned:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    args: Any = parser.parse_args(argv)
    asyncio.run(bench(args.respondents, args.calls))


if __name__ == "__main__":
    main()
