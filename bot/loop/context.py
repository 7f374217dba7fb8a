"""What the worker loads for loop closure before a turn: only for events that need it (a
reaction, a written concern, "my data"), so ordinary answers cost nothing extra."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.decision import DecisionDefinitionError
from bot.conversation.decisions.reaction import REACT
from bot.conversation.decisions.rules import evaluate, facts_from_stored
from bot.conversation.decisions.told import told_version
from bot.conversation.decisions.view import DecisionInContext, LoopView
from bot.conversation.inbound import Command, InboundEvent
from bot.conversation.participants import ParticipantRecord, Stage
from bot.loop.ledger import DecisionLedger, PseudonymsOf, StoredDecision
from bot.records.campaigns import CampaignStore
from bot.storage.keys import KeySchema


class LoopContextLoader:
    """`pseudonyms`: how decisions that name responses by pseudonym find their participants
    (without it, such responses name nobody)."""

    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        campaigns: CampaignStore,
        pseudonyms: PseudonymsOf | None = None,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._campaigns = campaigns
        self.ledger = DecisionLedger(redis, schema, campaigns, pseudonyms)

    async def view_for(
        self,
        event: InboundEvent,
        participant: ParticipantRecord | None,
        answers: Mapping[tuple[str, str], Mapping[bytes, bytes]],
    ) -> LoopView | None:
        """The decisions this event needs, or None (no Redis call) when it needs none.
        `answers`: the stored answers the worker loaded for "my data"."""
        if participant is None:
            return None
        action = event.action
        refs = []
        if isinstance(action, Command) and action.name == REACT:
            refs.append(action.argument.partition(":")[2])
        if participant.stage is Stage.CONCERN and participant.topic:
            refs.append(participant.topic)
        linked: tuple[DecisionInContext, ...] = ()
        if action == Command("mydata"):
            linked = await self._linked(participant, answers)
        if refs:
            refs = await self._told(participant.participant_id, refs)
        if not refs and not linked:
            return None
        return LoopView(await self._by_ref(refs), linked)

    async def _told(self, pid: str, refs: list[str]) -> list[str]:
        """The decisions among `refs` they were told of: a button (or a forged form) naming
        any other decision counts for nothing."""
        fields = [f"d:{ref}" for ref in refs]
        records: Any = await self._redis.hmget(self._schema.told(pid), fields)
        return [ref for ref, record in zip(refs, records, strict=True) if told_version(record)]

    async def _by_ref(self, refs: list[str]) -> dict[str, DecisionInContext]:
        found = {}
        for ref in refs:
            owner = await self.ledger.by_ref(ref) if ref else None
            if owner is None:
                continue
            published = [s for s in await self.ledger.published(owner[0]) if s.id == owner[1]]
            context = await self._in_context(published[0]) if published else None
            if context is not None:
                found[ref] = context
        return found

    async def _linked(
        self,
        participant: ParticipantRecord,
        answers: Mapping[tuple[str, str], Mapping[bytes, bytes]],
    ) -> tuple[DecisionInContext, ...]:
        """Published decisions whose rule matches their answers, that name them, or that
        they were told about."""
        pid = participant.participant_id
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(self._schema.told(pid))
        for campaign_id in participant.joined:
            pipe.hgetall(self._schema.themes(pid, campaign_id))
        told, *themes = await pipe.execute()
        told_refs = {name.decode()[2:] for name in told if name.startswith(b"d:")}
        linked = []
        for campaign_id, tags in zip(participant.joined, themes, strict=True):
            facts = facts_from_stored(answers.get((pid, campaign_id), {}), tags)
            for stored in await self._published(campaign_id):
                decision = stored.decision
                named = any(r.participant_id == pid for r in decision.responses)
                matched = decision.rule is not None and evaluate(decision.rule, facts)[0]
                if stored.ref in told_refs or named or matched:
                    context = await self._in_context(stored)
                    if context is not None:
                        linked.append(context)
        return tuple(linked)

    async def _published(self, campaign_id: str) -> list[StoredDecision]:
        try:
            return await self.ledger.published(campaign_id)
        except DecisionDefinitionError:
            return []

    async def _in_context(self, stored: StoredDecision) -> DecisionInContext | None:
        campaign: Any = await self._campaigns.get(stored.campaign_id)
        if campaign is None:
            return None
        return DecisionInContext(stored.decision, campaign.survey, campaign.org)
