"""A grievance case, end to end in Redis: what a participant raised outside the survey
(/feedback, or a concern about a decision after "still concerned"), from the commit that
creates it to the desk and the command line that read it.

A case is a hash under the participant's shard tag, indexed per shard by creation time (and,
for a concern, per decision). The text is sealed with the participant's data key, so erasing
them makes it unreadable. Creation is idempotent (the reference derives from the inbound event
id): a replayed event must not reset a case the desk has moved on. The desk's steps, which also
tell the participant, are `bot.loop.grievances`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.conversation.case_view import (
    UNCATEGORISED,
    CaseStatus,
    CaseSummary,
    Category,
    Urgency,
    why_aad,
)
from bot.conversation.decisions.decision import LoopError
from bot.conversation.turns import DAY_MS
from bot.privacy import (
    DecryptionError,
    ParticipantCrypto,
    ParticipantId,
    decrypt_field,
    encrypt_field,
    field_aad,
)
from bot.records.triage_items import concern_steps
from bot.settings.loop import DEFAULT_RESPONSE_DAYS
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import CREATE_CASE

# The statuses, categories and urgencies are the conversation's words too (re-exported).
__all__ = [
    "NEXT",
    "UNCATEGORISED",
    "Case",
    "CaseError",
    "CaseStatus",
    "Category",
    "NewCase",
    "Urgency",
    "case_commands",
    "case_text",
    "case_why",
    "desk_order",
    "find_case",
    "list_cases",
    "participant_cases",
    "read_case",
]


NEXT: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.RECEIVED: frozenset(
        {CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED, CaseStatus.ESCALATED}
    ),
    CaseStatus.UNDER_REVIEW: frozenset({CaseStatus.RESOLVED, CaseStatus.ESCALATED}),
    CaseStatus.ESCALATED: frozenset({CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED}),
    CaseStatus.REOPENED: frozenset(
        {CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED, CaseStatus.ESCALATED}
    ),
    # Only the participant reopens a resolved case (within SAUTI_CASE_REOPEN_DAYS).
    CaseStatus.RESOLVED: frozenset(),
}


class CaseError(LoopError):
    pass


@dataclass(frozen=True, slots=True)
class Case:
    reference: str
    shard: int
    participant_id: str
    campaign_id: str
    language: str
    channel: str
    status: CaseStatus
    created_ms: int
    kind: str  # feedback | concern
    decision_ref: str
    steps: int
    history: tuple[tuple[CaseStatus, int], ...]
    due_ms: int  # the answer promised to the participant by then
    # When the campaign's retention removed its text and who raised it (participant id,
    # language and channel then read ""); None while they are kept.
    expired_ms: int | None = None
    category: Category | None = None  # None: not categorised yet
    urgency: Urgency = Urgency.NORMAL
    reopens: int = 0  # times the participant reopened it
    # When the resolution notice asked "are you satisfied?" (None: never asked), and the
    # answer to the latest such question (None: none yet).
    asked_ms: int | None = None
    satisfied: bool | None = None
    desk_message: bytes | None = None  # the desk's last message to them, sealed with their key
    org: str = ""  # the organisation whose desk lists it ("": raised outside any campaign)
    # When they said why the latest resolution did not satisfy them (None: they did not); the
    # words themselves are sealed (`case_why`) and go with an erasure, the time stays.
    why_ms: int | None = None

    @property
    def category_name(self) -> str:
        return self.category.value if self.category is not None else UNCATEGORISED

    @property
    def first_response_ms(self) -> int | None:
        """When the desk first moved it (its first step told the participant)."""
        steps = [at for status, at in self.history if status is not CaseStatus.REOPENED]
        return steps[0] if steps else None

    @property
    def resolved_ms(self) -> int | None:
        """When it was last resolved (None: never)."""
        times = [at for status, at in self.history if status is CaseStatus.RESOLVED]
        return times[-1] if times else None

    def due_in_ms(self, now_ms: int) -> int | None:
        """The countdown: time left until the answer is due (negative once overdue); None for
        a case owed no answer now."""
        return self.due_ms - now_ms if self.status.open else None

    def summary(self) -> CaseSummary:
        return CaseSummary(
            self.reference,
            self.status,
            self.created_ms,
            self.resolved_ms,
            self.desk_message,
            self.satisfied,
        )

    @property
    def gone_why(self) -> str:
        """Why its text can no longer be read, in the desk's words."""
        if self.expired_ms is not None:
            return "(removed after the retention period)"
        return "(erased by the participant)"

    def overdue(self, now_ms: int) -> bool:
        return self.status.open and now_ms > self.due_ms


