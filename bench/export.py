"""Benchmark the personal-level export of 100,000 respondents: CSV and XLSX, seconds and peak
memory.

    .venv/bin/python bench/export.py                          # 100,000 respondents
    .venv/bin/python bench/export.py --respondents 10000      # a shorter run

An embedded Redis in a temporary directory (Sauti's own configuration, 16 shards) holds the
example campaign and 100,000 synthetic respondents written as bench/results.py writes them
(`fill`: session, answers, counters), each given a wrapped data key and their free text sealed
with it as the commit seals it (so every text is really unwrapped and decrypted). Then the file
is made exactly as `GET /campaigns/{id}/export` and `sauti campaign export` make it — the walk
(bot.records.export.respondents), each participant named by the organisation's pseudonym, the
table with labels (bot.records.export_files), the CSV or the streamed workbook
(bot.records.sheets) — its bytes counted and dropped, as a client would take them.

Each format is made twice: once timed (seconds, respondents per second, the file's size), once
under tracemalloc for the peak of Python's memory while making it (what the process holds for
the export, beyond what it held before: the "never whole in memory" claim). The XLSX made is
opened with openpyxl (read-only) to check its rows, when openpyxl is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.results import CAMPAIGN, T0, _app, _settle, fill  # noqa: E402
from bot.access.organisations import DEFAULT_ORG  # noqa: E402
from bot.app import App  # noqa: E402
from bot.conversation.stored_answers import encode_answer  # noqa: E402
from bot.privacy import ParticipantId, encrypt_field, field_aad  # noqa: E402
from bot.records.export import respondents  # noqa: E402
from bot.records.export_files import ExportNote, csv_text, named_by, xlsx_bytes  # noqa: E402
from dialogues import Survey  # noqa: E402
from dialogues.model import QuestionKind  # noqa: E402

WRITE_CHUNK = 2000
WORDS = "The agent at the market asked for my PIN before he would give me my money, twice."


async def _keys_and_texts(app: App, survey: Survey) -> int:
    """A wrapped data key for every respondent, and their free text sealed with it (in place
    of the stand-in bytes `fill` writes); returns how many texts."""
    schema, crypto, texts = app.schema, app.crypto, 0
    text_questions = [q.id for q in survey.questions if q.kind is QuestionKind.TEXT]
    pipe = app.redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        async for member in app.redis.sscan_iter(schema.respondents(shard, CAMPAIGN), count=2000):
            pid = member.decode()
            key, wrapped = crypto.new_data_key()
            pipe.hset(schema.participant(pid), "wk", wrapped)
            answered = await app.redis.hmget(schema.answers(pid, CAMPAIGN), text_questions)
            for question_id, header in zip(text_questions, answered, strict=True):
                if header is None or b"#" not in header:  # not a sealed text
                    continue
                aad = field_aad(ParticipantId(pid), f"answer:{CAMPAIGN}:{question_id}")
                sealed = encrypt_field(key, WORDS, aad)
                fields = encode_answer(question_id, "answered", T0, sealed=sealed)
                pipe.hset(schema.answers(pid, CAMPAIGN), mapping=fields)  # type: ignore[arg-type]
                texts += 1
            if len(pipe) >= WRITE_CHUNK:
                await pipe.execute()
    await pipe.execute()
    return texts


class _Taken:
    """The client: takes every piece, keeps only their size."""

    def __init__(self) -> None:
        self.size = 0
        self.head = bytearray()  # the whole file, only when asked to keep it

    async def take(self, pieces: AsyncIterator[str] | AsyncIterator[bytes], keep: bool) -> None:
        async for piece in pieces:
            data = piece.encode() if isinstance(piece, str) else piece
            self.size += len(data)
            if keep:
                self.head += data


async def _export(app: App, survey: Survey, chosen: str, keep: bool = False) -> _Taken:
    pseudonyms = await app.pseudonyms(DEFAULT_ORG)
    rows = named_by(pseudonyms, respondents(app.redis, app.schema, app.crypto, CAMPAIGN))
    taken = _Taken()
    language = survey.default_language
    if chosen == "csv":
        await taken.take(csv_text(survey, rows, labels=language, bom=True), keep)
    else:
        note = ExportNote(time.time(), "analyst", app.settings.privacy.min_cell)
        await taken.take(xlsx_bytes(survey, rows, note, labels=language), keep)
    return taken


async def _measure(app: App, survey: Survey, chosen: str, count: int) -> None:
    began = time.perf_counter()
    taken = await _export(app, survey, chosen)
    took = time.perf_counter() - began
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    kept = await _export(app, survey, chosen, keep=False)
    peak = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()
    assert kept.size > 0
    print(
        f"  {chosen.upper():<4} {took:6.1f} s   {count / took:8,.0f} respondents/s   "
        f"file {taken.size / 2**20:6.1f} MiB   peak Python memory {peak / 2**20:5.1f} MiB"
    )
    if chosen == "xlsx":
        _check(await _export(app, survey, chosen, keep=True), count)


def _check(taken: _Taken, count: int) -> None:
    try:
        import openpyxl
    except ImportError:
        return
    book = openpyxl.load_workbook(io.BytesIO(bytes(taken.head)), read_only=True)
    rows = sum(1 for _ in book["Responses"].iter_rows(values_only=True))
    assert rows == count + 1, f"{rows} rows for {count} respondents"
    print(f"  XLSX opened with openpyxl: {rows - 1:,} respondents, as many as were written")


async def bench(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-export-bench-") as directory:
        app = await _app(Path(directory))
        try:
            campaign = await app.campaigns.get(CAMPAIGN)
            assert campaign is not None
            survey = campaign.survey
            print(f"filling {count:,} respondents ...", flush=True)
            await fill(app, survey, count)
            texts = await _keys_and_texts(app, survey)
            await _settle(app)
            print(f"exporting {count:,} respondents ({texts:,} free-text answers decrypted):")
            for chosen in ("csv", "xlsx"):
                await _measure(app, survey, chosen, count)
        finally:
            await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(bench(args.respondents))


if __name__ == "__main__":
    main()
