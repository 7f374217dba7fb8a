"""An erasure's web chat recovery codes: their index keys (`KeySchema.webchat_recovery`, one
slot each, outside the participant's shard) are deleted before the erasure commits.

Before, not after: were the worker to stop between the two, the replayed erasure still finds
the record and its codes; deleting an index first is harmless, as a code only ever opens the
record that lists it. The script also stops new codes from being added until the record is
gone (webchat_forget_codes.lua), so none slips in between.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.scripts import WEBCHAT_FORGET_CODES


async def forget_recovery_codes(redis: Redis, schema: KeySchema, pid: str) -> None:
    """Delete the index keys of the participant's recovery codes (one round trip each way,
    only for the rare event that erases a web chat participant)."""
    digests: Any = await WEBCHAT_FORGET_CODES(redis, [schema.participant(pid)], [])
    for digest in digests or ():
        value = digest.decode() if isinstance(digest, bytes) else str(digest)
        await redis.delete(schema.webchat_recovery(value))
