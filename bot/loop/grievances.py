"""The grievance desk: cases participants raised (/feedback, or a concern about a decision),
moved by the company through received → under review → resolved / escalated (and reopened by
the participant, within the reopen time). The case itself (its fields, creation, reading) is
`bot.records.cases`.

Every step sends the participant a message in their language — the step, in Sauti's words,
plus what the company wrote — through the reply outbox (Telegram, WhatsApp) or their web chat
inbox. A resolution also asks whether they are satisfied, with buttons to answer or to reopen
the case. In shared-phone mode the message quotes nothing of the case: one neutral line and a
button that shows their cases ("my cases") on request. A step is one script on the case's
shard: it checks the case is still where the company saw it (two people at the desk cannot
both move it), records the step (with the category and urgency the desk set) and queues the
message, keyed by case and step so it is never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.channels.whatsapp.templates import NOTICE, SHARED
from bot.conversation.case_view import REOPEN, SATISFIED, UNSATISFIED, desk_message_aad
from bot.conversation.decisions.texts import say
from bot.conversation.decisions.values import text
from bot.conversation.inbound import Channel
from bot.conversation.inbox import INBOX_CAP, Notice, seal_notice
from bot.conversation.outgoing import SHARED_CONTINUE, MenuItem, Outgoing, TemplateHint
from bot.conversation.participants import hidden_since
from bot.privacy import ParticipantCrypto, encrypt_field
from bot.records.campaigns import CampaignStore
from bot.records.cases import NEXT, Case, CaseError, CaseStatus, Category, Urgency, find_case
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.settings.loop import DEFAULT_REOPEN_DAYS
from bot.storage.keys import KeySchema
from bot.storage.scripts import STEP_CASE


@dataclass(frozen=True, slots=True)
class StepNotice:
    """What a step tells the participant, and what it keeps for them to read again."""

    text: str
    menu: tuple[MenuItem, ...]
    asks: bool  # the satisfaction question goes with it


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
    # Days after a resolution within which they may reopen it (SAUTI_CASE_REOPEN_DAYS): with
    # none, a resolution offers no Reopen button.
    reopen_days: int = DEFAULT_REOPEN_DAYS

    async def step(
        self,
        case: Case,
        status: CaseStatus,
        message: str,
        now_ms: int,
        *,
        category: Category | None = None,
        urgency: Urgency | None = None,
    ) -> StepResult:
        """Move a case one step (setting its category and urgency when given) and tell the
        participant. Raises CaseError."""
        if status not in NEXT[case.status]:
            allowed = ", ".join(sorted(s.value for s in NEXT[case.status])) or "none (closed)"
            raise CaseError(
                f"case {case.reference} is {case.status.value}; it can become: {allowed}"
            )
        delivered: str
        args: list[Any]
        if not case.participant_id:
            # Retention removed who raised it: the step is recorded, no one can be told.
            delivered = "not sent: removed after the retention period"
            args = ["", INBOX_CAP, "", ""]
            # No inbox item goes (ARGV 5 is ''), no one is asked (ARGV 10 is ''): a key of
            # the case's slot stands in for their inbox and record.
            inbox = participant = self.schema.cases(case.shard)
        else:
            participant = self.schema.participant(case.participant_id)
            record: Any = await self.redis.hmget(
                participant, ["wk", "ch", "lang", "stop", "hid", "shp", "cid"]
            )
            delivered, args = await self._delivery(case, status, message.strip(), record, now_ms)
            inbox = self.schema.webchat_inbox(case.participant_id)
        set_category = category.value if category is not None else ""
        set_urgency = urgency.value if urgency is not None else ""
        inbox_args, delivery_args = args[:2], args[2:]
        steps = await STEP_CASE(
            self.redis,
            [
                self.schema.case(case.shard, case.reference),
                self.schema.outbox(case.shard, Priority.REPLY),
                inbox,
                participant,
            ],
            [
                case.status.value,
                str(case.steps),
                status.value,
                now_ms,
                *inbox_args,
                set_category,
                set_urgency,
                *delivery_args,
            ],
        )
        if steps == -1:
            raise CaseError(f"case {case.reference} was changed meanwhile; look at it again")
        moved = await find_case(self.redis, self.schema, case.reference)
        assert moved is not None
        return StepResult(moved, delivered)

    async def _delivery(
        self, case: Case, status: CaseStatus, message: str, record: Any, now_ms: int
    ) -> tuple[str, list[Any]]:
        """How the participant hears of the step: ARGV 5, 6 and 9.. of the step's script."""
        wrapped, channel_raw, language_raw, stop, hidden, chosen, current = record
        if wrapped is None or channel_raw is None:
            return "not sent: the participant was erased", ["", INBOX_CAP, "", ""]
        channel, language = text(channel_raw), text(language_raw or b"en")
        data_key = self.crypto.unwrap_data_key(wrapped)
        aad = desk_message_aad(case.participant_id, case.reference)
        kept = encrypt_field(data_key, message, aad) if message else ""
        # A phone others read: theirs by their choice, or by the campaign they take part in
        # now or raised the case in (the one they are in now may be run for shared phones).
        shared = chosen == b"1" or any(
            [await self._shared_phones(cid) for cid in (text(current or b""), case.campaign_id)]
        )
        notice = await self._notice(case, status, message, language, shared)
        asked = case.reference if notice.asks else ""
        if channel == Channel.WEBCHAT.value:
            told = Notice(notice.text, menu=notice.menu)
            sealed = seal_notice(told, case.participant_id, data_key)
            return "web chat inbox", [sealed, INBOX_CAP, kept, asked]
        if stop == b"1":
            return "not sent: the participant said stop", ["", INBOX_CAP, kept, ""]
        if hidden_since(hidden):  # a quick exit: nothing reaches their phone until they are back
            return "not sent: the participant left with a quick exit", ["", INBOX_CAP, kept, ""]
        key = f"g:{case.reference}:{case.steps + 1}"
        # Outside WhatsApp's 24-hour window (the usual case: the desk answers days later) only
        # a template goes: the notice's, carrying the text; its buttons are dropped there, a
        # typed yes or no still answers. In shared-phone mode one that names nothing: `shared`
        # where it has a button for this menu, else `shared_continue`.
        purpose, fallback = (SHARED, SHARED_CONTINUE) if shared else (NOTICE, None)
        hint = TemplateHint(purpose, fallback, language)
        outgoing = Outgoing(notice.text, menu=notice.menu, template=hint)
        entry = OutboxEntry(key, case.participant_id, channel, outgoing, now_ms)
        fields = seal(entry, self.crypto)
        outbox = [fields["k"], fields["pid"], fields["ch"], fields["t"], fields["body"]]
        return f"{channel} (reply outbox)", ["", INBOX_CAP, kept, asked, *outbox]

    async def _shared_phones(self, campaign_id: str) -> bool:
        campaign = await self.campaigns.get(campaign_id) if campaign_id else None
        return campaign is not None and campaign.survey.shared_phones

    async def _notice(
        self, case: Case, status: CaseStatus, message: str, language: str, shared: bool
    ) -> StepNotice:
        asks = status is CaseStatus.RESOLVED
        menu: tuple[MenuItem, ...] = ()
        if asks:
            menu = (
                MenuItem(say("grievance.button.yes", language), "satisfied", f"{SATISFIED}:"
                         f"{case.reference}"),
                MenuItem(say("grievance.button.no", language), "satisfied", f"{UNSATISFIED}:"
                         f"{case.reference}"),
            )  # fmt: skip
            if self.reopen_days > 0:
                menu += (
                    MenuItem(say("grievance.button.reopen", language), REOPEN, case.reference),
                )
        question = f"\n\n{say('grievance.satisfied', language)}" if asks else ""
        if shared:
            # A phone others read: nothing of the case, its organisation or the desk's words;
            # "Read" shows them their cases when they choose.
            read = MenuItem(say("grievance.button.read", language), "cases")
            line = say("grievance.shared", language, reference=case.reference)
            return StepNotice(line + question, (*menu, read), asks)
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
        said = f"{step}\n\n{message}" if message else step
        return StepNotice(said + question, menu, asks)
