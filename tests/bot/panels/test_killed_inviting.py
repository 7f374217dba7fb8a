"""Killing the inviting process mid-send, or two of them at once: each invited person gets one
invitation, and the run that comes after invites those the killed one had not reached."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.panels.inviting import InvitationCounts
from bot.panels.segment import parse_segment
from tests.bot.loop import NOON_MS, Deployment, Person, make_deployment
from tests.bot.panels import (
    FOLLOW_UP,
    example_with_profile,
    follow_up_survey,
    invitations,
    inviter,
    member,
)

EVERYONE = parse_segment("")


class KilledError(Exception):
    """The inviting process dies (between two batches: each batch's script is atomic)."""


async def _members(redis: Redis, count: int) -> tuple[Deployment, list[Person]]:
    deployment = make_deployment(redis)
    await deployment.runtime.campaigns.load(example_with_profile(), open_now=True)
    await deployment.runtime.campaigns.load(follow_up_survey(), open_now=True)
    channels = (Channel.TELEGRAM, Channel.WHATSAPP)
    people = [
        await member(Person(deployment, f"p{n}", channels[n % 2]), "en", "village")
        for n in range(count)
    ]
    deployment.set_time(NOON_MS)
    return deployment, people


async def test_a_killed_inviting_process_run_again_invites_each_person_once(
    redis_client: Redis,
) -> None:
    deployment, people = await _members(redis_client, 6)
    campaign = await deployment.runtime.campaigns.get(FOLLOW_UP)
    assert campaign is not None
    batches = 0

    async def die_after_the_second_batch(counts: InvitationCounts) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KilledError

    first = inviter(deployment, batch=1)
    with pytest.raises(KilledError):
        await first.send(campaign, EVERYONE, NOON_MS, after_batch=die_after_the_second_batch)
    await deployment.deliver_all()
    reached = [p for p in people if invitations(deployment, p)]
    assert len(reached) == 2

    rerun = await inviter(deployment).send(campaign, EVERYONE, NOON_MS + 1000)
    assert rerun.invited_total == 4
    assert rerun.excluded["already_invited"] == 2
    await deployment.deliver_all()
    for person in people:
        assert len(invitations(deployment, person)) == 1, person.name


async def test_two_inviting_processes_at_once_invite_each_person_once(redis_client: Redis) -> None:
    deployment, people = await _members(redis_client, 6)
    campaign = await deployment.runtime.campaigns.get(FOLLOW_UP)
    assert campaign is not None
    one, two = await asyncio.gather(
        inviter(deployment, batch=1).send(campaign, EVERYONE, NOON_MS),
        inviter(deployment, batch=2).send(campaign, EVERYONE, NOON_MS),
    )
    assert one.invited_total + two.invited_total == 6
    await deployment.deliver_all()
    for person in people:
        assert len(invitations(deployment, person)) == 1, person.name
