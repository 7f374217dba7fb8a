"""Inviting a panel segment to a campaign: the preview (who would be asked, who is left out and
why) and the sending, one shard and one batch at a time.

Per batch: load the members (bot.panels.members), keep those the segment names, decide on
each (bot.panels.eligibility), compose each invitation in the person's language, and hand the
batch to `invite.lua`, which writes each invitation at most once per person and campaign and
never over the budget, into the shard's bulk outbox (the sender paces it by the channels'
limits, claims each entry and never sends one twice) or, on the web chat, into their inbox.
A process killed at any point is simply run again: those invited are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.conversation.inbox import INBOX_CAP, Notice, seal_notice
from bot.loop.pacing import QuietHours
from bot.panels.eligibility import QUIET, Budget, Rules, exclusion, in_quiet_hours
from bot.panels.invitation import invitation_key, invitation_message
from bot.panels.members import Member, PanelReader, Scope
from bot.panels.profile import profile_questions
from bot.panels.segment import Segment
from bot.privacy import DecryptionError, ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.settings import Settings
from bot.storage.keys import KeySchema
from bot.storage.scripts import INVITE
from bot.time_zones import zone

DAY_MS = 24 * 3600 * 1000
KEEP_MS = 366 * DAY_MS  # an invitations hash outlives the longest budget window: a year
# What invite.lua answers per item.
_OUTCOMES = {
    b"i": "",
    b"a": "already_invited",
    b"o": "over_budget",
    b"e": "erased",
    b"s": "opted_out",
    b"c": "no_consent",
}


@dataclass(frozen=True)
class InviteConfig:
    budget: Budget
    quiet: QuietHours | None
    default_zone: dt.tzinfo
    batch: int = 500


@dataclass
class InvitationCounts:
    """Panel members of a segment, and what became (or would become) of each."""

    members: int = 0  # in the segment (and the erased, whose segment cannot be known)
    invited: Counter[tuple[str, str]] = field(default_factory=Counter)  # (language, channel)
    excluded: Counter[str] = field(default_factory=Counter)  # reason -> people
    held: int = 0  # in their quiet hours now: a later run invites them

    @property
    def invited_total(self) -> int:
        return sum(self.invited.values())


@dataclass(frozen=True, slots=True)
class _Decided:
    member: Member
    outcome: str  # "" invite, QUIET held, else the exclusion


class Inviter:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        campaigns: CampaignStore,
        crypto: ParticipantCrypto,
        config: InviteConfig,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._campaigns = campaigns
        self._crypto = crypto
        self._config = config
        self._reader = PanelReader(redis, schema)

    @property
    def batch(self) -> int:
        """Members loaded per round trip (SAUTI_INVITE_BATCH)."""
        return self._config.batch

    async def scope(self, org: str) -> Scope:
        """The organisation's campaigns, their profile questions and the open campaigns."""
        ids = await self._campaigns.ids(org)
        surveys = [c.survey for c in [await self._campaigns.get(i) for i in ids] if c]
        opened = frozenset(c.id for c in await self._campaigns.open_campaigns())
        return Scope(tuple(ids), profile_questions(surveys), opened)

    async def preview(self, campaign: Campaign, segment: Segment, now_ms: int) -> InvitationCounts:
        """What inviting now would do, writing nothing."""
        return await self._walk(campaign, segment, now_ms, send=False)

    async def send(
        self,
        campaign: Campaign,
        segment: Segment,
        now_ms: int,
        *,
        after_batch: Callable[[InvitationCounts], Awaitable[None]] | None = None,
    ) -> InvitationCounts:
        """Invite the segment now; `after_batch` runs after each committed batch (progress)."""
        return await self._walk(campaign, segment, now_ms, send=True, after_batch=after_batch)

    async def _walk(
        self,
        campaign: Campaign,
        segment: Segment,
        now_ms: int,
        *,
        send: bool,
        after_batch: Callable[[InvitationCounts], Awaitable[None]] | None = None,
    ) -> InvitationCounts:
        scope = await self.scope(campaign.org)
        rules = self._rules(campaign, now_ms)
        counts = InvitationCounts()
        batch = self._config.batch
        for shard in range(self._schema.shards):
            pids = await self._reader.shard_members(shard, scope)
            for start in range(0, len(pids), batch):
                members = await self._reader.load(pids[start : start + batch], scope)
                decided = [d for m in members if (d := _decide(m, segment, rules))]
                if send:
                    await self._commit(campaign, shard, decided, rules, counts)
                    if after_batch is not None:
                        await after_batch(counts)
                else:
                    _tally(decided, counts)
        return counts

    def _rules(self, campaign: Campaign, now_ms: int) -> Rules:
        config = self._config
        return Rules(
            campaign_id=campaign.id,
            now_ms=now_ms,
            budget=config.budget,
            quiet=config.quiet,
            default_zone=config.default_zone,
            languages=frozenset(campaign.survey.languages),
        )

    async def _commit(
        self,
        campaign: Campaign,
        shard: int,
        decided: list[_Decided],
        rules: Rules,
        counts: InvitationCounts,
    ) -> None:
        _tally([d for d in decided if d.outcome], counts)
        ready: list[tuple[Member, bytes]] = []
        for item in decided:
            if item.outcome:
                continue
            body = self._body(campaign, item.member, rules.now_ms)
            if body is None:  # their key is gone: erased since the batch was loaded
                _tally([_Decided(item.member, "erased")], counts)
            else:
                ready.append((item.member, body))
        if not ready:
            return
        prefixes = self._schema.participant_prefixes(shard, campaign.id)
        args: list[Any] = [
            prefixes["p"],
            prefixes["iv"],
            campaign.id,
            rules.now_ms,
            rules.budget.window_ms,
            rules.budget.limit,
            KEEP_MS,
            prefixes["wc"],
            INBOX_CAP,
        ]
        for member, body in ready:
            assert member.record is not None
            key = invitation_key(campaign.id, member.pid)
            args += [member.pid, key, member.record.channel, body]
        reply: Any = await INVITE(self._redis, [self._schema.outbox(shard, Priority.BULK)], args)
        for (member, _), outcome in zip(ready, reply, strict=True):
            code = outcome if isinstance(outcome, bytes) else str(outcome).encode()
            _tally([_Decided(member, _OUTCOMES[code])], counts)

    def _body(self, campaign: Campaign, member: Member, now_ms: int) -> bytes | None:
        """The sealed invitation: the outbox entry's body, or on the web chat the inbox item
        sealed with their own key (None when that key is gone: erased meanwhile)."""
        record = member.record
        if record is None:
            return None
        message = invitation_message(campaign, record.language, record.channel)
        if record.channel == "webchat":
            try:
                key = self._crypto.unwrap_data_key(record.wrapped_key)
            except DecryptionError:
                return None
            return seal_notice(Notice(message.text, menu=message.menu), member.pid, key)
        entry = OutboxEntry(
            invitation_key(campaign.id, member.pid), member.pid, record.channel, message, now_ms
        )
        body = seal(entry, self._crypto)["body"]
        assert isinstance(body, bytes)
        return body


