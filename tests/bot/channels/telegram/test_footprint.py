"""What a Telegram participant leaves in Redis after the example survey, on a Redis nobody
tuned (default encoding limits): bench/footprint.py measures it; this holds it to a budget."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage.embedded_redis import EmbeddedRedis
from tests.bot.channels.telegram.test_end_to_end import complete_survey
from tests.fakes.telegram_api import FakeTelegram
from tests.kit.footprint import (
    default_encoding_limits,
    lasting_past_a_minute,
    outbox_drained,
    sizes,
)
from tests.kit.telegram import running, telegram_api

# Bytes per participant as MEMORY USAGE counts them on the embedded Redis with Redis's
# default encoding limits (measured: 1,150 kept, 2,148 with the dedupe window's event markers
# and send claims; before the answers, sessions and records were encoded compactly: 2,529 and
# 3,528); a little room for what varies (sealed values, times). Versioned consents (take part
# and outcomes, each with its text's version and time) added 82: 1,232 kept.
KEPT_BUDGET = 1_290
WITH_MARKERS_BUDGET = 2_290


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with telegram_api() as server:
        yield server


@pytest.fixture
def untuned_redis() -> Iterator[str]:
    # A server of its own: its limits are changed, and the socket path must stay short.
    with (
        tempfile.TemporaryDirectory(prefix="sauti-fp-") as scratch,
        EmbeddedRedis(Path(scratch) / "redis") as server,
    ):
        yield server.url


async def test_a_participant_keeps_little_on_a_redis_with_default_encoding_limits(
    untuned_redis: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    async with running(untuned_redis, tmp_path, fake, webhook=False) as stack:
        await default_encoding_limits(stack.app.redis)
        users = [fake.user(30_000 + n, "en") for n in range(3)]
        await asyncio.gather(*(complete_survey(stack, user, "en") for user in users))
        await outbox_drained(stack)
        kinds = await sizes(stack.app.redis, [stack.pid(user) for user in users])
    kept = sum(kind.bytes for kind in kinds.values() if kind.lasting == "kept")
    assert kept <= KEPT_BUDGET, kinds
    assert lasting_past_a_minute(kinds) <= WITH_MARKERS_BUDGET, kinds
