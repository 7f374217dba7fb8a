"""Quiet hours and the weekly budget delay decision notices; they never drop them (unless the
participant says stop meanwhile)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.loop.ledger import StoredDecision
from bot.loop.pacing import WEEK_MS, QuietHours, due_ms
from bot.loop.progress import publication_progress
from bot.loop.report import campaign_report
from bot.time_zones import fixed_offset_name, zone, zone_or
from tests.bot.loop import (
    NOON_MS,
    SIM_DECISION,
    UP_TO_SIM_ID,
    Deployment,
    Person,
    join,
    make_deployment,
    with_campaign,
)

NAIROBI = zone("Africa/Nairobi")  # UTC+3, no daylight saving
NIGHT = QuietHours.parse("21:00-08:00")
HOUR_MS = 3_600_000


def _ms(day: int, hour: int, minute: int = 0) -> int:
    local = dt.datetime(2026, 11, day, hour, minute, tzinfo=NAIROBI)
    return int(local.timestamp() * 1000)


def test_quiet_hours_move_a_notice_to_the_next_morning_in_the_participants_time_zone() -> None:
    def due(now: int) -> int:
        return due_ms(now, local_zone=NAIROBI, quiet=NIGHT, recent_ms=[], weekly_budget=2)

    assert due(_ms(18, 23, 30)) == _ms(19, 8)  # late evening: tomorrow at eight
    assert due(_ms(19, 6, 15)) == _ms(19, 8)  # early morning: today at eight
    assert due(_ms(19, 12)) == _ms(19, 12)  # daytime: now
    assert due(_ms(19, 20, 59)) == _ms(19, 20, 59)


def test_fixed_offsets_from_the_time_command_are_zones_too() -> None:
    assert zone("UTC+03:00").utcoffset(None) == dt.timedelta(hours=3)
    assert zone("UTC-05:30").utcoffset(None) == -dt.timedelta(hours=5, minutes=30)
    assert zone("UTC+05:45").utcoffset(None) == dt.timedelta(hours=5, minutes=45)
    for minutes in (180, -330, 345, 0, -600, 13 * 60 + 45):
        name = fixed_offset_name(minutes)
        assert zone(name).utcoffset(None) == dt.timedelta(minutes=minutes)
    assert fixed_offset_name(-330) == "UTC-05:30"
    for wrong in ("UTC+15:00", "UTC+3", "UTC+03:60", "Mars/Olympus_Mons", ""):
        with pytest.raises(ValueError, match="unknown time zone"):
            zone(wrong)


def test_quiet_hours_in_a_fixed_offset_zone_half_hours_included() -> None:
    night = dt.datetime(2026, 11, 18, 22, 0, tzinfo=zone("UTC+05:30"))  # 16:30 UTC

    def due(local_zone: str) -> int:
        now = int(night.timestamp() * 1000)
        return due_ms(now, local_zone=zone(local_zone), quiet=NIGHT, recent_ms=[], weekly_budget=2)

    morning = dt.datetime(2026, 11, 19, 8, 0, tzinfo=zone("UTC+05:30"))
    assert due("UTC+05:30") == int(morning.timestamp() * 1000)
    assert due("UTC-05:30") == int(night.timestamp() * 1000)  # 11:00 there: now
    assert due("UTC+00:00") == int(night.timestamp() * 1000)  # 16:30


def test_a_participant_without_a_known_zone_falls_back_to_the_campaigns() -> None:
    assert zone_or("", NAIROBI) is NAIROBI
    assert zone_or("Atlantis/Capital", NAIROBI) is NAIROBI  # a record older code cannot read
    assert zone_or("UTC-05:30", NAIROBI).utcoffset(None) == -dt.timedelta(hours=5, minutes=30)


def test_a_spent_budget_waits_until_the_oldest_notice_is_a_week_old() -> None:
    now = _ms(19, 12)
    recent = [now - 3 * 24 * HOUR_MS, now - 1 * 24 * HOUR_MS]
    assert due_ms(now, local_zone=NAIROBI, quiet=None, recent_ms=recent, weekly_budget=2) == (
        recent[0] + WEEK_MS
    )
    assert due_ms(now, local_zone=NAIROBI, quiet=None, recent_ms=recent, weekly_budget=3) == now


async def _person(deployment: Deployment, name: str) -> Person:
    return await join(
        Person(deployment, name, Channel.TELEGRAM),
        "en",
        updates=True,
        answers=(*UP_TO_SIM_ID, "yes"),
    )


async def _published_at_night(redis: Redis) -> tuple[Deployment, Person, Person, StoredDecision]:
    """Amina and Baraka are linked to a decision published at 23:30 in Nairobi."""
    deployment = await with_campaign(make_deployment(redis, timezone="Africa/Nairobi"))
    amina = await _person(deployment, "amina")
    baraka = await _person(deployment, "baraka")
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = _ms(18, 23, 30)
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    return deployment, amina, baraka, stored


async def test_a_notice_published_at_night_goes_out_in_the_morning(redis_client: Redis) -> None:
    deployment, amina, baraka, _ = await _published_at_night(redis_client)
    await deployment.deliver_all()
    assert deployment.notices(amina) == deployment.notices(baraka) == []

    await baraka.say("stop")  # before morning: his notice must not go
    deployment.clock.now_ms = _ms(19, 7, 59)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert deployment.notices(amina) == []
    deployment.clock.now_ms = _ms(19, 8)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1
    assert deployment.notices(baraka) == []


async def test_a_held_notice_counts_as_told_only_once_it_goes(redis_client: Redis) -> None:
    """Held back by quiet hours, a notice is not "told" yet: the loop report counts it when it
    goes (days from the answer to then), and never if the participant said stop meanwhile."""
    deployment, amina, baraka, stored = await _published_at_night(redis_client)
    assert await _report_told(deployment) == (0, None)

    await baraka.say("stop")
    deployment.clock.now_ms = _ms(20, 8)  # a day and a half later
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1
    # Amina, told more than a day after her answer (not when it was held); not Baraka.
    assert await _report_told(deployment) == (1, 1)
    rates = {"telegram": 30.0}
    progress = await publication_progress(deployment.redis, deployment.schema, stored, rates)
    assert (progress.delayed["telegram"], progress.released["telegram"]) == (2, 1)
    assert progress.dropped == {"opted_out": 1}
    told_baraka = await deployment.redis.hget(deployment.schema.told(baraka.pid), f"d:{stored.ref}")
    assert told_baraka is None  # "my data" lists the decision as linked, not as told


async def _report_told(deployment: Deployment) -> tuple[int, float | None]:
    """The loop report's count of people told, and its median days from answer to notice."""
    campaign = await deployment.runtime.campaigns.get("safe-connect-2026")
    assert campaign is not None
    report = await campaign_report(
        deployment.redis, deployment.schema, deployment.ledger, campaign, dt.date(2026, 11, 20)
    )
    return report.told, report.median_days


