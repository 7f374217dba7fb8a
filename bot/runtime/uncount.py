"""An erasure's result counters: each session of the participant is taken out of its campaign's
results as it is deleted (docs/keys.md, result counters).

One script per campaign (`uncount_results.lua`) does both at once, in place of the erasure's own
DEL of the session: a batch that a server refuses a script of runs again whole, so a session
deleted by a plain DEL on the first run would no longer be there to uncount on the second.
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

from bot.conversation.participants import ParticipantRecord
from bot.conversation.stored_sessions import decode_session
from bot.records.campaigns import CampaignStore
from bot.records.tally import VERSION, Tallied, contributions, tallied
from bot.storage import lua
from bot.storage.keys import KeySchema
from bot.storage.scripts import UNCOUNT_RESULTS
from dialogues import SessionFormatError, SurveyDefinitionError


async def uncount_erased(
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    pid: str,
    participant: ParticipantRecord,
    before: list[lua.BatchStep],
) -> None:
    """Put first in `before` (the erasure's steps) a script per session of the participant
    that takes it out of the result counters and deletes it, dropping the erasure's own DEL of
    it. One round trip to read the sessions, only for the rare event that erases."""
    joined = sorted({*participant.joined, *filter(None, [participant.campaign_id])})
    pipe = redis.pipeline(transaction=False)
    for campaign_id in joined:
        pipe.get(schema.session(pid, campaign_id))
    steps: list[lua.BatchStep] = []
    shard = schema.shard_of(pid)
    for campaign_id, raw in zip(joined, await pipe.execute(), strict=True):
        if not raw:
            continue
        survey = await _tallied(campaigns, campaign_id)
        try:
            session = decode_session(raw)
        except (SessionFormatError, ValueError):
            session = None  # the erasure goes through all the same; its counts stay
        taken = contributions(session, participant.channel, survey)
        pairs = [item for name, count in taken.items() for item in (name, -count)]
        if pairs:  # the results change: their version moves on
            pairs += [VERSION, 1]
        keys = [
            schema.session(pid, campaign_id),
            schema.counters(shard, campaign_id),
            schema.changed(shard, campaign_id),
        ]
        # The erasure waits for the next results snapshot like an answer, under a mark that
        # names nobody (the erased id is not kept).
        mark = f"-{secrets.token_hex(8)}"
        steps.append(lua.ScriptCall(UNCOUNT_RESULTS, keys, [pid, mark, *pairs]))
    scripted = {("DEL", step.keys[0]) for step in steps if isinstance(step, lua.ScriptCall)}
    kept = (s for s in before if isinstance(s, lua.ScriptCall) or s not in scripted)
    before[:] = [*steps, *kept]


async def _tallied(campaigns: CampaignStore, campaign_id: str) -> Tallied:
    """How the campaign counts; a campaign gone or unreadable keeps no scale or cross-tab
    counts of it (an erasure never fails for it)."""
    try:
        campaign = await campaigns.get(campaign_id)
    except SurveyDefinitionError:
        return Tallied()
    return tallied(campaign.survey) if campaign is not None else Tallied()
