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
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

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
from bot.settings.loop import DEFAULT_RESPONSE_DAYS
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import CREATE_CASE


class CaseStatus(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    ESCALATED = "escalated"

    @property
    def open(self) -> bool:
        """Still owed an answer: counts towards the response time."""
        return self in (CaseStatus.RECEIVED, CaseStatus.UNDER_REVIEW)


NEXT: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.RECEIVED: frozenset(
        {CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED, CaseStatus.ESCALATED}
    ),
    CaseStatus.UNDER_REVIEW: frozenset({CaseStatus.RESOLVED, CaseStatus.ESCALATED}),
    CaseStatus.ESCALATED: frozenset({CaseStatus.UNDER_REVIEW, CaseStatus.RESOLVED}),
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
    steps: list[BatchStep] = [
        # Created only if it does not exist: a replay may meet a case the desk moved on.
        ScriptCall(CREATE_CASE, [schema.case(shard, case.reference)], fields),
        ("ZADD", schema.cases(shard), "NX", case.created_ms, case.reference),
    ]
    if case.decision_ref is not None:
        concerns = schema.concerns(shard, case.decision_ref)
        steps.append(("ZADD", concerns, "NX", case.created_ms, case.reference))
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
        _case(reference, shard, fields)
        for (shard, reference), fields in zip(wanted, await pipe.execute(), strict=True)
        if fields
    ]
    return sorted(cases, key=lambda case: case.created_ms)


async def find_case(redis: Redis, schema: KeySchema, reference: str) -> Case | None:
    """A case by its reference (F-… or C-…): the reference does not say its shard."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.case(shard, reference.strip().upper()))
    for shard, fields in enumerate(await pipe.execute()):
        if fields:
            return _case(reference.strip().upper(), shard, fields)
    return None


async def case_text(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, case: Case
) -> str | None:
    """What the participant wrote, or None once they were erased (their key is gone) or the
    campaign's retention removed it."""
    if not case.participant_id:
        return None
    sealed, wrapped = await _sealed_and_key(redis, schema, case)
    if sealed is None or wrapped is None:
        return None
    try:
        data_key = crypto.unwrap_data_key(wrapped)
        aad = field_aad(ParticipantId(case.participant_id), f"case:{case.reference}")
        return decrypt_field(data_key, sealed, aad)
    except DecryptionError:
        return None


async def _sealed_and_key(redis: Redis, schema: KeySchema, case: Case) -> tuple[Any, Any]:
    sealed = await redis.hget(schema.case(case.shard, case.reference), "x")
    wrapped = await redis.hget(schema.participant(case.participant_id), "wk")
    return sealed, wrapped


def _case(reference: str, shard: int, fields: dict[bytes, bytes]) -> Case:
    plain = {k.decode(): v for k, v in fields.items() if k != b"x"}
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
    )
