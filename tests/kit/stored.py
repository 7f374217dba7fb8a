"""What a running Sauti stored, read back from Redis for a test to check."""

from __future__ import annotations

import base64
import json
from typing import Any

from redis.asyncio import Redis

from bot.conversation.stored_answers import StoredAnswer, read_answers
from bot.conversation.stored_sessions import decode_session
from bot.records.tally import is_result_field
from bot.storage.keys import KeySchema
from dialogues import to_dict
from tests.kit.example import CAMPAIGN


async def answers(
    redis: Redis, schema: KeySchema, pid: str, campaign: str = CAMPAIGN
) -> dict[str, dict[str, Any]]:
    """A participant's recorded answers, by question id, as plain dicts: outcome `o`, time `t`
    (epoch s), value `v` (a list for several options) or the sealed free text `x`."""
    raw: Any = await redis.hgetall(schema.answers(pid, campaign))
    return {question: _plain(answer) for question, answer in read_answers(raw).items()}


def _plain(answer: StoredAnswer) -> dict[str, Any]:
    plain: dict[str, Any] = {"o": answer.outcome, "t": answer.at}
    if answer.free_text:
        plain["x"] = answer.sealed
    elif answer.value is not None:
        plain["v"] = list(answer.value) if isinstance(answer.value, tuple) else answer.value
    return plain


async def counters(redis: Redis, schema: KeySchema, campaign: str = CAMPAIGN) -> dict[str, int]:
    """A campaign's counters (started, answers, completed...), summed over the shards; its
    result counters (`<q>.a`, `<q>=<o>`...: `result_counters`) left out."""
    every = await _summed_counters(redis, schema, campaign)
    return {name: count for name, count in every.items() if not is_result_field(name)}


async def result_counters(
    redis: Redis, schema: KeySchema, campaign: str = CAMPAIGN
) -> dict[str, int]:
    """A campaign's result counters (bot.records.tally), summed over the shards, zeros left
    out."""
    every = await _summed_counters(redis, schema, campaign)
    return {name: count for name, count in every.items() if is_result_field(name) and count}


async def _summed_counters(redis: Redis, schema: KeySchema, campaign: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for shard in range(schema.shards):
        raw: Any = await redis.hgetall(schema.counters(shard, campaign))
        for name, value in raw.items():
            totals[name.decode()] = totals.get(name.decode(), 0) + int(value)
    return totals


async def store_as_before(redis: Redis, schema: KeySchema, pid: str, campaign: str) -> None:
    """Rewrite a participant's answers and session in the format Sauti wrote before they were
    encoded compactly (one JSON object per answer, free text in base64; the session as plain
    JSON), as an upgrade finds them."""
    answers_key, session_key = schema.answers(pid, campaign), schema.session(pid, campaign)
    raw: Any = await redis.hgetall(answers_key)
    before = {}
    for question, answer in read_answers(raw).items():
        plain = _plain(answer)
        if answer.free_text:
            plain["x"] = base64.b64encode(answer.sealed or b"").decode()
        before[question] = json.dumps(plain, separators=(",", ":"))
    session: Any = await redis.get(session_key)
    pipe = redis.pipeline(transaction=True)
    pipe.delete(answers_key)
    if before:
        pipe.hset(answers_key, mapping=before)  # type: ignore[arg-type]
    if session is not None:
        document = to_dict(decode_session(session))
        pipe.set(session_key, json.dumps(document, separators=(",", ":")))
    await pipe.execute()
