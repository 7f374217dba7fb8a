"""A campaign's triage queue: its free-text answers and the concerns written about its
decisions, newest first, a page at a time, each with its words (opened with the participant's
data key), themes, flags and linked decision.

The commit keeps a time index per shard (`KeySchema.triage`, items named as
`bot.records.triage_items` says), so a page reads the newest few items of each shard and
merges them: its cost follows the page, not the campaign's size. Items are ordered by time,
newest first, then shard, then the organisation's name for them (`<pseudonym>/<question id>`),
and a page goes on after a `Position` in that order: the position names nothing the
organisation has not seen, so it can travel in a cursor.

Filters on flags or a linked decision walk only the marked items (`KeySchema.triage_marks`,
few); a filter on a theme walks the queue and keeps what matches, up to `SCAN_BUDGET` items per
page: such a page may hold fewer items than asked for and still have a next one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from redis.asyncio import Redis

from bot.access.pseudonyms import Pseudonyms
from bot.conversation.stored_answers import read_answers
from bot.privacy import (
    DecryptionError,
    ParticipantCrypto,
    ParticipantId,
    decrypt_field,
    field_aad,
)
from bot.records.export import TextLoss, TextOpener
from bot.records.triage_items import is_answer, parse_item
from bot.storage.keys import KeySchema
from bot.storage.replies import text

SCAN_BUDGET = 2000  # items one filtered page looks at, at most, before it answers
ItemKind = Literal["answer", "concern"]


class Flag(StrEnum):
    """A filter on the flags: items flagged urgent, flagged safety, or with neither."""

    URGENT = "urgent"
    SAFETY = "safety"
    UNFLAGGED = "unflagged"


@dataclass(frozen=True, slots=True)
class Position:
    """Where an item stands in the queue's order (newest first)."""

    ms: int
    shard: int
    name: str  # `<pseudonym>/<question id>`

    @property
    def order(self) -> tuple[int, int, str]:
        return (-self.ms, self.shard, self.name)


@dataclass(frozen=True, slots=True)
class TriageItem:
    """One free-text answer as the queue shows it."""

    position: Position
    participant_id: str  # stays on the server
    pseudonym: str
    question_id: str  # '' for a concern
    text: str | None  # None: lost (`lost` says why)
    lost: TextLoss | None
    themes: tuple[str, ...]
    urgent: bool
    safety: bool
    alert_open: bool  # flagged safety, and the alert not yet acknowledged
    decision: str | None  # the decision it is linked to
    kind: ItemKind = "answer"
    about_decision: str | None = None  # a concern's: the decision it is about

    @property
    def response_id(self) -> str:
        return self.position.name

    @property
    def at_ms(self) -> int:
        return self.position.ms


@dataclass(frozen=True, slots=True)
class TriageFilter:
    flag: Flag | None = None
    theme: str | None = None
    decision: str | None = None

    def accepts(self, item: TriageItem) -> bool:
        if self.flag is Flag.URGENT and not item.urgent:
            return False
        if self.flag is Flag.SAFETY and not item.safety:
            return False
        if self.flag is Flag.UNFLAGGED and (item.urgent or item.safety):
            return False
        if self.theme is not None and self.theme not in item.themes:
            return False
        return self.decision is None or item.decision == self.decision

    @property
    def marked(self) -> str | None:
        """The mark every accepted item carries, when there is one: only those are walked."""
        if self.flag is Flag.URGENT:
            return "u"
        if self.flag is Flag.SAFETY:
            return "s"
        if self.decision is not None:
            return "d"
        return None


@dataclass(frozen=True, slots=True)
class _Candidate:
    position: Position
    item: str  # the stored member: `<participant id>/<question id>`


Window = Callable[[Position | None, int], Awaitable[list[_Candidate]]]


