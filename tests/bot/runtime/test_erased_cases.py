"""An erased participant's grievance cases stay for the desk's figures but no longer name them:
neither /delete nor retention erasing someone whole leaves their own case index, the upgrade
that indexes older cases does not list an erased person's cases again, and someone who later
writes from the same number (the same pseudonym) never sees them."""

from __future__ import annotations

import re
from typing import Any

from redis.asyncio import Redis

from bot.runtime.migrations import index_participant_cases
from bot.runtime.retention import erase_campaign
from bot.storage.keys import KeySchema
from bot.storage.scripts import EXPIRE_RESPONDENTS
from tests.bot.runtime.test_retention import Chat, _closed_days_ago, _deployment, _keys_naming
from tests.kit.example import CAMPAIGN
from tests.kit.runtime import Runtime


async def _references(runtime: Runtime, chat: Chat) -> list[str]:
    schema = runtime.schema
    found: Any = await runtime.redis.zrange(schema.cases(schema.shard_of(chat.pid)), 0, -1)
    return [reference.decode() for reference in found]


async def _case(runtime: Runtime, chat: Chat, reference: str) -> dict[bytes, bytes]:
    schema = runtime.schema
    key = schema.case(schema.shard_of(chat.pid), reference)
    found: Any = await runtime.redis.hgetall(key)
    return dict(found)


async def _joined(runtime: Runtime, user: str) -> Chat:
    chat = Chat(runtime, user)
    await chat.say(CAMPAIGN)
    await chat.press("language", "en")
    await chat.press("consent", "take:yes")
    await chat.press("updates", "yes")
    return chat


async def test_retention_erasing_someone_whole_leaves_no_case_naming_them(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    halima = Chat(runtime, "halima")
    # Feedback before joining any campaign: a case of no campaign, which retention keeps.
    await halima.say("feedback")
    await halima.say("the agent was rude to me")
    await halima.say(CAMPAIGN)
    await halima.press("language", "en")
    await halima.press("consent", "take:yes")
    await halima.press("updates", "yes")
    await halima.say("1")
    [reference] = await _references(runtime, halima)
    await _closed_days_ago(runtime, CAMPAIGN, 400)

    erased = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert erased is not None
    assert erased.erased_ids == (halima.pid,)
    # As after their own /delete: nothing but event markers and send claims names them.
    assert await _keys_naming(runtime, halima.pid) <= {"e", "sent"}
    case = await _case(runtime, halima, reference)
    assert case[b"status"] == b"received"  # the desk still counts it
    assert not {b"pid", b"x", b"ch", b"lang"} & case.keys()


async def test_delete_strips_their_cases_and_the_upgrade_does_not_list_them_again(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    fatou = await _joined(runtime, "fatou")
    await fatou.say("feedback")
    await fatou.say("my SIM was blocked")
    [reference] = await _references(runtime, fatou)
    await fatou.say("/delete")
    await fatou.press("delete", "confirm")
    assert not await runtime.redis.exists(runtime.schema.participant_cases(fatou.pid))
    assert b"pid" not in await _case(runtime, fatou, reference)
    # A case written before erasure stripped cases: it still names her.
    await runtime.redis.hset(
        runtime.schema.case(runtime.schema.shard_of(fatou.pid), reference), "pid", fatou.pid
    )

    # An upgrade from schema 4 (the erasure happened before it).
    assert await index_participant_cases(runtime.redis, runtime.schema) == 0

    assert "pc" not in await _keys_naming(runtime, fatou.pid)
    # Someone else gets her number: a new participant, who never raised a case.
    await _joined(runtime, "fatou")
    replies = " ".join(str(message["text"]) for message in await fatou.say("/cases"))
    assert reference not in replies


async def test_the_upgrade_lists_the_cases_of_people_still_there(redis_client: Redis) -> None:
    runtime = await _deployment(redis_client)
    people = [await _joined(runtime, name) for name in ("amina", "baraka", "chausiku")]
    for person in people:
        await person.say("feedback")
        await person.say("the tower is down")
        await runtime.redis.delete(runtime.schema.participant_cases(person.pid))  # as in schema 4

    # A page of one case at a time: every page is read.
    assert await index_participant_cases(runtime.redis, runtime.schema, page=1) == 3

    for person in people:
        [reference] = [
            ref
            for ref in await _references(runtime, person)
            if (await _case(runtime, person, ref))[b"pid"] == person.pid.encode()
        ]
        replies = " ".join(str(message["text"]) for message in await person.say("/cases"))
        assert reference in replies


def test_retention_deletes_every_key_erasure_deletes() -> None:
    """expire_respondents.lua keeps its own list of a participant's keys (it builds their names
    itself): it must name each key `KeySchema.keys_of` gives for someone in no campaign."""
    schema = KeySchema(prefix="t", shards=3)
    pid = "P"
    tag = schema.tag(schema.shard_of(pid))
    wanted = {key[len(tag) + 1 : -len(pid) - 1] for key in schema.keys_of(pid, ())}
    named = set(re.findall(r"tag \.\. '(:[a-z:]+:)' \.\. pid", EXPIRE_RESPONDENTS.source))
    assert wanted <= {family.strip(":") for family in named}
