"""Staff and tokens, for admins: the organisation's members with their roles (change one, remove
someone behind a confirmation, reset an account, add someone), and its API tokens (make one,
revoke one behind a confirmation). Each runs the API's operation (bot.api.operations.staff,
.tokens), so the rules, the refusals and the audit entries are those of the API and the
command line.

A setup link or a token's secret is shown once, on the page that answers the change (not
after a redirect: nothing keeps it to show again)."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.access.permissions import NotFoundError
from bot.access.roles import Permission, Role
from bot.api.operations.staff import AddedOut, ResetOut, StaffList, StaffMemberOut
from bot.api.operations.tokens import IssuedOut, TokenList, TokenOut
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.view import View

pages = Pages()
DONE = {  # what the page says after a change it made (`?done=`)
    "role": N_("The role is changed. If they were signed in, they sign in again."),
    "removed": N_("They are no longer staff of the organisation; their tokens stopped."),
    "revoked": N_("The token is revoked: it no longer works."),
}


@pages.get("/console/staff", permission=Permission.STAFF_MANAGE)
async def staff_list(view: View) -> web.StreamResponse:
    staff: StaffList = await view.invoke("listStaff")
    done = DONE.get(view.request.query.get("done", ""))
    return view.render(
        "staff.html",
        view.gettext("Staff"),
        notice=view.gettext(done) if done else None,
        members=staff.items,
        roles=list(Role),
        banners=await view.site.banners_for(view),
    )


@pages.post("/console/staff/add", permission=Permission.STAFF_MANAGE)
async def add_member(view: View) -> web.StreamResponse:
    form = await view.form()
    added: AddedOut = await view.invoke(
        "addStaff", body={"email": form.get("email"), "role": form.get("role")}
    )
    return view.render(
        "staff_added.html",
        view.gettext("Member added"),
        added=added,
        banners=await view.site.banners_for(view),
    )


@pages.post("/console/staff/role", permission=Permission.STAFF_MANAGE)
async def change_role(view: View) -> web.StreamResponse:
    form = await view.form()
    await view.invoke(
        "setStaffRole", path={"email": form.get("email")}, body={"role": form.get("role")}
    )
    raise view.redirect("/console/staff?done=role")


@pages.get("/console/staff/remove", permission=Permission.STAFF_MANAGE)
async def confirm_removal(view: View) -> web.StreamResponse:
    member = await _member(view, view.request.query.get("email", ""))
    return await _confirm(
        view,
        view.gettext("Remove %(email)s?", email=member.email),
        view.gettext(
            "%(email)s will no longer be staff of the organisation: signed out of it at once, "
            "and their tokens stop working.",
            email=member.email,
        ),
        "/console/staff/remove",
        {"email": member.email},
        view.gettext("Remove"),
    )


@pages.post("/console/staff/remove", permission=Permission.STAFF_MANAGE)
async def remove_member(view: View) -> web.StreamResponse:
    form = await view.form()
    await view.invoke("removeStaff", path={"email": form.get("email")})
    raise view.redirect("/console/staff?done=removed")


@pages.get("/console/staff/reset", permission=Permission.STAFF_MANAGE)
async def confirm_reset(view: View) -> web.StreamResponse:
    member = await _member(view, view.request.query.get("email", ""))
    return await _confirm(
        view,
        view.gettext("Reset %(email)s?", email=member.email),
        view.gettext(
            "Their password and second factor are removed and they are signed out everywhere. "
            "You get a new setup link to give them.",
        ),
        "/console/staff/reset",
        {"email": member.email},
        view.gettext("Reset and show a new link"),
    )


@pages.post("/console/staff/reset", permission=Permission.STAFF_MANAGE)
async def reset_member(view: View) -> web.StreamResponse:
    form = await view.form()
    reset: ResetOut = await view.invoke("resetStaff", path={"email": form.get("email")})
    return view.render(
        "staff_reset.html",
        view.gettext("New setup link"),
        reset=reset,
        banners=await view.site.banners_for(view),
    )


@pages.get("/console/tokens", permission=Permission.STAFF_MANAGE)
async def token_list(view: View) -> web.StreamResponse:
    tokens: TokenList = await view.invoke("listTokens")
    staff: StaffList = await view.invoke("listStaff")
    done = DONE.get(view.request.query.get("done", ""))
    return view.render(
        "tokens.html",
        view.gettext("API tokens"),
        notice=view.gettext(done) if done else None,
        tokens=tokens.items,
        members=staff.items,
        roles=list(Role),
        days=view.services.settings.token_days,
        banners=await view.site.banners_for(view),
    )


@pages.post("/console/tokens", permission=Permission.STAFF_MANAGE)
async def create_token(view: View) -> web.StreamResponse:
    form = await view.form()
    body: dict[str, str] = {"owner": form.get("owner")}
    for name in ("role", "days"):
        if form.get(name).strip():  # empty: the owner's role, the usual days
            body[name] = form.get(name).strip()
    issued: IssuedOut = await view.invoke("createToken", body=body)
    return view.render(
        "token_issued.html",
        view.gettext("Token made"),
        issued=issued,
        banners=await view.site.banners_for(view),
    )


@pages.get("/console/tokens/{token_id}/revoke", permission=Permission.STAFF_MANAGE)
async def confirm_revocation(view: View) -> web.StreamResponse:
    token = await _token(view, view.request.match_info["token_id"])
    return await _confirm(
        view,
        view.gettext("Revoke token %(id)s?", id=token.id),
        view.gettext(
            "The token of %(owner)s stops working at once: whatever uses it is refused.",
            owner=token.owner,
        ),
        f"/console/tokens/{token.id}/revoke",
        {},
        view.gettext("Revoke"),
        back="/console/tokens",
    )


@pages.post("/console/tokens/{token_id}/revoke", permission=Permission.STAFF_MANAGE)
async def revoke_token(view: View) -> web.StreamResponse:
    await view.form()
    token_id = view.request.match_info["token_id"]
    await view.invoke("revokeToken", path={"token_id": token_id})
    raise view.redirect("/console/tokens?done=revoked")


async def _confirm(
    view: View,
    title: str,
    question: str,
    action: str,
    fields: Mapping[str, str],
    confirm: str,
    *,
    back: str = "/console/staff",
) -> web.StreamResponse:
    """The page that asks before a change: its button posts `fields` to `action`; nothing
    changes until it is pressed."""
    return view.render(
        "confirm.html",
        title,
        question=question,
        action=action,
        fields=fields,
        confirm=confirm,
        back=back,
        banners=await view.site.banners_for(view),
    )


async def _member(view: View, email: str) -> StaffMemberOut:
    """A member of the organisation, through the API's listing (404 page: none of that
    address here)."""
    staff: StaffList = await view.invoke("listStaff")
    wanted = email.strip().lower()
    for member in staff.items:
        if member.email == wanted:
            return member
    raise NotFoundError(email)


async def _token(view: View, token_id: str) -> TokenOut:
    tokens: TokenList = await view.invoke("listTokens")
    for token in tokens.items:
        if token.id == token_id:
            return token
    raise NotFoundError(token_id)
