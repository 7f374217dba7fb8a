"""The API's preview answers at once with the kept count and says when it was made, whether it
is current and whether a new one is being made (before the first count: with no count at all);
`?current=true` waits for a current one."""

from __future__ import annotations

import datetime as dt

from bot.access.roles import Role
from tests.bot.api import ORG_A, World
from tests.bot.api.test_decisions import ONE, _join_and_say_yes, _linked, _upload
from tests.bot.loop import SIM_DECISION


async def test_the_preview_says_when_it_was_counted_and_whether_it_is_current(
    world: World,
) -> None:
    await _linked(world, {"en": 6})
    assert (await _upload(world, SIM_DECISION)).status == 200
    token = world.token(ORG_A, Role.ANALYST)
    counting = await world.get(f"{ONE}/preview", token)  # at once: nothing counted yet
    assert (counting["counted_at"], counting["linked"], counting["told"]) == (None, None, None)
    assert (counting["current"], counting["updating"]) == (False, True)
    assert counting["told_by_language_and_channel"]["cells"] == []
    assert counting["notices"]  # the words are there already
    await world.deployment.app.preview_cache().settled()
    first = await world.get(f"{ONE}/preview", token)
    assert (first["told"], first["current"], first["updating"]) == (6, True, False)
    counted = dt.datetime.fromisoformat(first["counted_at"])
    assert counted.utcoffset() == dt.timedelta(0)

    await _join_and_say_yes(world, "en-late", "en")
    stale = await world.get(f"{ONE}/preview", token)
    assert (stale["told"], stale["current"], stale["updating"]) == (6, False, True)
    assert stale["counted_at"] == first["counted_at"]
    current = await world.get(f"{ONE}/preview?current=true", token)
    assert (current["told"], current["current"], current["updating"]) == (7, True, False)
    await world.deployment.app.preview_cache().settled()


async def test_a_preview_asked_with_a_bad_current_flag_is_refused(world: World) -> None:
    assert (await _upload(world, SIM_DECISION)).status == 200
    token = world.token(ORG_A, Role.ANALYST)
    response = await world.call("GET", f"{ONE}/preview?current=maybe", token=token)
    assert response.status == 422
