"""Staff: the organisation's members and their roles — list, add (with a one-time setup link),
change a role, remove, reset. The rules and audit entries are the command line's
(`bot.access.membership`): the last admin stays, a setup link only for an account of the
caller's organisation alone, another organisation's member is not found."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.access.invitations import Invitation
from bot.access.membership import StaffConflictError
from bot.access.permissions import NotFoundError
from bot.access.roles import Permission, Role
from bot.access.staff import MAX_EMAIL, StaffError, StaffMember, normal_email
from bot.api.declare import Call, Operations
from bot.api.operations.common import moment, staff_tools
from bot.api.problems import CONFLICT, INVALID_REQUEST, NOT_FOUND, ApiError
from bot.api.services import StaffTools

operations = Operations()


class StaffMemberOut(BaseModel):
    """A member of the organisation (never their password or second factor, only whether they
    have set them up)."""

    email: str
    role: Role
    password_set: bool
    second_factor: bool
    created: dt.datetime | None


class StaffList(BaseModel):
    """The organisation's staff, by address (a short list: all of it)."""

    items: list[StaffMemberOut]


class StaffPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=MAX_EMAIL)


class NewMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=MAX_EMAIL)
    role: Role


class SetupLinkOut(BaseModel):
    """A one-time setup link: shown in this answer only, never again (pass it on)."""

    url: str
    expires: dt.datetime


class AddedOut(BaseModel):
    member: StaffMemberOut
    new_account: bool
    setup_link: SetupLinkOut | None = Field(
        description="for an account that cannot sign in yet: give it to the person; null "
        "when they sign in as they already do, or when the account, also staff of another "
        "organisation, has no password yet (its operator gives it a link: `sauti staff reset`)"
    )
    second_factor_missing: bool = Field(
        description="the role reads personal data and the account has no second factor yet: "
        "a reset gives it a link to set one up; the account is staff of another organisation "
        "too, so the operator resets it (`sauti staff reset`), not an admin"
    )


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class RoleChangedOut(BaseModel):
    member: StaffMemberOut
    previous_role: Role


class RemovedOut(BaseModel):
    email: str
    removed: bool


class ResetOut(BaseModel):
    email: str
    setup_link: SetupLinkOut


@operations.add(
    "GET",
    "/staff",
    "listStaff",
    "The organisation's staff",
    permission=Permission.STAFF_MANAGE,
    response=StaffList,
    tag="staff",
)
async def list_staff(call: Call) -> StaffList:
    org = call.caller.org
    accounts = await call.services.staff.accounts(org)
    invited = await staff_tools(call).changes.invitations.of_organisation(org)
    waiting = [_invited(one) for one in invited]
    members = [_member(member, org) for member in accounts]
    return StaffList(items=sorted([*members, *waiting], key=lambda member: member.email))


@operations.add(
    "POST",
    "/staff",
    "addStaff",
    "Give someone a role in the organisation",
    permission=Permission.STAFF_MANAGE,
    body=NewMemberIn,
    response=AddedOut,
    status=201,
    errors=(CONFLICT,),
    tag="staff",
)
async def add_staff(call: Call) -> AddedOut:
    """A new account gets a one-time setup link, in this answer only: pass it on to the person
    (it sets their password and, for a role that reads personal data, second factor)."""
    body = call.body_as(NewMemberIn)
    tools = staff_tools(call)
    try:
        added = await tools.changes.add(call.caller, body.email, body.role)
    except StaffError as error:
        raise _refused(error) from None
    link = _link(call, tools, added.setup_token) if added.setup_token is not None else None
    if call.caller.role is not None:
        # An admin: the answer is a new account's whether the address is one or staff of
        # another organisation (then invited: bot.access.invitations), and takes as long.
        member = StaffMemberOut(
            email=added.email,
            role=added.role,
            password_set=False,
            second_factor=False,
            created=moment(int(call.services.clock())),
        )
    else:
        member = await _member_now(call, added.email)
    return AddedOut(
        member=member,
        new_account=added.new_account,
        setup_link=link,
        second_factor_missing=added.second_factor_missing,
    )


