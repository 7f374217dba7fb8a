"""Who a decision reaches: each shard's respondents walked inside Redis (`plan.lua`).

Rule evaluation happens in Redis, a chunk of a few thousand respondents per script call, so a
million respondents cross the network only as counts and, when publishing, land directly in
each shard's target set. `count_links` (preview) writes nothing; `plan_shard` (publish) keeps
its cursor and counts in the shard's publication hash, so it resumes after a crash.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.consents import outcome_versions_honoured
from bot.conversation.decisions.rules import questions_of, to_program
from bot.loop.ledger import StoredDecision
from bot.storage.keys import KeySchema
from bot.storage.scripts import PLAN

WEEK_MS = 7 * 24 * 3600 * 1000
EXCLUSIONS = (
    "no_consent",
    "consent_outdated",
    "opted_out",
    "erased",
    "unreachable",
    "hidden",
)


@dataclass(frozen=True)
class PlanLimits:
    now_ms: int
    weekly_budget: int
    chunk: int = 2000  # SSCAN COUNT per script call: a few ms of Redis time each


@dataclass
class LinkCounts:
    """Participants a decision is linked to, and what would become of each."""

    linked: int = 0
    targets: Counter[tuple[str, str]] = field(default_factory=Counter)  # (language, channel)
    excluded: Counter[str] = field(default_factory=Counter)  # reason -> participants
    over_budget: int = 0  # would be told, but later: their weekly budget is spent
    # Push targets by their own time zone ("": none, the campaign's); counted by previews only.
    zones: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # a few participant ids told

    @property
    def told(self) -> int:
        return sum(self.targets.values())

    def add(self, flat: list[Any]) -> None:
        for name, count in zip(flat[0::2], flat[1::2], strict=True):
            self.add_one(_text(name), int(count))

    def flat(self) -> list[str | int]:
        """The counts as `add` takes them (the planner script's names)."""
        named: dict[str, int] = {"linked": self.linked, "late|budget": self.over_budget}
        named.update({f"x|{reason}": n for reason, n in self.excluded.items()})
        named.update({f"t|{lang}|{channel}": n for (lang, channel), n in self.targets.items()})
        named.update({f"z|{own}": n for own, n in self.zones.items()})
        return [item for name, n in named.items() if n for item in (name, n)]

    def add_one(self, name: str, count: int) -> None:
        if name == "linked":
            self.linked += count
        elif name.startswith("x|"):
            self.excluded[name[2:]] += count
        elif name.startswith("t|"):
            _, language, channel = name.split("|", 2)
            self.targets[(language, channel)] += count
        elif name == "late|budget":
            self.over_budget += count
        elif name.startswith("z|"):
            self.zones[name[2:]] += count


class Planner:
    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._schema = schema

    async def count_links(
        self, stored: StoredDecision, limits: PlanLimits, samples: int = 5, pace: float = 0.0
    ) -> LinkCounts:
        """What publishing now would do, without writing anything. One script call at a
        time: Redis serves everyone else between two (pipelining the shards' calls together
        made every other request wait behind all of them, and was no faster). After each call
        the count waits `pace` times as long as the call took, giving Redis and the event
        loop to everyone else in between (0: it only lets the loop run its other tasks)."""
        counts = LinkCounts()
        for shard in range(self._schema.shards):
            await self._explicit_erased(stored, shard, counts)
            cursor = "0"
            while True:
                wanted = max(0, samples - len(counts.samples))
                args = self._args(stored, shard, "count", cursor, limits=limits, samples=wanted)
                began = time.perf_counter()
                reply: Any = await PLAN(self._redis, self._plan_keys(stored, shard), args)
                await asyncio.sleep((time.perf_counter() - began) * pace)
                cursor = _text(reply[0])
                counts.add(reply[1])
                counts.samples += [_text(pid) for pid in reply[2]]
                if cursor == "0":
                    break
        return counts

    async def sample_links(
        self, stored: StoredDecision, limits: PlanLimits, wanted: int
    ) -> list[str]:
        """A few participants the decision would tell, found fast: the first `limits.chunk`
        respondents of each shard at most, one script call each, until `wanted` are found
        (fewer when those told are rare)."""
        found: list[str] = []
        for shard in range(self._schema.shards):
            if len(found) >= wanted:
                break
            args = self._args(
                stored, shard, "count", "0", limits=limits, samples=wanted - len(found)
            )
            reply: Any = await PLAN(self._redis, self._plan_keys(stored, shard), args)
            found += [_text(pid) for pid in reply[2]]
        return found[:wanted]

    async def plan_shard(self, stored: StoredDecision, shard: int, limits: PlanLimits) -> bool:
        """Plan one more chunk of a shard; True once the shard is fully planned."""
        state = self._schema.shard_publication(shard, stored.ref, stored.version)
        if await self._redis.hsetnx(state, "explicit", 1):
            counts = LinkCounts()
            await self._explicit_erased(stored, shard, counts)
            for reason, count in counts.excluded.items():
                await self._redis.hincrby(state, f"x|{reason}", count)
                await self._redis.hincrby(state, "linked", count)
        args = self._args(stored, shard, "write", "", limits=limits, samples=0)
        reply: Any = await PLAN(self._redis, self._plan_keys(stored, shard), args)
        return _text(reply[0]) == "0"

    def _plan_keys(self, stored: StoredDecision, shard: int) -> list[str]:
        return [
            self._schema.respondents(shard, stored.campaign_id),
            self._schema.shard_publication(shard, stored.ref, stored.version),
            self._schema.targets(shard, stored.ref, stored.version),
        ]

    def _args(
        self,
        stored: StoredDecision,
        shard: int,
        mode: str,
        cursor: str,
        *,
        limits: PlanLimits,
        samples: int,
    ) -> list[str | int]:
        decision = stored.decision
        prefixes = self._schema.participant_prefixes(shard, decision.campaign_id)
        rule = decision.rule
        program = json.dumps(to_program(rule), separators=(",", ":")) if rule else ""
        questions = json.dumps(list(questions_of(rule)) if rule else [])
        return [
            mode,
            cursor,
            limits.chunk,
            prefixes["p"],
            prefixes["a"],
            prefixes["th"],
            prefixes["nb"],
            f"u:{decision.campaign_id}",
            program,
            questions,
            limits.now_ms,
            WEEK_MS,
            limits.weekly_budget,
            samples,
            ",".join(outcome_versions_honoured()),
            *self._explicit(stored, shard),
        ]

    def _explicit(self, stored: StoredDecision, shard: int) -> list[str]:
        ids = {r.participant_id for r in stored.decision.responses}
        return sorted(pid for pid in ids if self._schema.shard_of(pid) == shard)

    async def _explicit_erased(
        self, stored: StoredDecision, shard: int, counts: LinkCounts
    ) -> None:
        """Explicitly linked people no longer among the respondents were erased (erasure
        takes them out of the respondent sets): count them, there is no one to tell."""
        ids = self._explicit(stored, shard)
        if not ids:
            return
        key = self._schema.respondents(shard, stored.campaign_id)
        present: Any = await self._redis.smismember(key, ids)
        gone = sum(1 for found in present if not found)
        if gone:
            counts.linked += gone
            counts.excluded["erased"] += gone


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
