"""From an organisation's pseudonyms back to the participants they name, on the server only.

A company names a response by the pseudonym it saw (an export, the API): tagging a theme on it
or linking a decision to it needs the participant behind it. No table from pseudonym to id is
kept for that — it would be one more thing to leak and to erase — so the campaign's
respondents are walked and each one's pseudonym computed (an HMAC each: about a second per
million respondents), stopping as soon as every pseudonym asked for is found. An erased
participant is no longer among the respondents, so their pseudonym names nobody.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import Redis

from bot.access.pseudonyms import Pseudonyms
from bot.storage.keys import KeySchema
from bot.storage.replies import text

SCAN_COUNT = 1000


async def participants_named(
    redis: Redis,
    schema: KeySchema,
    pseudonyms: Pseudonyms,
    campaign_id: str,
    wanted: Iterable[str],
) -> dict[str, str]:
    """pseudonym -> participant id, for those of `wanted` that name a respondent of the
    campaign (the others are left out)."""
    missing = set(wanted)
    found: dict[str, str] = {}
    for shard in range(schema.shards):
        if not missing:
            break
        async for member in redis.sscan_iter(
            schema.respondents(shard, campaign_id), count=SCAN_COUNT
        ):
            pid = text(member)
            pseudonym = pseudonyms.of(pid)
            if pseudonym in missing:
                found[pseudonym] = pid
                missing.discard(pseudonym)
                if not missing:
                    break
    return found
