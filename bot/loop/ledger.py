"""The decisions ledger in Redis: every version of every decision, as the file it came from.

Loading a file that differs from the latest version makes a new version (versions are never
changed or deleted: what participants were told stays on record); loading the same file again
changes nothing. Like campaigns, the source is kept and parsed on use, against the campaign's
current survey.

Each decision has a short reference (8 characters of a hash of campaign and decision id) that
fits in a button payload: participants' reactions carry it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.access.pseudonyms import PSEUDONYM, Pseudonyms
from bot.conversation.decisions.decision import (
    Decision,
    DecisionDefinitionError,
    LoopError,
    ResponseRef,
    campaign_of,
    parse_decision,
)
from bot.conversation.decisions.values import optional_text
from bot.conversation.decisions.values import text as _text
from bot.records.campaigns import CampaignStore
from bot.records.pseudonym_lookup import participants_named
from bot.storage.keys import KeySchema
from bot.storage.scripts import ADD_DECISION_VERSION
from dialogues.errors import Problem
from dialogues.problem_codes import ProblemCode

# How long a decision's pseudonyms, once looked up, name the same participants in this process:
# an erasure takes effect in the loop within this time.
NAMED_FOR_SECONDS = 60.0

# An organisation's pseudonyms, by its slug: how a decision's response ids (the pseudonyms the
# company saw) are turned into the participants they name.
PseudonymsOf = Callable[[str], Awaitable[Pseudonyms]]


class RefCollisionError(LoopError):
    """Two decisions hash to one reference (about one in a trillion): rename one of them."""


@dataclass(frozen=True, slots=True)
class StoredDecision:
    decision: Decision
    version: int
    ref: str
    created_ms: int
    published_version: int  # the latest version a publication was started for (0: none)

    @property
    def campaign_id(self) -> str:
        return self.decision.campaign_id

    @property
    def id(self) -> str:
        return self.decision.id


def decision_ref(campaign_id: str, decision_id: str) -> str:
    digest = hashlib.sha256(f"sauti/decision/{campaign_id}/{decision_id}".encode()).digest()
    return base64.b32encode(digest).decode()[:8].lower()


class DecisionLedger:
    """`pseudonyms` is needed only to load files that link responses by pseudonym (the
    worker's ledger only reads)."""

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
        self._pseudonyms = pseudonyms
        # (campaign, decision, pseudonyms) -> (when looked up, pseudonym -> participant id)
        self._named: dict[tuple[str, str, frozenset[str]], tuple[float, dict[str, str]]] = {}
        self._parsed: dict[tuple[str, str], Decision] = {}  # (survey revision, source)

    async def check(self, source: str) -> Decision:
        """Parse a decision file against its campaign. Raises DecisionDefinitionError."""
        campaign_id = campaign_of(source)
        campaign = await self._campaigns.get(campaign_id) if campaign_id else None
        if campaign_id is None:
            raise DecisionDefinitionError(
                [
                    Problem(
                        "campaign",
                        "'campaign' is required",
                        code=ProblemCode.REQUIRED_KEY,
                        params={"key": "campaign"},
                    )
                ]
            )
        return parse_decision(source, campaign.survey if campaign is not None else None)

    async def load(self, source: str, now_ms: int) -> tuple[StoredDecision, bool]:
        """Store a decision file (checked first); True when it made a new version. Response
        ids that name nobody among the campaign's respondents are refused."""
        decision = await self.check(source)
        await self._participants_named(decision)  # every pseudonym must name a respondent
        ref = decision_ref(decision.campaign_id, decision.id)
        owner = f"{decision.campaign_id}/{decision.id}"
        await self._redis.hsetnx(self._schema.decision_refs, ref, owner)
        if optional_text(await self._redis.hget(self._schema.decision_refs, ref)) != owner:
            raise RefCollisionError(f"decision '{decision.id}' shares its reference; rename it")
        key = self._schema.decision(decision.campaign_id, decision.id)
        version, new = await ADD_DECISION_VERSION(self._redis, [key], [source, now_ms])
        await self._redis.hset(key, "ref", ref)
        await self._redis.sadd(self._schema.decisions(decision.campaign_id), decision.id)
        stored = await self.get(decision.campaign_id, decision.id, int(version))
        assert stored is not None
        return stored, bool(new)

    async def get(
        self, campaign_id: str, decision_id: str, version: int | None = None
    ) -> StoredDecision | None:
        """A version (default: the latest) of a decision, or None. Raises
        DecisionDefinitionError when the stored file no longer fits the campaign's survey."""
        key = self._schema.decision(campaign_id, decision_id)
        latest, published = await self._redis.hmget(key, ["latest", "pub"])
        if latest is None:
            return None
        number = version if version is not None else int(latest)
        source, created = await self._redis.hmget(key, [f"src:{number}", f"at:{number}"])
        if source is None:
            return None
        decision = await self._with_participants(await self._parse(campaign_id, _text(source)))
        return StoredDecision(
            decision,
            number,
            decision_ref(campaign_id, decision_id),
            int(created or 0),
            int(published or 0),
        )

    async def source(self, campaign_id: str, decision_id: str, version: int) -> str | None:
        raw = await self._redis.hget(
            self._schema.decision(campaign_id, decision_id), f"src:{version}"
        )
        return _text(raw) if raw is not None else None

    async def ids(self, campaign_id: str) -> list[str]:
        members: Any = await self._redis.smembers(self._schema.decisions(campaign_id))
        return sorted(_text(member) for member in members)

    async def by_ref(self, ref: str) -> tuple[str, str] | None:
        owner = await self._redis.hget(self._schema.decision_refs, ref)
        if owner is None:
            return None
        campaign_id, _, decision_id = _text(owner).partition("/")
        return campaign_id, decision_id

    async def published(self, campaign_id: str) -> list[StoredDecision]:
        """The latest published version of each decision of a campaign that has one."""
        found = []
        for decision_id in await self.ids(campaign_id):
            key = self._schema.decision(campaign_id, decision_id)
            published = await self._redis.hget(key, "pub")
            if published is None:
                continue
            try:
                stored = await self.get(campaign_id, decision_id, int(published))
            except DecisionDefinitionError:
                continue  # no longer fits the survey: `sauti decision list` says so
            if stored is not None:
                found.append(stored)
        return found

    async def mark_published(self, campaign_id: str, decision_id: str, version: int) -> None:
        await self._redis.hset(self._schema.decision(campaign_id, decision_id), "pub", version)

    async def _with_participants(self, decision: Decision) -> Decision:
        """The decision with its response ids naming participants (the loop works on ids).

        The pseudonyms are looked up among the campaign's respondents each time (at most once a
        minute per decision and process), never stored: an erased participant is no longer a
        respondent, so their pseudonym names nobody from then on, and nothing outside their own
        keys links the pseudonym to them. A ledger without pseudonyms (none given) leaves them
        naming nobody."""
        wanted = {r.participant_id for r in decision.responses if PSEUDONYM.match(r.participant_id)}
        if not wanted or self._pseudonyms is None:
            return decision
        cache_key = (decision.campaign_id, decision.id, frozenset(wanted))
        cached = self._named.get(cache_key)
        now = time.monotonic()
        if cached is None or now - cached[0] > NAMED_FOR_SECONDS:
            cached = (now, await self._look_up(decision, wanted))
            self._named[cache_key] = cached
        named = cached[1]
        responses = tuple(
            ResponseRef(named.get(r.participant_id, r.participant_id), r.question_id)
            for r in decision.responses
        )
        return dataclasses.replace(decision, responses=responses)

    async def _look_up(self, decision: Decision, wanted: set[str]) -> dict[str, str]:
        campaign = await self._campaigns.get(decision.campaign_id)
        if campaign is None or self._pseudonyms is None:
            return {}
        pseudonyms = await self._pseudonyms(campaign.org)
        return await participants_named(self._redis, self._schema, pseudonyms, campaign.id, wanted)

    async def _participants_named(self, decision: Decision) -> dict[str, str]:
        """pseudonym -> participant id for the decision's response ids given as pseudonyms;
        DecisionDefinitionError naming each that names no respondent."""
        wanted = {r.participant_id for r in decision.responses if PSEUDONYM.match(r.participant_id)}
        if not wanted:
            return {}
        campaign = await self._campaigns.get(decision.campaign_id)
        if campaign is None or self._pseudonyms is None:
            raise DecisionDefinitionError(
                [
                    Problem(
                        "linked_to.responses",
                        "response ids cannot be looked up here",
                        code=ProblemCode.RESPONSES_NOT_HERE,
                    )
                ]
            )
        pseudonyms = await self._pseudonyms(campaign.org)
        named = await participants_named(self._redis, self._schema, pseudonyms, campaign.id, wanted)
        unknown = sorted(wanted - named.keys())
        if unknown:
            raise DecisionDefinitionError(
                [
                    Problem(
                        "linked_to.responses",
                        f"'{pseudonym}' names no respondent of '{campaign.id}' (erased, or "
                        "from another campaign)",
                        code=ProblemCode.NAMES_NO_RESPONDENT,
                        params={"response": pseudonym, "campaign": campaign.id},
                    )
                    for pseudonym in unknown
                ]
            )
        return named

    async def _parse(self, campaign_id: str, source: str) -> Decision:
        campaign = await self._campaigns.get(campaign_id)
        revision = campaign.survey.revision if campaign is not None else ""
        cached = self._parsed.get((revision, source))
        if cached is None:
            cached = parse_decision(source, campaign.survey if campaign is not None else None)
            self._parsed[(revision, source)] = cached
        return cached
