"""Promises kept visible, and the loop-closure report of a campaign.

A campaign promises participants when it will report back (`report_back_by` in the survey).
Once that date has passed without a published decision, the campaign is overdue: the CLI and
the `sauti_loop_overdue_campaigns` metric say so.

The report, per campaign (and added up for an organisation): the share of contributors told
an outcome, the median days from a linked answer to its notice, the share of not (or partly)
adopted decisions that give their rationale in every language of the campaign, and the
reactions. Everything is a count: no
participant appears in it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.conversation.decisions.decision import DecisionDefinitionError
from bot.loop.ledger import DecisionLedger, StoredDecision
from bot.records.reactions import reaction_totals
from bot.records.retained import RETAINED_RESPONDENTS
from bot.records.suppression import suppress_count
from bot.storage.keys import KeySchema


@dataclass(frozen=True, slots=True)
class Promise:
    campaign_id: str
    report_back_by: dt.date | None
    published: int  # decisions with a published version
    overdue: bool


@dataclass
class LoopReport:
    campaign_id: str
    promise: Promise
    contributors: int
    told: int
    median_days: float | None
    decisions: list[StoredDecision]
    owing_rationale: int  # published decisions not (or partly) adopted
    with_rationale: int  # ... of which give it in every language of the campaign
    reactions: Counter[str] = field(default_factory=Counter)
    median_of: int = 0  # notices the median is taken over (people told, linked to an answer)
    days: Counter[int] = field(default_factory=Counter)  # days from answer to notice -> notices

    def median_shown(self, minimum: int) -> float | None:
        """The median days, withheld (None) when taken over fewer people than the minimum:
        with one person, it is that person's number of days."""
        if suppress_count(self.median_of, minimum).withheld:
            return None
        return self.median_days

    @property
    def told_share(self) -> float | None:
        return min(1.0, self.told / self.contributors) if self.contributors else None

    @property
    def rationale_share(self) -> float | None:
        return self.with_rationale / self.owing_rationale if self.owing_rationale else None


async def promise_of(ledger: DecisionLedger, campaign: Campaign, today: dt.date) -> Promise:
    published = await _published(ledger, campaign.id)
    due = campaign.survey.report_back_by
    overdue = due is not None and today > due and not published
    return Promise(campaign.id, due, len(published), overdue)


async def campaign_report(
    redis: Redis, schema: KeySchema, ledger: DecisionLedger, campaign: Campaign, today: dt.date
) -> LoopReport:
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.scard(schema.respondents(shard, campaign.id))
        # Respondents retention erased are counted there (their place in the set is gone).
        pipe.hget(schema.counters(shard, campaign.id), RETAINED_RESPONDENTS)
        pipe.hgetall(schema.loop_stats(shard, campaign.id))
    replies: list[Any] = await pipe.execute()
    contributors, told = 0, 0
    days: Counter[int] = Counter()
    for shard in range(schema.shards):
        contributors += int(replies[3 * shard]) + int(replies[3 * shard + 1] or 0)
        for name, value in replies[3 * shard + 2].items():
            label = name.decode()
            if label == "told":
                told += int(value)
            elif label.startswith("days:"):
                days[int(label[5:])] += int(value)
    published = await _published(ledger, campaign.id)
    owing = [s for s in published if s.decision.status.needs_rationale]
    languages = campaign.survey.languages
    complete = [
        s
        for s in owing
        if s.decision.rationale and all(lang in s.decision.rationale for lang in languages)
    ]
    reactions: Counter[str] = Counter()
    for stored in published:
        totals = await reaction_totals(redis, schema, stored.ref)
        reactions.update(
            helpful=totals.helpful, concerns=totals.concerns, more=totals.more,
            written=len(totals.concern_cases),
        )  # fmt: skip
    return LoopReport(
        campaign_id=campaign.id,
        promise=await promise_of(ledger, campaign, today),
        contributors=contributors,
        told=told,
        median_days=median(days),
        median_of=sum(days.values()),
        days=days,
        decisions=published,
        owing_rationale=len(owing),
        with_rationale=len(complete),
        reactions=reactions,
    )


def median(histogram: Counter[int]) -> float | None:
    """The median of values given as value -> count."""
    total = sum(histogram.values())
    if total == 0:
        return None
    ordered = sorted(histogram.items())
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value, count in ordered:
        while len(found) < 2 and middle[len(found)] < seen + count:
            found.append(value)
        seen += count
    return sum(found) / 2


async def _published(ledger: DecisionLedger, campaign_id: str) -> list[StoredDecision]:
    try:
        return await ledger.published(campaign_id)
    except DecisionDefinitionError:
        return []


def organisation_report(reports: list[LoopReport]) -> LoopReport:
    """The reports of an organisation's campaigns added up. Someone who answered two of its
    campaigns counts in each: a contributor is a contribution to a campaign."""
    days: Counter[int] = Counter()
    reactions: Counter[str] = Counter()
    for report in reports:
        days.update(report.days)
        reactions.update(report.reactions)
    promises = [report.promise for report in reports]
    return LoopReport(
        campaign_id="",
        promise=Promise(
            "",
            None,
            sum(promise.published for promise in promises),
            any(promise.overdue for promise in promises),
        ),
        contributors=sum(report.contributors for report in reports),
        told=sum(report.told for report in reports),
        median_days=median(days),
        decisions=[stored for report in reports for stored in report.decisions],
        owing_rationale=sum(report.owing_rationale for report in reports),
        with_rationale=sum(report.with_rationale for report in reports),
        reactions=reactions,
        median_of=sum(days.values()),
        days=days,
    )
