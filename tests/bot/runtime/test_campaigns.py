"""The campaign store's cache, as the web chat's join links meet it."""

from __future__ import annotations

from bot.app import App
from bot.records.campaigns import CampaignStore
from tests.kit.example import example_survey


async def test_a_made_up_campaign_id_is_not_remembered(app: App) -> None:
    """Regression: every id looked up was kept, found or not, so links to made-up campaigns
    (anyone can request /j/<anything>) grew the web process without bound; and a campaign
    looked for just before it was loaded stayed "not found" for the cache's lifetime."""
    web = CampaignStore(app.redis, app.schema, cache_seconds=600)
    assert await web.get("harvest-2026") is None  # a link followed before the launch
    source = example_survey().replace("safe-connect-2026", "harvest-2026")
    await app.campaigns.load(source, open_now=True)  # by the operator's CLI, elsewhere
    launched = await web.get("harvest-2026")
    assert launched is not None
    assert launched.is_open
