"""The grievance desk: cases participants raised (/feedback, or a concern about a decision),
moved by the company through received → under review → resolved / escalated.

Every step sends the participant a message in their language — the step, in Sauti's words,
plus what the company wrote — through the reply outbox (Telegram, WhatsApp) or their web chat
inbox. A step is one script on the case's shard: it checks the case is still where the company
saw it (two people at the desk cannot both move it), records the step and queues the message,
keyed by case and step so it is never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.decision import LoopError
from bot.conversation.decisions.texts import say
from bot.conversation.decisions.values import text
from bot.conversation.inbound import Channel
from bot.conversation.inbox import INBOX_CAP, Notice, seal_notice
from bot.conversation.outgoing import Outgoing
from bot.conversation.turns import DAY_MS
from bot.privacy import DecryptionError, ParticipantCrypto, ParticipantId, decrypt_field, field_aad
from bot.records.campaigns import CampaignStore
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.settings.loop import DEFAULT_RESPONSE_DAYS
from bot.storage.keys import KeySchema
from bot.storage.scripts import STEP_CASE


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

    def overdue(self, now_ms: int) -> bool:
        return self.status.open and now_ms > self.due_ms


@dataclass(frozen=True, slots=True)
class StepResult:
    case: Case
    delivered: str  # how the participant hears of it: outbox, inbox, or why not


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
    """What the participant wrote, or None once they were erased (their key is gone)."""
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


@dataclass(frozen=True)
class Desk:
    redis: Redis
    schema: KeySchema
    campaigns: CampaignStore
    crypto: ParticipantCrypto

    async def step(self, case: Case, status: CaseStatus, message: str, now_ms: int) -> StepResult:
        """Move a case one step and tell the participant. Raises CaseError."""
        if status not in NEXT[case.status]:
            allowed = ", ".join(sorted(s.value for s in NEXT[case.status])) or "none (closed)"
            raise CaseError(
                f"case {case.reference} is {case.status.value}; it can become: {allowed}"
            )
        record: Any = await self.redis.hmget(
            self.schema.participant(case.participant_id), ["wk", "ch", "lang", "stop"]
        )
        delivered, args = await self._delivery(case, status, message.strip(), record, now_ms)
        steps = await STEP_CASE(
            self.redis,
            [
                self.schema.case(case.shard, case.reference),
                self.schema.outbox(case.shard, Priority.REPLY),
                self.schema.webchat_inbox(case.participant_id),
            ],
            [case.status.value, str(case.steps), status.value, now_ms, *args],
        )
        if steps == -1:
            raise CaseError(f"case {case.reference} was changed meanwhile; look at it again")
        moved = await find_case(self.redis, self.schema, case.reference)
        assert moved is not None
        return StepResult(moved, delivered)

    async def _delivery(
        self, case: Case, status: CaseStatus, message: str, record: Any, now_ms: int
    ) -> tuple[str, list[Any]]:
        wrapped, channel_raw, language_raw, stop = record
        if wrapped is None or channel_raw is None:
            return "not sent: the participant was erased", ["", INBOX_CAP]
        channel, language = text(channel_raw), text(language_raw or b"en")
        notice = await self._notice(case, status, message, language)
        if channel == Channel.WEBCHAT.value:
            data_key = self.crypto.unwrap_data_key(wrapped)
            sealed = seal_notice(Notice(notice), case.participant_id, data_key)
            return "web chat inbox", [sealed, INBOX_CAP]
        if stop == b"1":
            return "not sent: the participant said stop", ["", INBOX_CAP]
        key = f"g:{case.reference}:{case.steps + 1}"
        entry = OutboxEntry(key, case.participant_id, channel, Outgoing(notice), now_ms)
        fields = seal(entry, self.crypto)
        outbox = [fields["k"], fields["pid"], fields["ch"], fields["t"], fields["body"]]
        return f"{channel} (reply outbox)", ["", INBOX_CAP, *outbox]

    async def _notice(self, case: Case, status: CaseStatus, message: str, language: str) -> str:
        campaign = await self.campaigns.get(case.campaign_id) if case.campaign_id else None
        if campaign is not None:
            organisation = campaign.survey.text(campaign.survey.organisation, language)
        else:
            organisation = say("grievance.team", language)
        step = say(
            f"grievance.{status.value}",
            language,
            reference=case.reference,
            organisation=organisation,
        )
        return f"{step}\n\n{message}" if message else step


def _case(reference: str, shard: int, fields: dict[bytes, bytes]) -> Case:
    plain = {k.decode(): v for k, v in fields.items() if k != b"x"}
    history = sorted(
        (int(name[2:]), value.decode()) for name, value in plain.items() if name.startswith("h:")
    )
    created_ms = int(plain.get("t", b"0"))
    return Case(
        reference=reference,
        shard=shard,
        participant_id=plain["pid"].decode(),
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
    )