@dataclass(frozen=True, slots=True)
class NewCase:
    """What the commit of the event that raised a case knows about it."""

    reference: str  # F-… (feedback) or C-… (a concern about a decision)
    participant_id: str
    campaign_id: str
    language: str
    channel: str
    text: str  # sealed before it is stored
    created_ms: int
    due_ms: int  # the answer promised to the participant by then
    # Set for a concern about a decision (kind "concern"); None for feedback.
    decision_ref: str | None = None
    urgency: Urgency = Urgency.NORMAL  # `safety`: the message was read as someone at risk
    org: str = ""  # the campaign's organisation, whose desk lists it ("": none)


def case_commands(schema: KeySchema, case: NewCase, data_key: bytes) -> list[BatchStep]:
    """What records one case: run before the event's commit, and safe to run twice."""
    shard = schema.shard_of(case.participant_id)
    aad = field_aad(ParticipantId(case.participant_id), f"case:{case.reference}")
    fields: list[str | bytes | int] = [
        "pid", case.participant_id,
        "cid", case.campaign_id,
        "lang", case.language,
        "ch", case.channel,
        "status", CaseStatus.RECEIVED.value,
        "t", case.created_ms,
        "due", case.due_ms,
        "x", encrypt_field(data_key, case.text, aad),
    ]  # fmt: skip
    if case.decision_ref is not None:
        fields += ["kind", "concern", "dref", case.decision_ref]
    if case.urgency is not Urgency.NORMAL:
        fields += ["urg", case.urgency.value]
    if case.org:  # the script gives it its place on the organisation's desk
        fields += ["org", case.org]
    steps: list[BatchStep] = [
        # Created only if it does not exist: a replay may meet a case the desk moved on.
        ScriptCall(CREATE_CASE, [schema.case(shard, case.reference)], fields),
        ("ZADD", schema.cases(shard), "NX", case.created_ms, case.reference),
    ]
    # Their own cases, for "my cases" and "my data" (erased with them).
    steps.append(("ZADD", schema.participant_cases(case.participant_id), "NX", case.created_ms,
                  case.reference))  # fmt: skip
    if case.decision_ref is not None:
        concerns = schema.concerns(shard, case.decision_ref)
        steps.append(("ZADD", concerns, "NX", case.created_ms, case.reference))
        if case.campaign_id:
            steps += concern_steps(
                schema, case.participant_id, case.campaign_id, case.reference, case.created_ms
            )
    return steps


async def list_cases(redis: Redis, schema: KeySchema) -> list[Case]:
    """Every case, oldest first."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.zrange(schema.cases(shard), 0, -1)
    references: list[Any] = await pipe.execute()
    pipe = redis.pipeline(transaction=False)
    wanted = [(shard, ref.decode()) for shard, refs in enumerate(references) for ref in refs]
    for shard, reference in wanted:
        pipe.hgetall(schema.case(shard, reference))
    cases = [
        read_case(reference, shard, fields)
        for (shard, reference), fields in zip(wanted, await pipe.execute(), strict=True)
        if fields
    ]
    return sorted(cases, key=lambda case: case.created_ms)


# Where an open case stands on the desk by its urgency (a closed one comes after them all).
_RANK = {Urgency.SAFETY: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}


def desk_order(case: Case) -> tuple[int, int, int, str]:
    """How the desk lists cases: open safety-flagged ones first, then open urgent ones, then
    the other open ones, each by their due time (so the most overdue come first, then the
    soonest due), then the rest by due time. Depends on no clock, so a page cursor keeps its
    place."""
    return (
        _RANK.get(case.urgency, len(_RANK)) if case.status.open else len(_RANK),
        0 if case.status.open else 1,
        case.due_ms,
        case.reference,
    )


async def participant_cases(
    redis: Redis, schema: KeySchema, participant_id: str, limit: int = 20, also: str = ""
) -> tuple[CaseSummary, ...]:
    """A participant's own latest cases, newest first (what "my cases" can show), and the
    case `also` after them when it is theirs but older (one they reopen or answer by its
    reference)."""
    shard = schema.shard_of(participant_id)
    index = schema.participant_cases(participant_id)
    found: Any = await redis.zrange(index, -limit, -1)
    references = [ref.decode() for ref in reversed(found)]
    if also and also not in references and await redis.zscore(index, also) is not None:
        references.append(also)
    pipe = redis.pipeline(transaction=False)
    for reference in references:
        pipe.hgetall(schema.case(shard, reference))
    cases = [
        read_case(reference, shard, fields)
        for reference, fields in zip(references, await pipe.execute(), strict=True)
        if fields
    ]
    return tuple(case.summary() for case in cases if case.participant_id == participant_id)


async def find_case(redis: Redis, schema: KeySchema, reference: str) -> Case | None:
    """A case by its reference (F-… or C-…): the reference does not say its shard."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.case(shard, reference.strip().upper()))
    for shard, fields in enumerate(await pipe.execute()):
        if fields:
            return read_case(reference.strip().upper(), shard, fields)
    return None


