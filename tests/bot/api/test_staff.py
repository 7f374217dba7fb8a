"""Staff and tokens over the API: an admin adds people (their setup link shown once), changes
roles, removes and resets them, makes and revokes tokens — under the command line's rules and
into the audit log as themselves; nobody else may, and another organisation's people and
tokens are not found."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.access.permissions import ForbiddenError, Principal
from bot.access.roles import Role
from bot.access.signin import LINK_GONE
from bot.access.tokens import TokenStore
from bot.audit import AuditAction
from bot.staff_web.auth import SESSION_COOKIE
from bot.staff_web.wiring import build_sign_in, build_staff_changes
from tests.bot.api import ORG_A, ORG_B, World, email
from tests.bot.commands import sauti
from tests.console import signed_in

STAFF = "/api/v1/staff"
TOKENS = "/api/v1/tokens"
VIEWER = {"role": "viewer"}
NEWCOMER = "victim@bravo.example"
NEWCOMER_VIEWER = {"email": NEWCOMER, **VIEWER}
PASSWORD = "seven sleepy otters paddle north"


def _actor(world: World, org: str = ORG_A, role: Role = Role.ADMIN) -> str:
    return f"token:{world.token(org, role).split('_')[1]}"


async def test_an_admin_adds_someone_and_gets_their_setup_link_once(world: World) -> None:
    admin = world.token()
    newcomer = {"email": "  Neema@Nuru.example ", "role": "analyst"}
    response = await world.call("POST", STAFF, token=admin, json=newcomer)
    assert response.status == 201, await response.text()
    added = await response.json()
    assert added["member"] == {
        "email": "neema@nuru.example",
        "role": "analyst",
        "password_set": False,
        "second_factor": False,
        "created": added["member"]["created"],
    }
    assert added["new_account"] is True
    link = added["setup_link"]["url"]
    assert "/staff/setup/" in link
    setup = await world.client.get(link[link.index("/staff/setup/") :])
    assert setup.status == 200
    listed = await world.get(STAFF, admin)
    assert "neema@nuru.example" in [member["email"] for member in listed["items"]]
    assert link not in str(listed)  # shown in the answer to the addition only
    again = await world.call("POST", STAFF, token=admin, json=newcomer)
    assert again.status == 409
    [entry] = world.audit.entries
    assert (entry.org, entry.actor, entry.action, entry.target, dict(entry.details)) == (
        ORG_A,
        _actor(world),
        AuditAction.STAFF_ADDED,
        "staff:neema@nuru.example",
        {"role": "analyst"},
    )


async def test_nobody_but_an_admin_may_see_or_change_the_staff(world: World) -> None:
    for role in (Role.VIEWER, Role.ANALYST, Role.CASEWORKER):
        token = world.token(ORG_A, role)
        assert (await world.call("GET", STAFF, token=token)).status == 403
        added = await world.call(
            "POST", STAFF, token=token, json={"email": f"x-{role}@a.example", "role": "admin"}
        )
        assert added.status == 403
        promoted = await world.call(
            "POST", f"{STAFF}/{email(ORG_A, role)}/role", token=token, json={"role": "admin"}
        )
        assert promoted.status == 403
        assert (await world.call("GET", TOKENS, token=token)).status == 403
    assert world.audit.entries == []
    members = await world.deployment.app.staff().members(ORG_A)
    assert (email(ORG_A, Role.VIEWER), Role.VIEWER) in members
    assert all(not address.startswith("x-") for address, _ in members)


async def test_another_organisations_people_and_tokens_are_not_found(world: World) -> None:
    admin = world.token(ORG_A)
    theirs = email(ORG_B, Role.ANALYST)
    calls = [
        ("POST", f"{STAFF}/{theirs}/role", {"role": "viewer"}),
        ("DELETE", f"{STAFF}/{theirs}", None),
        ("POST", f"{STAFF}/{theirs}/reset", None),
        ("POST", f"{STAFF}/nobody@nowhere.example/role", {"role": "viewer"}),
        ("POST", TOKENS, {"owner": theirs}),
        ("POST", f"{TOKENS}/{world.token(ORG_B, Role.VIEWER).split('_')[1]}/revoke", None),
        ("POST", f"{TOKENS}/000000000000/revoke", None),
    ]
    for method, path, body in calls:
        response = await world.call(method, path, token=admin, json=body)
        assert response.status == 404, (path, await response.text())
    assert (
        await world.call("GET", "/api/v1/me", token=world.token(ORG_B, Role.VIEWER))
    ).status == 200
    assert theirs not in str(await world.get(STAFF, admin))
    assert world.audit.entries == []


async def test_a_member_removed_or_moved_is_signed_out_at_once_and_their_token_narrows(
    world: World,
) -> None:
    admin = world.token()
    analyst = await signed_in(world, Role.ANALYST)
    caseworker = await signed_in(world, Role.CASEWORKER)
    assert (await analyst.get("/console/campaigns")).status == 200
    moved = await world.call(
        "POST", f"{STAFF}/{email(ORG_A, Role.ANALYST)}/role", token=admin, json={"role": "viewer"}
    )
    assert moved.status == 200
    assert (await moved.json())["previous_role"] == "analyst"
    gone = await analyst.get("/console/campaigns")
    assert (gone.status, gone.headers["Location"]) == (
        303,
        "/staff/sign-in?next=/console/campaigns",
    )
    # The analyst's token now does what a viewer may, no more.
    me = await world.get("/api/v1/me", world.token(ORG_A, Role.ANALYST))
    assert me["role"] == "viewer"

    removed = await world.call("DELETE", f"{STAFF}/{email(ORG_A, Role.CASEWORKER)}", token=admin)
    assert removed.status == 200
    assert (await caseworker.get("/console/campaigns")).status == 303
    mine = world.token(ORG_A, Role.CASEWORKER)
    assert (await world.call("GET", "/api/v1/me", token=mine)).status == 401
    listed = await world.get(TOKENS, admin)
    [theirs] = [item for item in listed["items"] if item["owner"] == email(ORG_A, Role.CASEWORKER)]
    assert theirs["acts_as"] is None
    assert [(entry.action, entry.target) for entry in world.audit.entries] == [
        (AuditAction.ROLE_CHANGED, f"staff:{email(ORG_A, Role.ANALYST)}"),
        (AuditAction.STAFF_REMOVED, f"staff:{email(ORG_A, Role.CASEWORKER)}"),
    ]
    assert world.audit.entries[0].details == {"from": "analyst", "to": "viewer"}


async def test_the_last_admin_can_be_neither_removed_nor_demoted(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = world.token()
    only = email(ORG_A, Role.ADMIN)
    demoted = await world.call("POST", f"{STAFF}/{only}/role", token=admin, json={"role": "viewer"})
    assert demoted.status == 409
    assert "last admin" in (await demoted.json())["detail"]
    assert (await world.call("DELETE", f"{STAFF}/{only}", token=admin)).status == 409
    assert await sauti("staff", "remove", only, "--org", ORG_A) == 1
    assert "last admin" in capsys.readouterr().err
    assert await world.get("/api/v1/me", admin)  # still an admin, still working
    # With a second admin, the first may step down.
    second = email(ORG_A, Role.VIEWER)
    await world.call("POST", f"{STAFF}/{second}/role", token=admin, json={"role": "admin"})
    stepped = await world.call(
        "POST", f"{STAFF}/{only}/role", token=admin, json={"role": "analyst"}
    )
    assert stepped.status == 200
    assert (await world.deployment.app.staff().get(only)).role_in(ORG_A) is Role.ANALYST  # type: ignore[union-attr]


async def test_a_reset_gives_a_new_link_and_signs_the_person_out(world: World) -> None:
    admin = world.token()
    viewer = await signed_in(world, Role.VIEWER)
    response = await world.call("POST", f"{STAFF}/{email(ORG_A, Role.VIEWER)}/reset", token=admin)
    assert response.status == 200
    link = (await response.json())["setup_link"]["url"]
    assert (await world.client.get(link[link.index("/staff/") :])).status == 200
    assert (await viewer.get("/console/campaigns")).status == 303
    [entry] = world.audit.entries
    assert (entry.action, entry.actor, entry.details) == (
        AuditAction.SIGN_OUT_EVERYWHERE,
        _actor(world),
        {"reason": "reset"},
    )


def _shape(body: dict[str, Any], address: str) -> dict[str, Any]:
    """An answer without what differs by nature (the address, the link's token, the times)."""
    if "setup_link" not in body:  # a problem
        return {**body, "detail": body["detail"].replace(address, ""), "params": None}
    link = body["setup_link"]
    return {
        **body,
        "member": {**body["member"], "email": address == body["member"]["email"], "created": 0},
        "setup_link": {"url": (link["url"].rsplit("/", 1)[0], len(link["url"])), "expires": 0},
    }


async def test_an_account_of_another_organisation_is_invited_with_the_answer_a_new_one_gets(
    world: World,
) -> None:
    """An admin of A learns nothing from the answer of whether an address is staff of B: the
    status, the body and roughly the time are those of a new address. The account joins A only
    when its owner accepts; until then it is listed as a new one is."""
    admin = world.token(ORG_A)
    shared, new = email(ORG_B, Role.ANALYST), "newcomer@nuru.example"
    timed: dict[str, list[float]] = {shared: [], new: []}
    answers = {}
    for n in range(3):
        for address in (shared, new):
            started = time.perf_counter()
            added = await world.call(
                "POST", STAFF, token=admin, json={"email": address, "role": "viewer"}
            )
            timed[address].append(time.perf_counter() - started)
            answers[address] = (added.status, _shape(await added.json(), address))
            assert added.status == 201 if n == 0 else 409
        if n == 0:
            first = dict(answers)
    assert first[shared] == first[new]
    assert answers[shared] == answers[new]  # asked again: "already staff"? neither says so
    assert abs(min(timed[shared]) - min(timed[new])) < 0.25
    listed = {
        item["email"]: item
        for item in (await (await world.call("GET", STAFF, token=admin)).json())["items"]
    }
    assert {**listed[shared], "email": "", "created": 0} == {
        **listed[new],
        "email": "",
        "created": 0,
    }
    assert listed[shared]["password_set"] is False
    assert listed[shared]["second_factor"] is False
    staff = world.deployment.app.staff()
    assert shared not in {address for address, _ in await staff.members(ORG_A)}
    changes = build_staff_changes(world.deployment.app)
    assert await changes.accept(shared, ORG_A) is Role.VIEWER
    assert (shared, Role.VIEWER) in await staff.members(ORG_A)
    assert await changes.accept(shared, ORG_A) is None  # once


async def test_an_invitation_to_be_admin_does_not_keep_the_last_admin_in_place(
    world: World,
) -> None:
    """Someone invited is no admin until they join: the organisation's last admin stays."""
    admin = world.token(ORG_A)
    me, shared = email(ORG_A, Role.ADMIN), email(ORG_B, Role.ANALYST)
    invited = await world.call("POST", STAFF, token=admin, json={"email": shared, "role": "admin"})
    assert invited.status == 201
    refused = await world.call("DELETE", f"{STAFF}/{me}", token=admin)
    assert (refused.status, (await refused.json())["code"]) == (409, "last_admin")
    assert await build_staff_changes(world.deployment.app).accept(shared, ORG_A) is Role.ADMIN
    demoted = await world.call("POST", f"{STAFF}/{me}/role", token=admin, json=VIEWER)
    assert demoted.status == 200


async def test_an_invitation_is_withdrawn_or_changed_as_a_member_would_be(world: World) -> None:
    admin = world.token(ORG_A)
    shared = email(ORG_B, Role.ANALYST)
    await world.call("POST", STAFF, token=admin, json={"email": shared, "role": "viewer"})
    changed = await world.call(
        "POST", f"{STAFF}/{shared}/role", token=admin, json={"role": "analyst"}
    )
    assert (changed.status, (await changed.json())["previous_role"]) == (200, "viewer")
    removed = await world.call("DELETE", f"{STAFF}/{shared}", token=admin)
    assert removed.status == 200
    assert await build_staff_changes(world.deployment.app).accept(shared, ORG_A) is None
    # Still staff of B, untouched.
    member = await world.deployment.app.staff().get(shared)
    assert member is not None
    assert member.role_in(ORG_B) is Role.ANALYST


async def _set_up_from(world: World, link: str) -> tuple[int, str | None]:
    """What the link's holder meets: the setup page's status, and why setting a password
    from the link was refused (None: the account was set up)."""
    path = link[link.index("/staff/setup/") :]
    page = await world.client.get(path)
    sign_in = build_sign_in(world.deployment.app)
    found = await sign_in.links.find(path.rsplit("/", 1)[1])
    if found is None:
        return page.status, LINK_GONE
    refused = await sign_in.complete_setup(found, PASSWORD, PASSWORD, "")
    return page.status, None if refused is None else refused.message


async def test_a_link_handed_out_opens_nothing_once_another_organisation_adds_the_account(
    world: World,
) -> None:
    """Admin A added someone new and holds their link; B then adds them too: A's link must
    not open an account that is now staff of B (its admin, say)."""
    added = await world.call("POST", STAFF, token=world.token(ORG_A), json=NEWCOMER_VIEWER)
    link = (await added.json())["setup_link"]["url"]
    added_b = await world.call("POST", STAFF, token=world.token(ORG_B), json=NEWCOMER_VIEWER)
    assert added_b.status == 201
    # B's link is an invitation's: its page sends to sign-in, it sets no password.
    assert await _set_up_from(world, (await added_b.json())["setup_link"]["url"]) == (
        200,
        LINK_GONE,
    )
    assert await _set_up_from(world, link) == (404, LINK_GONE)
    member = await world.deployment.app.staff().get(NEWCOMER)
    assert member is not None
    assert member.password_hash is None
    # The operator answers for both: their link sets the account up.
    operator_link = await build_sign_in(world.deployment.app).reset(NEWCOMER)
    assert await _set_up_from(world, f"/staff/setup/{operator_link}") == (200, None)


async def test_a_reset_link_opens_nothing_once_another_organisation_adds_the_account(
    world: World,
) -> None:
    admin = world.token(ORG_A)
    assert (await world.call("POST", STAFF, token=admin, json=NEWCOMER_VIEWER)).status == 201
    reset = await world.call("POST", f"{STAFF}/{NEWCOMER}/reset", token=admin)
    assert reset.status == 200
    link = (await reset.json())["setup_link"]["url"]
    joined = {"email": NEWCOMER, "role": "admin"}
    assert (await world.call("POST", STAFF, token=world.token(ORG_B), json=joined)).status == 201
    assert await _set_up_from(world, link) == (404, LINK_GONE)


async def test_a_link_made_for_fewer_organisations_than_the_account_has_now_is_refused(
    world: World,
) -> None:
    """A reset that read the account just before another organisation added it: the link it
    made records the organisations it was made for, and setting up from it is refused."""
    staff = world.deployment.app.staff()
    await staff.add(NEWCOMER, ORG_A, Role.VIEWER)
    token = await build_sign_in(world.deployment.app).links.issue(NEWCOMER, [ORG_A])
    await staff.add(NEWCOMER, ORG_B, Role.ADMIN)
    assert await _set_up_from(world, f"/staff/setup/{token}") == (404, LINK_GONE)
    member = await staff.get(NEWCOMER)
    assert member is not None
    assert member.password_hash is None


@pytest.mark.parametrize(
    "address",
    [
        "amina+254700000000@acme.example",  # plus-addressing: digits like a phone number's
        "firstname.middlename.lastname.department@regional-office.acme-holdings.example",
        "abcdefghijklmnopqrstuvwxyz234567@acme.example",  # a participant id's shape
    ],
)
async def test_any_address_accepted_is_added_and_given_tokens_with_an_audit_entry_each(
    world: World, address: str
) -> None:
    admin = world.token(ORG_A)
    added = await world.call("POST", STAFF, token=admin, json={"email": address, **VIEWER})
    assert added.status == 201, await added.text()
    assert (await added.json())["setup_link"] is not None
    made = await world.call("POST", TOKENS, token=admin, json={"owner": address})
    assert made.status == 201, await made.text()
    token_id = (await made.json())["token"]["id"]
    revoked = await world.call("POST", f"{TOKENS}/{token_id}/revoke", token=admin)
    assert revoked.status == 200, await revoked.text()
    assert [(e.action, e.target) for e in world.audit.entries] == [
        (AuditAction.STAFF_ADDED, f"staff:{address}"),
        (AuditAction.TOKEN_CREATED, f"staff:{address}"),
        (AuditAction.TOKEN_REVOKED, f"staff:{address}"),
    ]


@pytest.mark.parametrize(
    "address",
    [
        "zero\u200bwidth@acme.example",  # a character nobody sees
        "x" * 64 + "@" + "d" * 150 + ".example",  # longer than the audit log names
        "colon:ed@acme.example",
    ],
)
async def test_an_address_the_audit_log_cannot_name_is_refused_and_nothing_is_stored(
    world: World, address: str
) -> None:
    added = await world.call(
        "POST", STAFF, token=world.token(ORG_A), json={"email": address, **VIEWER}
    )
    assert added.status == 422
    said = str(await added.json())  # the field, or why it is no address
    assert "body.email" in said or "is not an e-mail address" in said
    assert await world.deployment.app.staff().get(address.lower()) is None
    assert world.audit.entries == []
    assert await sauti("staff", "add", address, "--org", ORG_A, "--role", "viewer") != 0
    assert await world.deployment.app.staff().get(address.lower()) is None


async def test_an_admin_makes_a_token_shown_once_and_revokes_it(world: World) -> None:
    admin = world.token()
    owner = email(ORG_A, Role.ANALYST)
    made = await world.call(
        "POST", TOKENS, token=admin, json={"owner": owner, "role": "viewer", "days": 3}
    )
    assert made.status == 201
    issued = await made.json()
    secret = issued["secret"]
    token_id = issued["token"]["id"]
    assert (issued["token"]["owner"], issued["token"]["role"]) == (owner, "viewer")
    me = await world.get("/api/v1/me", secret)
    assert (me["role"], me["actor"]) == ("viewer", f"token:{token_id}")
    listed = await world.get(TOKENS, admin)
    assert token_id in [item["id"] for item in listed["items"]]
    assert secret.split("_")[2] not in str(listed)
    beyond = await world.call("POST", TOKENS, token=admin, json={"owner": owner, "role": "admin"})
    assert beyond.status == 422
    revoked = await world.call("POST", f"{TOKENS}/{token_id}/revoke", token=admin)
    assert revoked.status == 200
    assert (await world.call("GET", "/api/v1/me", token=secret)).status == 401
    again = await world.call("POST", f"{TOKENS}/{token_id}/revoke", token=admin)
    assert again.status == 404
    assert [(e.action, e.target, e.actor, e.details["token"]) for e in world.audit.entries] == [
        (AuditAction.TOKEN_CREATED, f"staff:{owner}", _actor(world), token_id),
        (AuditAction.TOKEN_REVOKED, f"staff:{owner}", _actor(world), token_id),
    ]


async def test_the_audit_log_is_filtered_by_actor_action_and_day_newest_first(
    world: World,
) -> None:
    admin = world.token()
    await world.call("POST", STAFF, token=admin, json={"email": "a@nuru.example", "role": "viewer"})
    await world.call("POST", STAFF, token=admin, json={"email": "b@nuru.example", "role": "viewer"})
    await world.call("DELETE", f"{STAFF}/a@nuru.example", token=admin)
    await world.call(
        "POST", "/api/v1/campaigns/none-such/close", token=world.token(ORG_A, Role.VIEWER)
    )
    added = await world.get("/api/v1/audit?action=staff_added&order=newest", admin)
    assert [item["target"] for item in added["items"]] == [
        "staff:b@nuru.example",
        "staff:a@nuru.example",
    ]
    day = added["items"][0]["at"][:10]
    mine = await world.get(f"/api/v1/audit?actor={_actor(world)}&from={day}&to={day}", admin)
    assert [item["action"] for item in mine["items"]] == [
        "staff_added",
        "staff_added",
        "staff_removed",
        "audit_read",  # the reading before
    ]
    later = await world.get(f"/api/v1/audit?from=2999-01-01&actor={_actor(world)}", admin)
    assert later["items"] == []
    operator = await world.get("/api/v1/audit?actor=operator", admin)
    assert operator["items"] == []
    wrong = await world.call("GET", "/api/v1/audit?actor=someone", token=admin)
    assert wrong.status == 422
    assert (await world.call("GET", "/api/v1/audit?from=yesterday", token=admin)).status == 422


async def test_the_chain_verifies_until_an_entry_is_taken_out(world: World) -> None:
    admin = world.token()
    await world.call("POST", STAFF, token=admin, json={"email": "a@nuru.example", "role": "viewer"})
    await world.call("POST", STAFF, token=admin, json={"email": "b@nuru.example", "role": "viewer"})
    intact = await world.get("/api/v1/audit/verify", admin)
    assert (intact["intact"], intact["checked"], intact["problem"]) == (True, 2, None)
    app = world.deployment.app
    page = await app.audit_log().entries(ORG_A, limit=1)
    await app.redis.xdel(app.schema.audit(ORG_A), page.entries[0].id)
    broken = await world.get("/api/v1/audit/verify", admin)
    assert (broken["intact"], broken["problem"]) == (False, "unlinked")
    assert "removed" in broken["detail"]


async def test_a_verdict_says_when_the_whole_chain_was_last_walked(world: World) -> None:
    """Within minutes of a full walk only new entries are walked: an entry rewritten in place
    is found by the next full walk only, so the verdict says when that was."""
    admin = world.token()
    await world.call("POST", STAFF, token=admin, json={"email": "a@nuru.example", "role": "viewer"})
    first = await world.get("/api/v1/audit/verify", admin)
    walked = first["walked_in_full_at"]
    assert (first["checked"], first["appended_since"]) == (1, 0)
    assert walked is not None
    await world.call("POST", STAFF, token=admin, json={"email": "b@nuru.example", "role": "viewer"})
    await world.call("POST", STAFF, token=admin, json={"email": "c@nuru.example", "role": "viewer"})
    later = await world.get("/api/v1/audit/verify", admin)
    assert (later["checked"], later["walked_in_full_at"], later["appended_since"]) == (3, walked, 2)


async def test_an_admin_demoted_while_their_change_waited_is_refused_it(world: World) -> None:
    """Their request was let in as admin; another admin's demotion of them came first: the
    change they asked for (undoing it) is refused, and the demotion stands."""
    app = world.deployment.app
    changes = build_staff_changes(app)
    first, second = email(ORG_A, Role.ADMIN), "second.admin@a.example"
    await changes.add(Principal.operator(ORG_A), second, Role.ADMIN)
    in_flight = Principal.staff(first, ORG_A, Role.ADMIN)
    await changes.set_role(Principal.staff(second, ORG_A, Role.ADMIN), first, Role.VIEWER)
    with pytest.raises(ForbiddenError):
        await changes.set_role(in_flight, first, Role.ADMIN)
    with pytest.raises(ForbiddenError):
        await changes.add(in_flight, "friend@a.example", Role.ADMIN)
    members = dict(await app.staff().members(ORG_A))
    assert (members[first], "friend@a.example" in members) == (Role.VIEWER, False)
    # Their token, let in as admin, now acts as a viewer at most: refused too.
    token_id = world.token(ORG_A).split("_")[1]
    assert (await TokenStore(app.redis, app.schema).get(token_id)).email == first  # type: ignore[union-attr]
    with pytest.raises(ForbiddenError):
        await changes.remove(Principal.token(token_id, ORG_A, Role.ADMIN), second)
    with pytest.raises(ForbiddenError):
        await changes.revoke_token(Principal.token(token_id, ORG_A, Role.ADMIN), token_id)
    assert dict(await app.staff().members(ORG_A))[second] is Role.ADMIN


async def test_a_token_revoked_by_several_at_once_is_revoked_once_without_a_server_error(
    world: World,
) -> None:
    admin = world.token(ORG_A)
    made = await world.call("POST", TOKENS, token=admin, json={"owner": email(ORG_A, Role.VIEWER)})
    token_id = (await made.json())["token"]["id"]
    path = f"{TOKENS}/{token_id}/revoke"
    answers = await asyncio.gather(*(world.call("POST", path, token=admin) for _ in range(6)))
    statuses = sorted(answer.status for answer in answers)
    assert set(statuses) <= {200, 404}
    assert statuses[0] == 200
    assert (await world.call("POST", path, token=admin)).status == 404


async def test_a_session_cookie_alone_cannot_add_staff(world: World) -> None:
    """The browser's session calls the API with its form token too (bot.staff_web.auth)."""
    admin = await signed_in(world, Role.ADMIN)
    forged = await world.client.post(
        STAFF,
        json={"email": "mallory@evil.example", "role": "admin"},
        cookies={SESSION_COOKIE: admin.cookie},
    )
    assert forged.status in (401, 403)
    assert await world.deployment.app.staff().get("mallory@evil.example") is None


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(world: World) -> None:
    first, second = email(ORG_A, Role.ADMIN), email(ORG_A, Role.VIEWER)
    await world.call("POST", f"{STAFF}/{second}/role", token=world.token(), json={"role": "admin"})
    app = world.deployment.app
    theirs = await TokenStore(app.redis, app.schema).create(second, ORG_A, Role.ADMIN, days=1)
    tokens = {first: world.token(ORG_A, Role.ADMIN), second: theirs.secret_token}
    for _ in range(5):
        demotions = await asyncio.gather(
            world.call("POST", f"{STAFF}/{second}/role", token=tokens[first], json=VIEWER),
            world.call("POST", f"{STAFF}/{first}/role", token=tokens[second], json=VIEWER),
        )
        # The one second: refused as the last admin, or — demoted first — as a viewer now.
        assert sorted(response.status for response in demotions) in ([200, 403], [200, 409])
        admins = [
            address
            for address, role in await world.deployment.app.staff().members(ORG_A)
            if role is Role.ADMIN
        ]
        assert len(admins) == 1
        await world.deployment.app.staff().set_role(
            second if admins == [first] else first, ORG_A, Role.ADMIN
        )
