"""The triage page over HTTP: an analyst reads the free-text answers newest first, flags one,
tags it, links it to a decision and acknowledges its safety alert, each change audited as the
API audits it; every staff member of the organisation sees the alert's banner, only those who
read responses get a link to the answer; a viewer is refused the page and its forms; concerns
written about the campaign's decisions come in the same queue."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.records.cases import NewCase, case_commands
from bot.storage.lua import run_batch
from tests.bot.api import BOTH, CAMPAIGNS, ORG_A, ORG_B, STORY, World, answer
from tests.bot.loop import SIM_DECISION
from tests.console import signed_in

CAMPAIGN = CAMPAIGNS[ORG_A]
PAGE = f"/console/campaigns/{CAMPAIGN}/triage"


async def _story(world: World) -> str:
    """The response id of the story the person who answered both campaigns told."""
    app = world.deployment.app
    pseudonym = (await app.pseudonyms(ORG_A)).of(world.deployment.participant(BOTH))
    return f"{pseudonym}/unsafe_what"


async def test_an_analyst_reads_the_answers_newest_first_and_the_read_is_audited(
    world: World,
) -> None:
    deployment = world.deployment
    deployment.clock.now += 60
    await answer(deployment, deployment.participant("tok-later"), CAMPAIGN, "the mast fell")
    analyst = await signed_in(world, Role.ANALYST)
    page = html.unescape(await analyst.page(PAGE))
    assert "<h1>Free-text triage</h1>" in page
    assert page.index("the mast fell") < page.index(STORY[ORG_A])
    assert "Flag a safety concern" in page
    assert [entry.action for entry in world.audit.entries] == [
        AuditAction.RESPONSES_READ,
        AuditAction.FREE_TEXT_READ,
        AuditAction.THEMES_SUGGESTED,  # the page asks which themes to suggest for its answers
    ]
    overview = await analyst.page(f"/console/campaigns/{CAMPAIGN}")
    assert f'href="{PAGE}"' in overview


async def test_a_viewer_is_refused_the_page_and_its_forms(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    refused = await viewer.page(PAGE, status=403)
    assert "does not allow this" in refused
    assert STORY[ORG_A] not in refused
    assert f'href="{PAGE}"' not in await viewer.page(f"/console/campaigns/{CAMPAIGN}")
    story = await _story(world)
    for action in ("mark", "themes", "acknowledge"):
        posted = await viewer.post(f"{PAGE}/{action}", {"response_id": story, "urgent": "on"})
        assert posted.status == 403
    other = await signed_in(world, Role.ADMIN, ORG_B)
    assert (await other.get(PAGE)).status == 404


async def test_a_safety_flag_shows_a_banner_to_everyone_until_acknowledged(world: World) -> None:
    story = await _story(world)
    analyst = await signed_in(world, Role.ANALYST)
    flagged = await analyst.post(f"{PAGE}/mark", {"response_id": story, "safety": "on"})
    assert flagged.status == 303
    location = flagged.headers["Location"]
    assert location.startswith(f"{PAGE}?done=safety-on#item-")
    after = await analyst.page(location)
    assert "the organisation sees an alert" in after
    assert "Alert open" in after
    viewer = await signed_in(world, Role.VIEWER)
    seen = await viewer.page("/console/campaigns")
    assert "1 safety alert is open in" in seen
    assert f"{PAGE}?flag=safety" not in seen  # no way in for a role that cannot read it
    caseworker = await signed_in(world, Role.CASEWORKER)
    assert "1 safety alert is open in" in await caseworker.page("/console/campaigns")
    linked = await analyst.page("/console/campaigns")
    assert f'href="{PAGE}?flag=safety"' in linked
    assert "safety alert" not in await (await signed_in(world, Role.ADMIN, ORG_B)).page(
        "/console/campaigns"
    )
    done = await analyst.post(f"{PAGE}/acknowledge", {"response_id": story})
    assert done.status == 303
    assert "The safety alert is acknowledged." in await analyst.page(done.headers["Location"])
    assert "safety alert is open" not in await viewer.page("/console/campaigns")
    marked = [e for e in world.audit.entries if e.action is AuditAction.TRIAGE_MARKED]
    assert [(e.details["mark"], e.details["to"]) for e in marked] == [("safety", "on")]
    assert [e.action for e in world.audit.entries].count(AuditAction.ALERT_ACKNOWLEDGED) == 1


async def test_themes_flags_and_a_decision_link_from_the_page(world: World) -> None:
    story = await _story(world)
    admin = await signed_in(world, Role.ADMIN)
    await world.deployment.app.ledger().load(SIM_DECISION, world.deployment.received_ms)
    back = urlencode({"flag": "unflagged"})
    tagged = await admin.post(
        f"{PAGE}/themes", {"response_id": story, "add": "Checkpoints, phones", "back": back}
    )
    assert tagged.status == 303
    assert tagged.headers["Location"].startswith(f"{PAGE}?flag=unflagged&done=themes#item-")
    page = html.unescape(await admin.page(f"{PAGE}?theme=phones"))
    assert "Themes: checkpoints, phones" in page
    assert '<option value="sim-without-id"' in page
    removed = await admin.post(f"{PAGE}/themes", {"response_id": story, "remove": "phones"})
    assert removed.status == 303
    linked = await admin.post(f"{PAGE}/mark", {"response_id": story, "link": "sim-without-id"})
    assert linked.status == 303
    urgent = await admin.post(f"{PAGE}/mark", {"response_id": story, "urgent": "on"})
    assert urgent.status == 303
    page = html.unescape(await admin.page(f"{PAGE}?flag=urgent&decision=sim-without-id"))
    assert STORY[ORG_A] in page
    assert "Linked to the decision sim-without-id." in page
    assert "Themes: checkpoints" in page
    assert "Themes: checkpoints, phones" not in page  # phones removed
    assert STORY[ORG_A] not in await admin.page(f"{PAGE}?flag=unflagged")
    refused = await admin.post(f"{PAGE}/mark", {"response_id": story, "link": "no-such"})
    assert refused.status == 422
    assert "has no decision “no-such”" in html.unescape(await refused.text())


async def _concern(world: World, words: str) -> str:
    """A concern about a decision written by the person who answered both campaigns, stored
    as the commit of their words stores it (bot.records.cases.case_commands)."""
    app, pid = world.deployment.app, world.deployment.participant(BOTH)
    wrapped: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    concern = NewCase(
        reference="C-ABCDEF",
        participant_id=pid,
        campaign_id=CAMPAIGN,
        language="en",
        channel="webchat",
        text=words,
        created_ms=world.deployment.received_ms + 60_000,
        due_ms=world.deployment.received_ms + 86_400_000,
        decision_ref="ref12345",
    )
    steps = case_commands(app.schema, concern, app.crypto.unwrap_data_key(wrapped))
    for reply in await run_batch(app.redis, steps):
        assert not isinstance(reply, Exception)
    return concern.reference


async def test_concerns_about_decisions_come_with_the_answers(world: World) -> None:
    reference = await _concern(world, "The chief's letter costs money too")
    analyst = await signed_in(world, Role.ANALYST)
    page = html.unescape(await analyst.page(PAGE))
    assert "The chief's letter costs money too" in page
    assert reference in page
    assert page.index("The chief's letter") < page.index(STORY[ORG_A])  # newer
    flagged = await analyst.post(f"{PAGE}/mark", {"response_id": reference, "urgent": "on"})
    assert flagged.status == 303
    assert reference in await analyst.page(f"{PAGE}?flag=urgent")
    other = await signed_in(world, Role.ADMIN, ORG_B)
    refused = await other.post(
        f"/console/campaigns/{CAMPAIGNS[ORG_B]}/triage/mark",
        {"response_id": reference, "urgent": "off"},
    )
    assert refused.status == 422  # another organisation's campaign has no such concern
    assert "has no answer" in html.unescape(await refused.text())