async def case_text(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, case: Case
) -> str | None:
    """What the participant wrote, or None once they were erased (their key is gone) or the
    campaign's retention removed it."""
    aad = field_aad(ParticipantId(case.participant_id), f"case:{case.reference}")
    return await _open(redis, schema, crypto, case, "x", aad)


async def case_why(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, case: Case
) -> str | None:
    """What they wrote when a resolution did not satisfy them: None when they did not, or it
    can no longer be read (as `case_text`)."""
    if case.why_ms is None:
        return None
    aad = why_aad(case.participant_id, case.reference)
    return await _open(redis, schema, crypto, case, "why", aad)


async def _open(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, case: Case, name: str, aad: bytes
) -> str | None:
    """A field of the case sealed with its participant's key, opened."""
    if not case.participant_id:
        return None
    sealed: Any = await redis.hget(schema.case(case.shard, case.reference), name)
    wrapped: Any = await redis.hget(schema.participant(case.participant_id), "wk")
    if sealed is None or wrapped is None:
        return None
    try:
        return decrypt_field(crypto.unwrap_data_key(wrapped), sealed, aad)
    except DecryptionError:
        return None


def read_case(reference: str, shard: int, fields: dict[bytes, bytes]) -> Case:
    plain = {k.decode(): v for k, v in fields.items() if k not in (b"x", b"m", b"why")}
    history = sorted(
        (int(name[2:]), value.decode()) for name, value in plain.items() if name.startswith("h:")
    )
    created_ms = int(plain.get("t", b"0"))
    return Case(
        reference=reference,
        shard=shard,
        participant_id=plain.get("pid", b"").decode(),
        campaign_id=plain.get("cid", b"").decode(),
        language=plain.get("lang", b"").decode(),
        channel=plain.get("ch", b"").decode(),
        status=CaseStatus(plain.get("status", b"received").decode()),
        created_ms=created_ms,
        kind=plain.get("kind", b"feedback").decode(),
        decision_ref=plain.get("dref", b"").decode(),
        steps=int(plain.get("steps", b"0")),
        history=tuple(
            (CaseStatus(value.split("|")[0]), int(value.split("|")[1])) for _, value in history
        ),
        # A case from before the promise was kept with it was promised the default.
        due_ms=int(plain.get("due") or created_ms + DEFAULT_RESPONSE_DAYS * DAY_MS),
        expired_ms=int(plain["ret"]) if "ret" in plain else None,
        category=_category(plain.get("cat")),
        urgency=_urgency(plain.get("urg")),
        reopens=int(plain.get("reopens", b"0")),
        asked_ms=int(plain["asked"]) if "asked" in plain else None,
        satisfied={b"1": True, b"0": False}.get(plain.get("sat", b"")),
        desk_message=fields.get(b"m"),
        org=plain.get("org", b"").decode(),
        why_ms=int(plain["whyt"]) if "whyt" in plain else None,
    )


def _category(raw: bytes | None) -> Category | None:
    try:
        return Category(raw.decode()) if raw else None
    except ValueError:  # a category retired since: read as not categorised
        return None


def _urgency(raw: bytes | None) -> Urgency:
    try:
        return Urgency(raw.decode()) if raw else Urgency.NORMAL
    except ValueError:
        return Urgency.NORMAL
