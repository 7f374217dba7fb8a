"""An admin of A who adds someone who is already staff of B learns nothing of B: resetting
the invited person answers exactly as resetting a new address does (a new link, the old one
stops, the same audit entry), changes nothing of their account in B, and when they accept,
the log says they joined by accepting, as themselves."""

from __future__ import annotations

from typing import Any

from bot.access.roles import Role
from bot.audit import AuditAction
from bot.staff_web.wiring import build_sign_in, build_staff_changes
from tests.bot.api import ORG_A, ORG_B, World, email
from tests.bot.api.test_staff import STAFF, _shape

NEW = "newcomer@nuru.example"


async def _add(world: World, address: str) -> dict[str, Any]:
    added = await world.call(
        "POST", STAFF, token=world.token(ORG_A), json={"email": address, "role": "viewer"}
    )
    assert added.status == 201, await added.text()
    body: dict[str, Any] = await added.json()
    return body


async def _reset(world: World, address: str) -> tuple[int, dict[str, Any]]:
    reset = await world.call("POST", f"{STAFF}/{address}/reset", token=world.token(ORG_A))
    body: dict[str, Any] = await reset.json()
    return reset.status, body


def _reset_shape(body: dict[str, Any], address: str) -> dict[str, Any]:
    """A reset's answer without what differs by nature (the address, the token, the time)."""
    url = body["setup_link"]["url"]
    return {
        **body,
        "email": body["email"] == address,
        "setup_link": {"url": (url.rsplit("/", 1)[0], len(url)), "expires": 0},
    }


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def test_resetting_someone_invited_answers_as_resetting_a_new_address(
    world: World,
) -> None:
    shared = email(ORG_B, Role.ANALYST)
    added = {address: await _add(world, address) for address in (shared, NEW)}
    assert _shape(added[shared], shared) == _shape(added[NEW], NEW)  # the same link target
    world.audit.entries.clear()
    sign_in = build_sign_in(world.deployment.app)
    before = await world.deployment.app.staff().get(shared)

    answers = {address: await _reset(world, address) for address in (shared, NEW)}
    assert answers[shared][0] == answers[NEW][0] == 200
    assert _reset_shape(answers[shared][1], shared) == _reset_shape(answers[NEW][1], NEW)
    entries = [(e.org, e.action, e.details) for e in world.audit.entries]
    reset = (ORG_A, AuditAction.SIGN_OUT_EVERYWHERE, {"reason": "reset"})
    assert entries == [reset, reset]  # one each, in A only: B's log learns nothing of A

    # Each old link stops and the new one works, as for a new account.
    invitations = build_staff_changes(world.deployment.app).invitations
    old, new = (
        _token(added[shared]["setup_link"]["url"]),
        _token(answers[shared][1]["setup_link"]["url"]),
    )
    assert await invitations.link(old) is None
    assert await invitations.link(new) == (shared, ORG_A)
    assert await sign_in.links.find(_token(added[NEW]["setup_link"]["url"])) is None
    assert await sign_in.links.find(_token(answers[NEW][1]["setup_link"]["url"])) is not None
    # Nothing of the account in B changed: an admin of A cannot sign it out or lock it out.
    assert await world.deployment.app.staff().get(shared) == before
    listed = {item["email"]: item for item in (await world.get(STAFF, world.token(ORG_A)))["items"]}
    assert {**listed[shared], "email": "", "created": 0} == {
        **listed[NEW],
        "email": "",
        "created": 0,
    }


async def test_resetting_someone_never_added_is_not_found(world: World) -> None:
    status, body = await _reset(world, "nobody@nuru.example")
    assert (status, body["type"].rsplit("/", 1)[1]) == (404, "not-found")
    status, _ = await _reset(world, email(ORG_B, Role.ANALYST))  # staff of B, not invited
    assert status == 404


async def test_accepting_an_invitation_is_audited_as_its_own_action(world: World) -> None:
    shared = email(ORG_B, Role.ANALYST)
    await _add(world, shared)
    changes = build_staff_changes(world.deployment.app)
    assert await changes.accept(shared, ORG_A) is Role.VIEWER

    log = world.deployment.app.audit_log()
    joined = (await log.entries(ORG_A, action=AuditAction.STAFF_INVITATION_ACCEPTED)).entries
    assert [(e.record.actor, e.record.target, e.record.details) for e in joined if e.record] == [
        (f"staff:{shared}", f"staff:{shared}", {"role": "viewer"})
    ]
    added = (await log.entries(ORG_A, action=AuditAction.STAFF_ADDED)).entries
    assert [e.record.actor for e in added if e.record] == [
        f"token:{world.token(ORG_A).split('_')[1]}"
    ]  # the invitation
    assert (await log.entries(ORG_B, action=AuditAction.STAFF_INVITATION_ACCEPTED)).entries == []


async def test_a_role_changed_before_joining_keeps_the_link_handed_out(world: World) -> None:
    """As a new account's setup link survives a change of its role, so does an invitation's."""
    shared = email(ORG_B, Role.ANALYST)
    added = {address: await _add(world, address) for address in (shared, NEW)}
    for address in (shared, NEW):
        changed = await world.call(
            "POST", f"{STAFF}/{address}/role", token=world.token(ORG_A), json={"role": "analyst"}
        )
        assert changed.status == 200
    invitations = build_staff_changes(world.deployment.app).invitations
    assert await invitations.link(_token(added[shared]["setup_link"]["url"])) == (shared, ORG_A)
    sign_in = build_sign_in(world.deployment.app)
    assert await sign_in.links.find(_token(added[NEW]["setup_link"]["url"])) is not None
    listed = {i["email"]: i for i in (await world.get(STAFF, world.token(ORG_A)))["items"]}
    assert (listed[shared]["role"], listed[NEW]["role"]) == ("analyst", "analyst")
    assert await build_staff_changes(world.deployment.app).accept(shared, ORG_A) is Role.ANALYST
