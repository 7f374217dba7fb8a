"""What the API and `sauti token` leave in the organisation's audit log: who (the token, or the
operator), what, which record, how many, from where — and nothing of what was read."""

from __future__ import annotations

import json

import pytest

from bot.access.roles import Role
from bot.audit import AuditAction
from tests.bot.api import CAMPAIGNS, GRIEVANCE, ORG_A, ORG_B, STORY, World, email
from tests.bot.commands import sauti


async def _log(world: World, org: str) -> list[dict[str, str]]:
    page = await world.deployment.app.audit_log().entries(org, limit=500)
    return [dict(entry.fields) for entry in page.entries]


async def test_api_reads_and_changes_are_in_the_organisations_log_and_nothing_they_showed(
    world: World,
) -> None:
    admin = world.token(ORG_A, Role.ADMIN)
    token_id = admin.split("_")[1]
    campaign = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}"
    case = world.cases[ORG_A]
    assert (await world.call("POST", f"{campaign}/close", token=admin)).status == 200
    await world.get(f"{campaign}/responses?free_text=true", admin)
    await world.get(f"/api/v1/cases/{case}", admin)
    step = {"status": "under_review", "message": "We are looking into it"}
    assert (
        await world.call("POST", f"/api/v1/cases/{case}/steps", token=admin, json=step)
    ).status == 200

    entries = await _log(world, ORG_A)
    seen = [(e["action"], e.get("target"), e.get("count")) for e in entries]
    assert seen == [
        (AuditAction.CAMPAIGN_CLOSED, f"campaign:{CAMPAIGNS[ORG_A]}", None),
        (AuditAction.RESPONSES_READ, f"campaign:{CAMPAIGNS[ORG_A]}", "4"),
        (AuditAction.FREE_TEXT_READ, f"campaign:{CAMPAIGNS[ORG_A]}", "1"),
        (AuditAction.FREE_TEXT_READ, f"case:{case}", "1"),
        (AuditAction.CASE_STEPPED, f"case:{case}", None),
    ]
    assert {e["actor"] for e in entries} == {f"token:{token_id}"}
    assert {e["addr"] for e in entries} == {"127.0.0.1"}
    written = str(entries)
    assert STORY[ORG_A] not in written
    assert GRIEVANCE[ORG_A] not in written
    assert world.deployment.participant("tok-amina-5f1e") not in written
    assert await _log(world, ORG_B) == []
    assert (await world.deployment.app.audit_log().verify(ORG_A)).problem is None


async def test_token_changes_are_recorded_as_the_operator(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = email(ORG_B, Role.CASEWORKER)
    assert await sauti("token", "create", owner, "--org", ORG_B) == 0
    token_id = capsys.readouterr().out.strip().split("_")[1]
    assert await sauti("token", "revoke", token_id) == 0
    entries = await _log(world, ORG_B)
    assert [
        (e["action"], e["actor"], e["target"], json.loads(e["details"])["token"]) for e in entries
    ] == [
        (AuditAction.TOKEN_CREATED, "operator", f"staff:{owner}", token_id),
        (AuditAction.TOKEN_REVOKED, "operator", f"staff:{owner}", token_id),
    ]


async def test_an_admin_reads_the_log_a_page_at_a_time_and_the_reading_is_recorded(
    world: World,
) -> None:
    admin = world.token(ORG_A, Role.ADMIN)
    campaign = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}"
    await world.call("POST", f"{campaign}/close", token=admin)
    await world.call("POST", f"{campaign}/open?accept_machine_drafted=true", token=admin)
    first = await world.get("/api/v1/audit?limit=1", admin)
    [closed] = first["items"]
    assert (closed["action"], closed["target"]) == (
        "campaign_closed",
        f"campaign:{CAMPAIGNS[ORG_A]}",
    )
    second = await world.get(f"/api/v1/audit?limit=5&cursor={first['next_cursor']}", admin)
    assert [item["action"] for item in second["items"]] == [
        "campaign_opened",
        "audit_read",  # the first page's reading
    ]
    assert second["next_cursor"] is None
    theirs = await world.get("/api/v1/audit", world.token(ORG_B, Role.ADMIN))
    assert CAMPAIGNS[ORG_A] not in str(theirs)