@operations.add(
    "POST",
    "/staff/{email}/role",
    "setStaffRole",
    "Change a member's role",
    permission=Permission.STAFF_MANAGE,
    path_model=StaffPath,
    body=RoleIn,
    response=RoleChangedOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="staff",
)
async def set_staff_role(call: Call) -> RoleChangedOut:
    """Their signed-in sessions in the organisation end at once (they sign in again, with a
    second factor if the new role needs one); their tokens carry the new role at most. The
    organisation's last admin keeps the role (409)."""
    email = call.path_as(StaffPath).email
    try:
        before = await staff_tools(call).changes.set_role(
            call.caller, email, call.body_as(RoleIn).role
        )
    except StaffError as error:
        raise _refused(error) from None
    return RoleChangedOut(member=await _member_now(call, email), previous_role=before)


@operations.add(
    "DELETE",
    "/staff/{email}",
    "removeStaff",
    "Take someone out of the organisation",
    permission=Permission.STAFF_MANAGE,
    path_model=StaffPath,
    response=RemovedOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="staff",
)
async def remove_staff(call: Call) -> RemovedOut:
    """Their sessions in the organisation end at once and their tokens of it stop working. The
    organisation's last admin cannot be removed (409)."""
    email = call.path_as(StaffPath).email
    try:
        await staff_tools(call).changes.remove(call.caller, email)
    except StaffError as error:
        raise _refused(error) from None
    return RemovedOut(email=normal_email(email), removed=True)


@operations.add(
    "POST",
    "/staff/{email}/reset",
    "resetStaff",
    "A new setup link for someone who lost their password or second factor",
    permission=Permission.STAFF_MANAGE,
    path_model=StaffPath,
    response=ResetOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="staff",
)
async def reset_staff(call: Call) -> ResetOut:
    """Their password and second factor are removed and they are signed out everywhere; the
    new link is in this answer only. An account that is also staff of another organisation
    is reset by the operator only (409): its link would open that organisation too."""
    email = call.path_as(StaffPath).email
    tools = staff_tools(call)
    try:
        token = await tools.changes.reset(call.caller, email)
    except StaffError as error:
        raise _refused(error) from None
    return ResetOut(email=normal_email(email), setup_link=_link(call, tools, token))


def _refused(error: StaffError) -> ApiError:
    if isinstance(error, StaffConflictError):
        return ApiError(
            CONFLICT, str(error), code=error.reason.value, params={"email": error.email}
        )
    # The stores' own refusals: an address that is not one, mostly (the others the changes
    # find first, as conflicts).
    return ApiError(INVALID_REQUEST, str(error), code="staff_refused")


def _link(call: Call, tools: StaffTools, token: str) -> SetupLinkOut:
    expires = moment(call.services.clock() + tools.setup_link_seconds)
    assert expires is not None
    return SetupLinkOut(url=tools.setup_url(token), expires=expires)


async def _member_now(call: Call, email: str) -> StaffMemberOut:
    org = call.caller.org
    member = await call.services.staff.get(email)
    if member is not None and member.role_in(org) is not None:
        return _member(member, org)
    invited = await staff_tools(call).changes.invitations.get(normal_email(email), org)
    if invited is None:  # removed meanwhile
        raise NotFoundError(email)
    return _invited(invited)


def _invited(invitation: Invitation) -> StaffMemberOut:
    """Someone asked to join, listed as a new account is (nothing set up yet), whether or not
    they have an account elsewhere: the list tells no more than addStaff's answer."""
    return StaffMemberOut(
        email=invitation.email,
        role=invitation.role,
        password_set=False,
        second_factor=False,
        created=moment(invitation.asked_ms // 1000),
    )


def _member(member: StaffMember, org: str) -> StaffMemberOut:
    role = member.role_in(org)
    assert role is not None
    return StaffMemberOut(
        email=member.email,
        role=role,
        password_set=member.password_hash is not None,
        second_factor=member.totp_secret is not None,
        created=moment(member.created_at) if member.created_at else None,
    )
