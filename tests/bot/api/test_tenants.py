"""Two organisations on one deployment: a token of one never reaches the other's campaigns,
responses or cases — their ids answer 404 exactly like ids that do not exist, and nothing of
theirs is in any answer."""

from __future__ import annotations

from bot.access.roles import Role
from bot.conversation.campaign import CampaignStatus
from tests.bot.api import CAMPAIGN_B, CAMPAIGNS, GRIEVANCE, ORG_A, ORG_B, STORY, World, bravo_survey


def _theirs(world: World) -> list[str]:
    """What of organisation B must never reach organisation A."""
    return [CAMPAIGN_B, world.cases[ORG_B], STORY[ORG_B], GRIEVANCE[ORG_B], "Bravo"]


async def test_every_operation_with_the_other_organisations_ids_is_not_found(world: World) -> None:
    admin = world.token(ORG_A, Role.ADMIN)
    campaign, case = f"/api/v1/campaigns/{CAMPAIGN_B}", f"/api/v1/cases/{world.cases[ORG_B]}"
    calls = [
        ("GET", campaign, None),
        ("POST", f"{campaign}/open", None),
        ("POST", f"{campaign}/close", None),
        ("GET", f"{campaign}/responses?free_text=true", None),
        ("GET", f"{campaign}/results", None),
        ("GET", case, None),
        ("POST", f"{case}/steps", {"status": "resolved", "message": "done"}),
        ("GET", f"/api/v1/decisions?campaign={CAMPAIGN_B}", None),
        ("GET", f"/api/v1/loop/report?campaign={CAMPAIGN_B}", None),
    ]
    for method, path, body in calls:
        missing = path.replace(CAMPAIGN_B, "no-such-campaign").replace(
            world.cases[ORG_B], "F-ZZZZZZ"
        )
        theirs = await world.call(method, path, token=admin, json=body)
        nothing = await world.call(method, missing, token=admin, json=body)
        assert (theirs.status, nothing.status) == (404, 404), path
        answer = await theirs.json()
        assert answer == {**(await nothing.json())}, "told apart from a missing one"
        assert not [secret for secret in _theirs(world) if secret in str(answer)]
    stored = await world.deployment.app.campaigns.get(CAMPAIGN_B)
    assert stored is not None
    assert stored.status is CampaignStatus.OPEN
    assert world.audit.entries == []


async def test_lists_show_only_the_callers_organisation(world: World) -> None:
    for org, other in ((ORG_A, ORG_B), (ORG_B, ORG_A)):
        token = world.token(org, Role.ADMIN)
        campaigns = await world.get("/api/v1/campaigns", token)
        assert [item["id"] for item in campaigns["items"]] == [CAMPAIGNS[org]]
        cases = await world.get("/api/v1/cases", token)
        assert [item["reference"] for item in cases["items"]] == [world.cases[org]]
        me = await world.get("/api/v1/me", token)
        assert me["organisation"]["slug"] == org
        for answer in (campaigns, cases, me):
            assert CAMPAIGNS[other] not in str(answer)
            assert world.cases[other] not in str(answer)


async def test_a_survey_with_the_other_organisations_campaign_id_is_refused(world: World) -> None:
    response = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=world.token(ORG_A),
        data=bravo_survey().replace("Nuru Mobile", "Impostor"),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status == 409
    assert (await response.json())["type"] == "https://sauti.example/problems/conflict"
    stored = await world.deployment.app.campaigns.get(CAMPAIGN_B)
    assert stored is not None
    assert stored.org == ORG_B
    assert "Impostor" not in str(stored.survey.organisation)