async def test_over_the_weekly_budget_a_notice_waits_a_week_instead_of_being_dropped(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client, weekly_budget=1, quiet=None))
    amina = await _person(deployment, "amina")
    first = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(first.campaign_id, first.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1

    calls = SIM_DECISION.replace("id: sim-without-id", "id: calls-cheaper").replace(
        'question: sim_id\n    is: "yes"', "question: uses\n    includes: calls"
    )
    second = await deployment.load(calls)
    deployment.clock.now_ms = NOON_MS + 24 * HOUR_MS
    preview = await deployment.preview(second)
    assert (preview.counts.told, preview.counts.over_budget) == (1, 1)
    await deployment.publisher.publish(second.campaign_id, second.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1  # held back

    deployment.clock.now_ms = NOON_MS + WEEK_MS - 1
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1
    deployment.clock.now_ms = NOON_MS + WEEK_MS
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 2


async def test_a_held_notice_superseded_by_a_newer_version_is_not_sent(
    redis_client: Redis,
) -> None:
    """Both versions held for the night: only the newer one goes in the morning, as a first
    notice (they were never told the older), and the older gives its budget place back."""
    deployment, amina, _, first = await _published_at_night(redis_client)
    changed = SIM_DECISION.replace("status: not_adopted", "status: partly_adopted")
    second = await deployment.load(changed)
    deployment.clock.now_ms = _ms(18, 23, 45)
    await deployment.publisher.publish(second.campaign_id, second.id)
    await deployment.publish_all()

    deployment.clock.now_ms = _ms(19, 8)
    await deployment.publish_all()
    await deployment.deliver_all()
    [notice] = deployment.notices(amina)
    assert notice["text"].startswith("You told us")  # not "Update:": the first they hear
    assert "Nuru Mobile has acted on part of it" in notice["text"]
    told: Any = await deployment.redis.hget(deployment.schema.told(amina.pid), f"d:{first.ref}")
    assert told is not None
    assert told.startswith(b"2|")
    rates = {"telegram": 30.0}
    older = await publication_progress(deployment.redis, deployment.schema, first, rates)
    assert older.dropped == {"superseded": 2}  # Amina's and Baraka's
    assert await deployment.redis.zcard(deployment.schema.budget(amina.pid)) == 1
    assert await _report_told(deployment) == (2, 0)


async def test_a_dropped_update_leaves_them_told_the_version_before(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client, timezone="Africa/Nairobi"))
    amina = await _person(deployment, "amina")
    first = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = _ms(18, 12)
    await deployment.publisher.publish(first.campaign_id, first.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    changed = SIM_DECISION.replace("status: not_adopted", "status: partly_adopted")
    second = await deployment.load(changed)
    deployment.clock.now_ms = _ms(18, 23)
    await deployment.publisher.publish(second.campaign_id, second.id)
    await deployment.publish_all()

    await amina.say("stop")
    deployment.clock.now_ms = _ms(19, 8)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1  # the first version, at noon
    told: Any = await deployment.redis.hget(deployment.schema.told(amina.pid), f"d:{first.ref}")
    assert told is not None
    assert told.startswith(b"1|")
    assert b"|h" not in told


async def test_a_notice_held_before_shared_phone_mode_was_turned_on_goes_out_neutral(
    redis_client: Redis,
) -> None:
    """Composed at night (quoting her answer), held for the morning; she turns shared-phone
    mode on meanwhile: what goes out names nothing."""
    deployment, amina, _, stored = await _published_at_night(redis_client)
    await amina.press("shared", "on")
    deployment.clock.now_ms = _ms(19, 8)
    await deployment.publish_all()
    await deployment.deliver_all()
    [notice] = deployment.notices(amina)
    assert notice["text"] == 'There is news for you. Tap "Read" to see it.'
    assert [(item["label"], item["arg"]) for item in notice["menu"]] == [
        ("Read", f"more:{stored.ref}")
    ]
    assert notice["template"]["purpose"] == "shared"
