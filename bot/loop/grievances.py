"""The grievance desk: cases participants raised (/feedback, or a concern about a decision),
moved by the company through received → under review → resolved / escalated. The case itself
(its fields, creation, reading) is `bot.records.cases`.

Every step sends the participant a message in their language — the step, in Sauti's words,
plus what the company wrote — through the reply outbox (Telegram, WhatsApp) or their web chat
inbox. A step is one script on the case's shard: it checks the case is still where the company
saw it (two people at the desk cannot both move it), records the step and queues the message,
keyed by case and step so it is never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.texts import say
from bot.conversation.decisions.values import text
from bot.conversation.inbound import Channel
from bot.conversation.inbox import INBOX_CAP, Notice, seal_notice
from bot.conversation.outgoing import Outgoing
from bot.conversation.participants import hidden_since
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.records.cases import NEXT, Case, CaseError, CaseStatus, find_case
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.storage.keys import KeySchema
from bot.storage.scripts import STEP_CASE


@dataclass(frozen=True, slots=True)
class StepResult:
    case: Case
    delivered: str  # how the participant hears of it: outbox, inbox, or why not


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
        delivered: str
        args: list[Any]
        if not case.participant_id:
            # Retention removed who raised it: the step is recorded, no one can be told.
            delivered, args = "not sent: removed after the retention period", ["", INBOX_CAP]
            # No inbox item goes (ARGV 5 is ''): a key of the case's slot stands in for it.
            inbox = self.schema.cases(case.shard)
        else:
            record: Any = await self.redis.hmget(
                self.schema.participant(case.participant_id), ["wk", "ch", "lang", "stop", "hid"]
            )
            delivered, args = await self._delivery(case, status, message.strip(), record, now_ms)
            inbox = self.schema.webchat_inbox(case.participant_id)
        steps = await STEP_CASE(
            self.redis,
            [
                self.schema.case(case.shard, case.reference),
                self.schema.outbox(case.shard, Priority.REPLY),
                inbox,
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
        wrapped, channel_raw, language_raw, stop, hidden = record
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
        if hidden_since(hidden):  # a quick exit: nothing reaches their phone until they are back
            return "not sent: the participant left with a quick exit", ["", INBOX_CAP]
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
