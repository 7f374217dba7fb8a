"""A deployment with the staff pages on a clock the test moves, and cheap password hashes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.staff_web import FAST_HASHES, Site, staff_site
from tests.kit.running import built
from tests.kit.settings import deployment_settings

# Short enough to see every limit within a test, long enough for the steps of one.
STAFF_LIMITS = {
    **FAST_HASHES,
    "SAUTI_STAFF_ACCOUNT_FAILURES": "3",
    "SAUTI_STAFF_ADDRESS_FAILURES": "6",
    "SAUTI_STAFF_FAILURE_WINDOW_SECONDS": "2",
    "SAUTI_STAFF_IDLE_TIMEOUT_SECONDS": "600",
    "SAUTI_STAFF_ABSOLUTE_TIMEOUT_SECONDS": "3600",
}


@pytest.fixture
async def site(redis_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    settings = deployment_settings(redis_url, tmp_path, **STAFF_LIMITS)
    async with built(settings, example=False) as app, staff_site(app) as running:
        await app.organisations().create("acme", "Acme Telecom")
        await app.organisations().create("globex", "Globex Water")
        yield running
