"""The console's signed-in browser calls the same API with its session cookie: the same role
and organisation as the session, and changes only with the session's form token."""

from __future__ import annotations

from bot.access.roles import Role
from bot.staff_web.auth import SESSION_COOKIE
from bot.staff_web.wiring import build_sign_in
from tests.bot.api import CAMPAIGNS, ORG_A, World, email


async def _session(world: World, role: Role) -> tuple[str, str]:
    """A signed-in session of the organisation's member of `role`: its cookie and form token."""
    sessions = build_sign_in(world.deployment.app).sessions
    token = await sessions.create(email(ORG_A, role), ORG_A, role, mfa=True)
    session = await sessions.get(token)
    assert session is not None
    return token, session.csrf


async def test_a_signed_in_browser_acts_with_its_sessions_role(world: World) -> None:
    cookie, csrf = await _session(world, Role.ADMIN)
    cookies = {SESSION_COOKIE: cookie}
    me = await world.client.get("/api/v1/me", cookies=cookies)
    assert me.status == 200
    assert (await me.json())["actor"] == f"staff:{email(ORG_A, Role.ADMIN)}"

    close = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/close"
    forged = await world.client.post(close, cookies=cookies)  # another site's form would
    assert forged.status == 403
    assert (await forged.json())["detail"].endswith("X-CSRF-Token")
    closed = await world.client.post(close, cookies=cookies, headers={"X-CSRF-Token": csrf})
    assert closed.status == 200
    [entry] = world.audit.entries
    assert entry.actor == f"staff:{email(ORG_A, Role.ADMIN)}"


async def test_a_viewers_session_is_refused_what_a_viewer_may_not_do(world: World) -> None:
    cookie, _ = await _session(world, Role.VIEWER)
    response = await world.client.get(
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/responses", cookies={SESSION_COOKIE: cookie}
    )
    assert response.status == 403
    unknown = await world.client.get("/api/v1/me", cookies={SESSION_COOKIE: "made-up"})
    assert unknown.status == 401
