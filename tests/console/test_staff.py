"""The Staff, Tokens and Audit pages over HTTP: what an admin sees and changes (the setup link
and a token's secret shown once), confirmations before removing and revoking, refusals for
every other role, and the audit log filtered — all through the API's own operations."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from bot.access.roles import Role
from bot.audit import AuditAction
from bot.audit.log import MAX_SCANNED
from bot.console.i18n import LANGUAGE_COOKIE
from bot.staff_web.auth import SESSION_COOKIE
from tests.bot.api import ORG_A, ORG_B, World, email
from tests.console import signed_in


def _field(page: str, id_: str) -> str:
    """The value of the read-only field `id_` on a page."""
    found = re.search(rf'id="{id_}" type="text" readonly value="([^"]*)"', page)
    assert found is not None, page[:3000]
    return html.unescape(found.group(1))


async def test_an_admin_adds_a_member_and_sees_the_setup_link_once(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    page = await admin.page("/console/staff")
    assert email(ORG_A, Role.CASEWORKER) in page
    assert email(ORG_B, Role.CASEWORKER) not in page
    added = await admin.post(
        "/console/staff/add", {"email": "neema@nuru.example", "role": "analyst"}
    )
    assert added.status == 200
    shown = await added.text()
    assert "Shown only now." in shown
    link = _field(shown, "secret")
    assert "/staff/setup/" in link
    assert (await world.client.get(link[link.index("/staff/setup/") :])).status == 200
    listed = await admin.page("/console/staff")
    assert "neema@nuru.example" in listed
    assert "setup link not used yet" in listed
    assert link not in listed
    [entry] = world.audit.entries
    assert (entry.action, entry.actor, entry.target) == (
        AuditAction.STAFF_ADDED,
        f"staff:{email(ORG_A, Role.ADMIN)}",
        "staff:neema@nuru.example",
    )


async def test_adding_someone_of_another_organisation_shows_what_adding_a_new_one_shows(
    world: World,
) -> None:
    """The page tells an admin nothing of another organisation: the same link shown once, the
    same row in the list; the person joins when they accept, after signing in."""
    admin = await signed_in(world, Role.ADMIN)
    staff = world.deployment.app.staff()
    shared, new = "kofi@shared.example", "amani@nuru.example"
    await staff.add(shared, ORG_B, Role.VIEWER)
    await staff.set_password_hash(shared, "set up: no second factor, a viewer needs none")
    pages = {}
    for address in (shared, new):
        added = await admin.post("/console/staff/add", {"email": address, "role": "analyst"})
        assert added.status == 200
        shown = await added.text()
        link = _field(shown, "secret")
        pages[address] = re.sub(r"\d", "0", shown.replace(link, "LINK").replace(address, "@"))
    assert pages[shared] == pages[new]
    listed = await admin.page("/console/staff")
    rows = {
        address: re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(address)}.*?</tr>", listed, re.S)
        for address in (shared, new)
    }
    found = {
        address: row.group(0).replace(address, "@").replace(quote(address, safe=""), "@")
        for address, row in rows.items()
        if row
    }
    assert len(found) == 2
    assert re.sub(r"\d", "0", found[shared]) == re.sub(r"\d", "0", found[new])


async def test_a_role_is_changed_from_its_row_and_the_member_is_signed_out(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    analyst = await signed_in(world, Role.ANALYST)
    changed = await admin.post(
        "/console/staff/role", {"email": email(ORG_A, Role.ANALYST), "role": "viewer"}
    )
    assert (changed.status, changed.headers["Location"]) == (303, "/console/staff?done=role")
    assert "The role is changed" in await admin.page(changed.headers["Location"])
    assert (await analyst.get("/console/campaigns")).status == 303
    member = await world.deployment.app.staff().get(email(ORG_A, Role.ANALYST))
    assert member is not None
    assert member.role_in(ORG_A) is Role.VIEWER


async def test_removing_someone_asks_first_and_the_last_admin_stays(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    leaving = email(ORG_A, Role.CASEWORKER)
    confirm = await admin.page(f"/console/staff/remove?email={leaving}")
    assert f"Remove {leaving}?" in confirm
    assert 'action="/console/staff/remove"' in confirm
    assert world.audit.entries == []  # asking changed nothing
    assert await world.deployment.app.staff().get(leaving) is not None
    removed = await admin.post("/console/staff/remove", {"email": leaving})
    assert removed.headers["Location"] == "/console/staff?done=removed"
    assert leaving not in await admin.page("/console/staff")
    refused = await admin.post("/console/staff/remove", {"email": email(ORG_A, Role.ADMIN)})
    assert refused.status == 409
    assert "last admin" in await refused.text()
    theirs = await admin.page(f"/console/staff/remove?email={email(ORG_B, Role.VIEWER)}", 404)
    assert "belongs to another organisation" in theirs
    gone = await admin.post("/console/staff/remove", {"email": email(ORG_B, Role.VIEWER)})
    assert gone.status == 404


async def test_a_reset_shows_the_new_link_once(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    viewer = await signed_in(world, Role.VIEWER)
    address = email(ORG_A, Role.VIEWER)
    assert "signed out everywhere" in await admin.page(f"/console/staff/reset?email={address}")
    reset = await admin.post("/console/staff/reset", {"email": address})
    assert reset.status == 200
    link = _field(await reset.text(), "secret")
    assert (await world.client.get(link[link.index("/staff/setup/") :])).status == 200
    assert (await viewer.get("/console/campaigns")).status == 303


async def test_an_admin_makes_a_token_and_revokes_it_after_confirming(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    owner = email(ORG_A, Role.ANALYST)
    page = await admin.page("/console/tokens")
    assert world.token(ORG_A, Role.VIEWER).split("_")[1] in page
    assert world.token(ORG_B, Role.VIEWER).split("_")[1] not in page
    made = await admin.post("/console/tokens", {"owner": owner, "role": "viewer", "days": "7"})
    assert made.status == 200
    secret = _field(await made.text(), "secret")
    token_id = secret.split("_")[1]
    assert (await world.call("GET", "/api/v1/me", token=secret)).status == 200
    listed = await admin.page("/console/tokens")
    assert token_id in listed
    assert secret not in listed
    assert "Revoke" in await admin.page(f"/console/tokens/{token_id}/revoke")
    revoked = await admin.post(f"/console/tokens/{token_id}/revoke", {})
    assert revoked.headers["Location"] == "/console/tokens?done=revoked"
    assert (await world.call("GET", "/api/v1/me", token=secret)).status == 401
    beyond = await admin.post("/console/tokens", {"owner": owner, "role": "admin", "days": ""})
    assert beyond.status == 422
    other = world.token(ORG_B, Role.VIEWER).split("_")[1]
    assert (await admin.post(f"/console/tokens/{other}/revoke", {})).status == 404
    assert (
        await world.call("GET", "/api/v1/me", token=world.token(ORG_B, Role.VIEWER))
    ).status == 200


async def test_other_roles_are_refused_and_do_not_see_the_way_in(world: World) -> None:
    for role in (Role.VIEWER, Role.ANALYST, Role.CASEWORKER):
        member = await signed_in(world, role)
        home = await member.page("/console/campaigns")
        for item in ('href="/console/staff"', 'href="/console/tokens"', 'href="/console/audit"'):
            assert item not in home
        for path in ("/console/staff", "/console/tokens", "/console/audit"):
            assert "does not allow this" in await member.page(path, 403)
        refused = await member.post(
            "/console/staff/add", {"email": "mallory@evil.example", "role": "admin"}
        )
        assert refused.status == 403
    assert await world.deployment.app.staff().get("mallory@evil.example") is None
    admin = await signed_in(world, Role.ADMIN)
    home = await admin.page("/console/campaigns")
    for item in ('href="/console/staff"', 'href="/console/tokens"', 'href="/console/audit"'):
        assert item in home


async def test_the_audit_log_is_newest_first_filtered_and_verified(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    await admin.post("/console/staff/add", {"email": "a@nuru.example", "role": "viewer"})
    await admin.post("/console/staff/add", {"email": "b@nuru.example", "role": "viewer"})
    await admin.post("/console/staff/remove", {"email": "a@nuru.example"})
    page = await admin.page("/console/audit")
    assert "The log is intact: its 3 entries verify" in page
    assert "Checked in full at" in page
    assert page.index("staff:a@nuru.example") < page.index("staff:b@nuru.example")  # newest first
    added = await admin.page("/console/audit?action=staff_added&actor=" + email(ORG_A, Role.ADMIN))
    assert "staff:b@nuru.example" in added
    # Walked on from the first page's verdict: the page says what was walked when.
    assert "the 1 entry appended since was checked on its own" in added
    assert "staff:a@nuru.example" in added
    assert "removed a member" not in added.split("<tbody>")[1]
    none = await admin.page("/console/audit?from=2999-01-01")
    assert "No entry here matches the filters." in none
    wrong = await admin.page("/console/audit?actor=someone&from=soon")
    assert "These filters cannot be used" in wrong
    app = world.deployment.app
    first = (await app.audit_log().entries(ORG_A, limit=1)).entries[0]
    await app.redis.xdel(app.schema.audit(ORG_A), first.id)
    broken = await admin.page("/console/audit")
    assert "The log does not verify." in broken


async def test_the_audit_log_is_paged(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    log = world.deployment.app.audit_log()
    for number in range(60):
        await log.record(
            ORG_A,
            actor="operator",
            action=AuditAction.CAMPAIGN_OPENED,
            target=f"campaign:c{number}",
        )
    first = await admin.page("/console/audit?action=campaign_opened")
    assert "campaign:c10<" in first
    assert "campaign:c9<" not in first
    older = re.search(r'href="(/console/audit\?[^"]*cursor=[^"]*)">Older entries', first)
    assert older is not None
    second = await admin.page(html.unescape(older.group(1)))
    assert "campaign:c9<" in second
    assert "campaign:c59" not in second
    assert "Older entries" not in second
    assert "Newest entries" in second


async def test_the_pages_speak_french(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    french = {"Accept-Language": "fr"}
    for path in ("/console/staff", "/console/tokens", "/console/audit"):
        page = await admin.page(path, headers=french)
        assert 'lang="fr"' in page
    assert "Ajouter un membre" in await admin.page("/console/staff", headers=french)


async def test_a_filtered_page_with_no_match_yet_says_older_entries_are_left(
    world: World,
) -> None:
    """A page reads at most MAX_SCANNED entries: one that found no match among them must not
    say nothing matches when older entries were not looked through."""
    admin = await signed_in(world, Role.ADMIN)
    log = world.deployment.app.audit_log()
    await log.record(
        ORG_A, actor="operator", action=AuditAction.CAMPAIGN_CLOSED, target="campaign:c"
    )
    for number in range(MAX_SCANNED):
        await log.record(
            ORG_A,
            actor="operator",
            action=AuditAction.CAMPAIGN_OPENED,
            target=f"campaign:c{number}",
        )
    first = await admin.page("/console/audit?action=campaign_closed")
    assert "No entry here matches the filters." not in first
    assert "older entries are left to look through" in first
    older = re.search(r'href="(/console/audit\?[^"]*cursor=[^"]*)">Older entries', first)
    assert older is not None
    assert "campaign:c<" in await admin.page(html.unescape(older.group(1)))


async def test_a_refused_change_is_explained_in_french_on_the_french_console(
    world: World,
) -> None:
    admin = await signed_in(world, Role.ADMIN)
    me = email(ORG_A, Role.ADMIN)

    async def in_french(path: str, data: dict[str, str]) -> tuple[int, str]:
        sent = await world.client.post(
            path,
            data=[("csrf", admin.csrf), *data.items()],
            cookies={SESSION_COOKIE: admin.cookie, LANGUAGE_COOKIE: "fr"},
            headers={"Sec-Fetch-Site": "same-origin"},
            allow_redirects=False,
        )
        return sent.status, html.unescape(await sent.text())

    status, page = await in_french("/console/staff/remove", {"email": me})
    assert status == 409
    assert f"{me} est le dernier administrateur de cette organisation" in page
    assert "last admin" not in page
    status, page = await in_french("/console/staff/add", {"email": me, "role": "viewer"})
    assert status == 409
    assert f"{me} fait déjà partie du personnel de cette organisation." in page


async def test_bad_input_gets_a_clear_answer_and_changes_nothing(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    before = await world.deployment.app.staff().members(ORG_A)
    posts = [
        ("/console/staff/add", {"email": "not an address", "role": "viewer"}, 422),
        ("/console/staff/add", {"email": "x@nuru.example", "role": "owner"}, 422),
        ("/console/staff/add", {}, 422),
        ("/console/staff/role", {"email": email(ORG_A, Role.VIEWER), "role": ""}, 422),
        ("/console/staff/role", {"email": "x" * 400, "role": "viewer"}, 422),
        ("/console/staff/remove", {"email": ""}, 422),
        ("/console/tokens", {"owner": email(ORG_A, Role.VIEWER), "days": "soon"}, 422),
        ("/console/tokens", {"owner": email(ORG_A, Role.VIEWER), "days": "9999"}, 422),
        ("/console/tokens", {"owner": email(ORG_B, Role.VIEWER)}, 404),
        ("/console/tokens/not-a-token/revoke", {}, 422),
    ]
    for path, data, status in posts:
        response = await admin.post(path, data)
        text = await response.text()
        assert response.status == status, (path, data, text[:500])
        assert "Traceback" not in text
    for path in (
        "/console/audit?cursor=garbage",
        "/console/audit?to=9999-12-31&from=0001-01-01",
        "/console/audit?action=nothing",
    ):
        await admin.page(path)  # the filters' problem on the page itself, not an error
    assert await admin.page("/console/tokens/zzz/revoke", 404)
    assert await world.deployment.app.staff().members(ORG_A) == before
    # Only the readings of the log are recorded: nothing was changed.
    assert {entry.action for entry in world.audit.entries} <= {AuditAction.AUDIT_READ}
