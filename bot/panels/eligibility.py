"""Whether a panel member may be invited to a campaign now, and if not, why. Pure: the caller
passes the clock, the budget and the quiet hours.

The reasons, in the order they are checked (a person is counted under the first that holds):
erased, no re-contact consent (none, a no, or a yes to an older text), opted out (/stop),
unreachable (blocked Sauti), hidden (a quick exit), already invited to this campaign, already
in it, another survey of theirs unfinished, over the invitation budget, the survey not in
their language; then, not excluded but held for a later run: in their quiet hours now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.conversation.consents import may_contact_again
from bot.loop.pacing import QuietHours, is_quiet
from bot.panels.members import Member
from bot.time_zones import zone_or

EXCLUSIONS = (
    "erased",
    "no_consent",
    "opted_out",
    "unreachable",
    "hidden",
    "already_invited",
    "already_joined",
    "unfinished",
    "over_budget",
    "not_in_their_language",
)
QUIET = "quiet_hours"  # held, not excluded: a later run invites them


@dataclass(frozen=True, slots=True)
class Budget:
    """At most `limit` invitations per person in any `window_ms`, across campaigns."""

    limit: int
    window_ms: int

    def spent(self, invited: dict[str, int] | None, now_ms: int) -> bool:
        recent = sum(1 for at in (invited or {}).values() if at > now_ms - self.window_ms)
        return recent >= self.limit


@dataclass(frozen=True, slots=True)
class Rules:
    campaign_id: str
    now_ms: int
    budget: Budget
    quiet: QuietHours | None
    default_zone: dt.tzinfo  # for people who never told their time zone
    languages: frozenset[str]  # the campaign's survey's


def exclusion(member: Member, rules: Rules) -> str | None:
    """The first reason `member` may not be invited to the campaign, or None."""
    record = member.record
    if record is None:
        return "erased"
    if not may_contact_again(record.consents):
        return "no_consent"
    if record.opted_out:
        return "opted_out"
    if record.unreachable:
        return "unreachable"
    if record.hidden:
        return "hidden"
    if rules.campaign_id in member.invited:
        return "already_invited"
    if rules.campaign_id in record.joined or record.campaign_id == rules.campaign_id:
        return "already_joined"
    if member.unfinished:
        return "unfinished"
    if rules.budget.spent(dict(member.invited), rules.now_ms):
        return "over_budget"
    if record.language not in rules.languages:  # a survey they could not read
        return "not_in_their_language"
    return None


def in_quiet_hours(member: Member, rules: Rules) -> bool:
    """Whether it is night (quiet hours) where the member is now: web chat waits in an inbox
    the person opens, so only pushed channels count."""
    record = member.record
    if record is None or record.channel == "webchat":
        return False
    local = zone_or(record.time_zone, rules.default_zone)
    return is_quiet(rules.now_ms, local, rules.quiet)
