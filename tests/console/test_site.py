"""The console's frame, over HTTP: who gets in, what each role sees, errors as pages in the
reader's language, and forms only from their own page."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, ORG_B, World, email
from tests.console import signed_in


async def test_someone_signed_out_is_sent_to_sign_in_and_brought_back(world: World) -> None:
    path = f"/console/campaigns/{CAMPAIGNS[ORG_A]}"
    response = await world.client.get(path, allow_redirects=False)
    assert response.status == 303
    location = response.headers["Location"]
    assert location == f"/staff/sign-in?next={path}"
    form = await world.client.get(location)
    assert f'name="next" value="{path}"' in await form.text()
    elsewhere = await world.client.get("/staff/sign-in?next=//evil.example/x")
    assert 'name="next"' not in await elsewhere.text()


async def test_each_organisation_sees_its_own_campaigns_only(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    page = await viewer.page("/console/campaigns")
    assert CAMPAIGNS[ORG_A] in page
    assert CAMPAIGNS[ORG_B] not in page
    other = await viewer.page(f"/console/campaigns/{CAMPAIGNS[ORG_B]}", status=404)
    assert "belongs to another organisation" in other
    assert "Content-Security-Policy" in (await viewer.get("/console/campaigns")).headers


async def test_the_campaign_page_shows_how_far_it_got(world: World) -> None:
    analyst = await signed_in(world, Role.ANALYST)
    page = await analyst.page(f"/console/campaigns/{CAMPAIGNS[ORG_A]}")
    # Four people answered the example campaign (tests.bot.api): fewer than the minimum.
    assert "<dt>Started</dt><dd>fewer than 5</dd>" in page
    assert "<dt>Languages</dt><dd>en, fr, ar, sw</dd>" in page
    assert "<dt>Report back by</dt><dd>Mar 31, 2027</dd>" in page


async def test_a_small_count_is_withheld_as_fewer_than_the_minimum(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER, ORG_B)  # one person answered Bravo's campaign
    page = await viewer.page("/console/campaigns")
    assert "fewer than 5" in page
    assert '<td class="num">1</td>' not in page


async def test_the_console_speaks_french_when_chosen_or_asked_for(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    by_browser = await viewer.page(
        "/console/campaigns", headers={"Accept-Language": "fr-CA,en;q=0.5"}
    )
    assert 'lang="fr"' in by_browser
    assert "Campagnes" in by_browser
    chosen = await viewer.get("/console/language?to=fr&back=/console/campaigns")
    assert chosen.status == 303
    assert chosen.headers["Location"] == "/console/campaigns"
    cookie = chosen.cookies["sauti_console_language"].value
    assert cookie == "fr"
    away = await viewer.get("/console/language?to=fr&back=https://evil.example/")
    assert away.headers["Location"] == "/console/campaigns"


async def test_only_a_role_that_manages_campaigns_may_close_one(world: World) -> None:
    path = f"/console/campaigns/{CAMPAIGNS[ORG_A]}"
    viewer = await signed_in(world, Role.VIEWER)
    assert "Close the campaign" not in await viewer.page(path)
    refused = await viewer.post(f"{path}/close", {})
    assert refused.status == 403
    assert "does not allow this" in await refused.text()
    admin = await signed_in(world, Role.ADMIN)
    assert "Close the campaign" in await admin.page(path)
    closed = await admin.post(f"{path}/close", {})
    assert closed.status == 303
    after = await admin.page(closed.headers["Location"])
    assert "The campaign is closed" in after
    assert "Open the campaign" in after
    [entry] = world.audit.entries  # recorded as the API records it
    assert (entry.actor, entry.target) == (
        f"staff:{email(ORG_A, Role.ADMIN)}",
        f"campaign:{CAMPAIGNS[ORG_A]}",
    )


async def test_a_form_from_elsewhere_changes_nothing(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    path = f"/console/campaigns/{CAMPAIGNS[ORG_A]}/close"
    forged = await world.client.post(
        path,
        data={"csrf": "guessed"},
        cookies={"sauti_session": admin.cookie},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert "only be sent from its own page" in await forged.text()
    page = await admin.page(f"/console/campaigns/{CAMPAIGNS[ORG_A]}")
    assert "Close the campaign" in page  # still open
    assert world.audit.entries == []
