"""The Redis commands of one answered question in Sauti, in order, by role (`--trace` of
`bench/versus_aiogram.py`): where the round trips of an update go.

Sauti runs as in the bench (`sauti run`, webhook, 16 shards) with one participant, who answers
until a yes/no or single-choice question is on screen. Then Redis MONITOR records two windows:
2 s with nothing arriving (the background: polls, leases, heartbeats), and the tap on that
question until the bot has been quiet for half a second. Each command is put to a role:

- ingest: the webhook's ingest script (and the commands it runs);
- worker: the inbound stream, the batch's loads (participant, session, campaign) and the
  commit script;
- sender: the outbox streams, the recipient's record (HMGET), the send claim, rate limit and
  finish scripts, and Telegram's question memory;
- other shards: the worker's and sender's reads of the other shards' streams;
- publisher: the loop publisher's rounds (held notices due, publications to feed);
- background: leases and heartbeats.

Commands inside a script follow it in MONITOR (client `lua`) and count for its role. Keys are
shown with the participant id and shard replaced (`<pid>`, `{sN}`); no value is printed.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.bots_under_test import TOKEN, SautiBot, registered
from bench.redis_proxy import RoundTripProxy
from bench.survey_driver import Participant, SurveyKnowledge, Tap, Timings, WatchedTelegram
from bench.survey_driver import Webhook as WebhookPoster
from bot.storage import scripts
from bot.storage.embedded_redis import EmbeddedRedis
from dialogues import QuestionKind, parse
from tests.fakes.telegram_limits import FakeLimits
from tests.kit.example import example_survey

IDLE_SECONDS = 2.0
QUIET_SECONDS = 0.5
SCRIPT_ROLES = {
    "ingest": "ingest",
    "commit": "worker",
    "take_lease": "background",
    "release_lease": "background",
    "move_due": "publisher",
    "feed": "publisher",
    "load_targets": "publisher",
}
ROLES = ("ingest", "worker", "sender", "other shards", "publisher", "background", "other")
_ARGUMENT = re.compile(rb'"((?:[^"\\]|\\.)*)"')
_CLIENT = re.compile(rb"^\+[\d.]+ \[\d+ ([^\]]*)\]")
_PARTICIPANT = re.compile(r"\b[a-z2-7]{32}\b")  # base32 of an HMAC
_EVENT = re.compile(r"\b[a-z2-7]{20,31}\b")


@dataclass(frozen=True)
class Command:
    role: str
    shown: str  # command name and key pattern
    inside: bool  # run by a script


class Monitor:
    """A raw MONITOR connection; `lines()` hands over what arrived since the last call."""

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self.received: list[bytes] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Monitor:
        reader, writer = await asyncio.open_unix_connection(self.socket_path)
        writer.write(b"MONITOR\r\n")
        await writer.drain()
        self._writer = writer

        async def read() -> None:
            while line := await reader.readline():
                self.received.append(line.rstrip(b"\r\n"))

        self._task = asyncio.create_task(read())
        return self

    async def __aexit__(self, *_: object) -> None:
        self._writer.close()
        if self._task is not None:
            self._task.cancel()

    def lines(self) -> list[bytes]:
        taken, self.received = self.received, []
        return [line for line in taken if line.startswith(b"+") and line != b"+OK"]


def classify(lines: list[bytes], shard: str | None = None) -> list[Command]:
    """Each MONITOR line as a command of a role; a plain command on a shard other than
    `shard` (the participant's: `{s3}`) is a poll of the others."""
    names = {script.sha: script.name for script in scripts.ALL}
    commands: list[Command] = []
    script_role, anchor = "other", "other"
    for line in lines:
        client = _CLIENT.match(line)
        words = [w.decode(errors="replace") for w in _ARGUMENT.findall(line)]
        if not client or not words:
            continue
        name = words[0].upper()
        inside = client.group(1) == b"lua"
        if inside:
            commands.append(Command(script_role, f"  {name} {_pattern(words[1:2])}", True))
            continue
        if name in ("EVALSHA", "EVAL"):
            script = names.get(words[1], "?")
            script_role = SCRIPT_ROLES.get(script, "sender")
            if script_role == "ingest":  # what follows is the worker loading the batch
                anchor = "worker"
            elif script_role != "background":
                anchor = script_role
            commands.append(Command(script_role, f"EVALSHA {script}.lua", False))
            continue
        keys = " ".join(words[1:])
        shards = set(re.findall(r"\{s\d+\}", keys))
        if ":members:" in keys or ":lease:" in keys:
            role = "background"
        elif shard is not None and shards and shard not in shards:
            role = "other shards"
        elif ":loop:" in keys or ":later" in keys:
            role = "publisher"
        elif re.search(r"\{s\d+\}:in\b", keys):
            role = anchor = "worker"
        elif ":out:" in keys or ":tg:" in keys or "rate:" in keys:
            role = anchor = "sender"
        elif name == "HMGET" and ":p:" in keys:  # the recipient's address and key
            role = "sender"
        else:
            role = anchor
        shown = words[words.index("STREAMS") + 1 :] if "STREAMS" in words else words[1:2]
        commands.append(Command(role, f"{name} {_pattern(shown)}", False))
    return commands


def _participant_shard(lines: list[bytes]) -> str | None:
    """The shard tag of the keys the ingest script got (the participant's event markers)."""
    for line in lines:
        found = re.search(rb'"[^"]*(\{s\d+\}):e:', line)
        if found:
            return found.group(1).decode()
    return None


def _pattern(keys: list[str]) -> str:
    shown = " ".join(keys)
    shown = _EVENT.sub("<id>", _PARTICIPANT.sub("<pid>", shown))
    return re.sub(r"\{s\d+\}", "{sN}", shown)


async def trace_one_answer() -> None:
    survey = parse(example_survey())
    knowledge = SurveyKnowledge.of(survey)
    with (
        tempfile.TemporaryDirectory(prefix="sauti-bench-") as directory,
        EmbeddedRedis(Path(directory) / "redis") as server,
    ):
        proxy = RoundTripProxy(server.url)
        await proxy.start()
        fake = WatchedTelegram(TOKEN, FakeLimits(1e6, 1_000_000, 1e5, 100_000))
        await fake.start()
        bot = SautiBot(Path(directory), server.url)
        try:
            await bot.start(fake.base_url, proxy.url())
            await registered(fake)
            async with WebhookPoster(fake) as webhook:
                person = Participant(4242, fake, knowledge, webhook)
                timings = Timings()
                while not _taps_a_choice(person, survey):
                    await person.step(timings)
                await asyncio.sleep(1.0)
                async with Monitor(str(server.socket_path)) as monitor:
                    idle_trips = proxy.counts.snapshot()
                    await asyncio.sleep(IDLE_SECONDS)
                    idle = classify(monitor.lines())
                    idle_trips_per_s = proxy.counts.since(idle_trips).round_trips / IDLE_SECONDS
                    began, trips = time.perf_counter(), proxy.counts.snapshot()
                    await person.step(timings)
                    seen = -1
                    while seen != len(fake.calls):
                        seen = len(fake.calls)
                        await asyncio.sleep(QUIET_SECONDS)
                    window = time.perf_counter() - began
                    taken = monitor.lines()
                    answer = classify(taken, _participant_shard(taken))
                    answer_trips = proxy.counts.since(trips).round_trips
        finally:
            await bot.stop()
            await fake.close()
            await proxy.close()
    _report(idle, answer, window, answer_trips, idle_trips_per_s)


def _taps_a_choice(person: Participant, survey: object) -> bool:
    """Whether the participant's next update taps a yes/no or single choice, past the first
    question."""
    from dialogues import Survey

    assert isinstance(survey, Survey)
    if not isinstance(person.next, Tap) or len(person.expected) < 2:
        return False
    question = survey.question(list(person.expected)[-1])
    return question is not None and question.kind in (
        QuestionKind.YES_NO,
        QuestionKind.SINGLE_CHOICE,
    )


def _report(
    idle: list[Command], answer: list[Command], window: float, trips: int, idle_trips: float
) -> None:
    idle_rate = Counter(c.role for c in idle)
    counts = Counter(c.role for c in answer)
    print(f"one tap on a question, until the bot was quiet: {window:.2f} s, {len(answer)} commands")
    print(f"round trips in that window (proxy): {trips}; idle background: {idle_trips:.1f}/s")
    header = f"{'role':<12}{'commands':>10}{'in scripts':>12}{'idle, same window':>19}{'net':>8}"
    print("\n" + header)
    for role in ROLES:
        inside = sum(1 for c in answer if c.role == role and c.inside)
        expected_idle = idle_rate[role] / IDLE_SECONDS * window
        net = counts[role] - expected_idle
        print(f"{role:<12}{counts[role]:>10}{inside:>12}{expected_idle:>19.1f}{net:>8.1f}")
    print("\non the participant's shard, in order (the other shards, publisher and background")
    print("left out):")
    for command in answer:
        if command.role not in ("background", "publisher", "other shards"):
            print(f"  {command.role:<8} {command.shown}")
