"""Each campaign language's completeness and review on the API, and the review gate on
`openCampaign`: refused with what each language lacks, unless machine-drafted text is
accepted, which then shows on the campaign."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.kit.example import example_text_count

PATH = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}"

TEXTS = example_text_count()


async def test_the_campaign_detail_says_how_far_each_language_is_translated_and_reviewed(
    world: World,
) -> None:
    campaign = await world.get(PATH, world.token(ORG_A, Role.VIEWER))
    translations = {row["language"]: row for row in campaign["translations"]}
    assert list(translations) == ["en", "fr", "ar", "sw"]
    assert translations["en"] == {
        "language": "en",
        "translated": TEXTS,
        "total": TEXTS,
        "state": "source",
        "reviewer": None,
        "reviewed_at": None,
    }
    assert {translations[code]["state"] for code in ("fr", "ar", "sw")} == {"machine-drafted"}
    assert campaign["machine_drafted"] is None  # opened directly in the store by the tests


async def test_opening_with_machine_drafted_languages_is_refused_unless_accepted(
    world: World,
) -> None:
    admin = world.token(ORG_A, Role.ADMIN)
    assert (await world.call("POST", f"{PATH}/close", token=admin)).status == 200
    refused = await world.call("POST", f"{PATH}/open", token=admin)
    assert refused.status == 409
    problem = await refused.json()
    assert problem["type"].endswith("/unreviewed-translations")
    assert problem["errors"] == [
        {"location": code, "message": "machine-drafted"} for code in ("fr", "ar", "sw")
    ]
    assert (await world.get(PATH))["status"] == "closed"

    opened = await world.call("POST", f"{PATH}/open?accept_machine_drafted=true", token=admin)
    assert opened.status == 200
    campaign = await opened.json()
    assert campaign["status"] == "open"
    marked = campaign["machine_drafted"]
    assert marked["accepted_by"].startswith("token:")  # the caller, as the audit log names it
    assert marked["languages"] == dict.fromkeys(("fr", "ar", "sw"), "machine-drafted")
    assert world.audit.entries[-1].details == {"machine_drafted": "fr,ar,sw"}
    listed = await world.get("/api/v1/campaigns")
    [row] = [item for item in listed["items"] if item["id"] == CAMPAIGNS[ORG_A]]
    assert row["machine_drafted"]["languages"] == marked["languages"]
