"""`sauti migrate`: the operator brings the data up to this version's formats, once, and sees
what was done; `sauti run` does the same at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.inbound import Join
from bot.runtime.migrations import SCHEMA_VERSION, schema_version
from tests.bot.commands import Deployment, sauti
from tests.kit.example import CAMPAIGN
from tests.kit.running import sauti_run
from tests.kit.settings import deployment_settings


async def _older_marker_of_a_stored_event(deployment: Deployment) -> str:
    """An event the previous version stored: its entry in the stream, its marker a key."""
    event = await deployment.send(deployment.participant("tok-amina"), Join(CAMPAIGN, "en"))
    marker = deployment.app.ingestor.marker(event)
    await deployment.app.redis.zrem(marker.key, marker.member)
    schema = deployment.app.schema
    older = f"{schema.tag(schema.shard_of(event.participant_id))}:e:{event.event_id}"
    await deployment.app.redis.set(older, "0", ex=3600)
    return older


async def test_migrate_says_what_it_moved_then_that_nothing_is_left_to_do(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    older = await _older_marker_of_a_stored_event(deployment)

    assert await sauti("migrate") == 0
    said = capsys.readouterr().out
    assert f"data migrated from schema 1 to {SCHEMA_VERSION}" in said
    assert "older event markers: 1 moved into participants' sets, 0 deleted" in said
    assert await deployment.app.redis.exists(older) == 0

    assert await sauti("migrate") == 0
    assert "nothing to do" in capsys.readouterr().out


async def test_sauti_run_migrates_before_it_takes_any_event(
    deployment: Deployment, redis_url: str, tmp_path: Path
) -> None:
    older = await _older_marker_of_a_stored_event(deployment)
    async with sauti_run(deployment_settings(redis_url, tmp_path), roles=("worker",)):
        assert await deployment.app.redis.exists(older) == 0
        assert await schema_version(deployment.app.redis, deployment.app.schema) == SCHEMA_VERSION