def _decide(member: Member, segment: Segment, rules: Rules) -> _Decided | None:
    """What becomes of one member; None when the segment does not name them."""
    if member.record is None or member.profile is None:
        return _Decided(member, "erased")
    if not segment.matches(member.profile):
        return None
    reason = exclusion(member, rules)
    if reason is not None:
        return _Decided(member, reason)
    return _Decided(member, QUIET if in_quiet_hours(member, rules) else "")


def _tally(decided: list[_Decided], counts: InvitationCounts) -> None:
    for item in decided:
        counts.members += 1
        record = item.member.record
        if item.outcome == QUIET:
            counts.held += 1
        elif item.outcome:
            counts.excluded[item.outcome] += 1
        elif record is not None:
            counts.invited[(record.language, record.channel)] += 1


def configured_inviter(
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    crypto: ParticipantCrypto,
    settings: Settings,
) -> Inviter:
    """The inviter as the settings configure it: the budget, and the loop's quiet hours and
    time zone (one notion of night for everything Sauti pushes)."""
    panels, loop = settings.panels, settings.loop
    config = InviteConfig(
        budget=Budget(panels.invitation_budget, panels.invitation_budget_days * DAY_MS),
        quiet=QuietHours.parse(loop.quiet_hours) if loop.quiet_hours else None,
        default_zone=zone(loop.timezone),
        batch=panels.invite_batch,
    )
    return Inviter(redis, schema, campaigns, crypto, config)
