"""An audit log on the test's Redis, keyed as the server keys it, on a clock that steps."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.audit import AuditLog
from bot.storage.keys import KeySchema
from tests.bot.audit import CRYPTO, StepClock


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def audit_log(redis_client: Redis, clock: StepClock) -> AuditLog:
    return AuditLog.keyed_by(redis_client, KeySchema(), CRYPTO, clock=clock)