class TriageQueue:
    """One campaign's queue, as one organisation names its items."""

    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        crypto: ParticipantCrypto,
        campaign_id: str,
        pseudonyms: Pseudonyms,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._campaign_id = campaign_id
        self._pseudonyms = pseudonyms

    def name(self, item: str) -> str:
        """What the organisation calls an item: `<pseudonym>/<question id>`, or a concern's
        case reference."""
        if not is_answer(item):
            return item
        participant_id, question_id = parse_item(item)
        return f"{self._pseudonyms.of(participant_id)}/{question_id}"

    async def page(
        self, after: Position | None, limit: int, wanted: TriageFilter
    ) -> tuple[list[TriageItem], Position | None]:
        """Up to `limit` items after `after` that `wanted` accepts, and where the next page
        starts (None: no more)."""
        window = self._marked(wanted) if wanted.marked is not None else self._newest
        found: list[TriageItem] = []
        examined = 0
        position = after
        while examined < SCAN_BUDGET:
            batch = await window(position, limit)
            for candidate, item in zip(batch, await self._load(batch), strict=True):
                position = candidate.position
                examined += 1
                if item is not None and wanted.accepts(item):
                    found.append(item)
                    if len(found) == limit:
                        last = candidate is batch[-1] and len(batch) < limit
                        return found, None if last else position
            if len(batch) < limit:
                return found, None
        return found, position

    async def item(self, shard: int, item: str) -> TriageItem | None:
        """One item of the shard as it is now; None when it is not in the queue."""
        score = await self._redis.zscore(self._schema.triage(shard, self._campaign_id), item)
        if score is None:
            return None
        [found] = await self._load([self._candidate(shard, item, score)])
        return found

    async def _newest(self, after: Position | None, count: int) -> list[_Candidate]:
        """The `count` items of the whole queue that come next after `after`."""
        pipe = self._redis.pipeline(transaction=False)
        for shard in range(self._schema.shards):
            key = self._schema.triage(shard, self._campaign_id)
            if after is None:
                pipe.zrevrangebyscore(key, "+inf", "-inf", start=0, num=count, withscores=True)
            else:
                # The items of the same millisecond as `after` (few), then the older ones.
                pipe.zrangebyscore(key, after.ms, after.ms, withscores=True)
                pipe.zrevrangebyscore(
                    key, f"({after.ms}", "-inf", start=0, num=count, withscores=True
                )
        replies: list[Any] = await pipe.execute()
        per_shard = 1 if after is None else 2
        candidates = [
            self._candidate(shard, member, score)
            for shard in range(self._schema.shards)
            for reply in replies[shard * per_shard : (shard + 1) * per_shard]
            for member, score in reply
        ]
        return _next(candidates, after, count)

    def _marked(self, wanted: TriageFilter) -> Window:
        """A window over the items that carry the filter's mark only."""
        mark = f"{wanted.marked}:"

        async def window(after: Position | None, count: int) -> list[_Candidate]:
            pipe = self._redis.pipeline(transaction=False)
            for shard in range(self._schema.shards):
                pipe.hgetall(self._schema.triage_marks(shard, self._campaign_id))
            marked: list[tuple[int, str]] = [
                (shard, text(field)[len(mark) :])
                for shard, fields in enumerate(await pipe.execute())
                for field, value in fields.items()
                if text(field).startswith(mark) and (mark != "d:" or text(value) == wanted.decision)
            ]
            if not marked:
                return []
            pipe = self._redis.pipeline(transaction=False)
            for shard, item in marked:
                pipe.zscore(self._schema.triage(shard, self._campaign_id), item)
            candidates = [
                self._candidate(shard, item, score)
                for (shard, item), score in zip(marked, await pipe.execute(), strict=True)
                if score is not None
            ]
            return _next(candidates, after, count)

        return window

    def _candidate(self, shard: int, member: bytes | str, score: float) -> _Candidate:
        item = text(member)
        return _Candidate(Position(int(score), shard, self.name(item)), item)

    async def _load(self, batch: list[_Candidate]) -> list[TriageItem | None]:
        """Each candidate's words, key, themes and marks, in two round trips (a concern's case
        names its writer); None for one no longer there (withdrawn or erased meanwhile)."""
        schema, campaign_id = self._schema, self._campaign_id
        pipe = self._redis.pipeline(transaction=False)
        for candidate in batch:
            shard, item = candidate.position.shard, candidate.item
            if is_answer(item):
                pid, question_id = parse_item(item)
                pipe.hgetall(schema.answers(pid, campaign_id))
                pipe.hget(schema.themes(pid, campaign_id), question_id)
            else:
                pipe.hgetall(schema.case(shard, item))
            pipe.hmget(schema.triage_marks(shard, campaign_id), [f"{m}:{item}" for m in "usd"])
            pipe.zscore(schema.safety_alerts(shard, campaign_id), item)
        replies = iter(await pipe.execute())
        found = [
            _Loaded(
                candidate,
                fields=next(replies),
                themes=next(replies) if is_answer(candidate.item) else None,
                marks=next(replies),
                alert=next(replies),
            )
            for candidate in batch
        ]
        pipe = self._redis.pipeline(transaction=False)
        for loaded in found:
            pipe.hget(schema.participant(loaded.participant_id), "wk")
            pipe.hget(schema.decision_refs, loaded.case_field("dref") or "-")
        keys: list[Any] = await pipe.execute()
        return [self._item(loaded, keys[2 * n], keys[2 * n + 1]) for n, loaded in enumerate(found)]

    def _item(
        self, loaded: _Loaded, wrapped: bytes | None, about: bytes | None
    ) -> TriageItem | None:
        if loaded.answer:
            pid, question_id = parse_item(loaded.candidate.item)
            stored = read_answers(loaded.fields).get(question_id)
            if stored is None or not stored.answered or not stored.free_text:
                return None
            opened = TextOpener(self._crypto, pid, self._campaign_id, wrapped).open(
                question_id, stored.sealed
            )
        else:
            pid, question_id = loaded.participant_id, ""
            if not pid or not wrapped or loaded.case_field("kind") != "concern":
                return None  # erased, or past retention: not the queue's any more
            opened = self._concern_text(loaded, wrapped)
        urgent, safety, decision = loaded.marks
        return TriageItem(
            position=loaded.candidate.position,
            participant_id=pid,
            pseudonym=self._pseudonyms.of(pid),
            question_id=question_id,
            text=None if isinstance(opened, TextLoss) else opened,
            lost=opened if isinstance(opened, TextLoss) else None,
            themes=loaded.theme_list,
            urgent=urgent is not None,
            safety=safety is not None,
            alert_open=loaded.alert is not None,
            decision=text(decision) if decision is not None else None,
            kind="answer" if loaded.answer else "concern",
            about_decision=text(about).partition("/")[2] if about is not None else None,
        )

    def _concern_text(self, loaded: _Loaded, wrapped: bytes) -> str | TextLoss:
        """A concern's words, sealed with its writer's key as the case keeps them."""
        sealed = loaded.fields.get(b"x")
        if sealed is None:
            return TextLoss.UNREADABLE
        aad = field_aad(ParticipantId(loaded.participant_id), f"case:{loaded.candidate.item}")
        try:
            return decrypt_field(self._crypto.unwrap_data_key(wrapped), sealed, aad)
        except DecryptionError:
            return TextLoss.UNREADABLE


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What the first round trip read of one candidate."""

    candidate: _Candidate
    fields: dict[bytes, bytes]  # an answer's answers hash, or a concern's case
    themes: bytes | None  # an answer's, comma-separated
    marks: list[bytes | None]  # urgent, safety, decision
    alert: float | None

    @property
    def answer(self) -> bool:
        return is_answer(self.candidate.item)

    @property
    def participant_id(self) -> str:
        if self.answer:
            return parse_item(self.candidate.item)[0]
        return self.case_field("pid")

    @property
    def theme_list(self) -> tuple[str, ...]:
        return tuple(theme for theme in text(self.themes or b"").split(",") if theme)

    def case_field(self, name: str) -> str:
        value = self.fields.get(name.encode()) if not self.answer else None
        return text(value) if value is not None else ""


def _next(candidates: list[_Candidate], after: Position | None, count: int) -> list[_Candidate]:
    """The first `count` candidates after `after`, in the queue's order."""
    ordered = sorted(candidates, key=lambda candidate: candidate.position.order)
    if after is not None:
        ordered = [c for c in ordered if c.position.order > after.order]
    return ordered[:count]
