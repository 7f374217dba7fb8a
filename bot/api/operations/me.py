"""`GET /me`: who the caller is, in which organisation, with which role and permissions."""

from __future__ import annotations

from pydantic import BaseModel

from bot.access.roles import Role
from bot.api.declare import SIGNED_IN, Call, Operations
from bot.api.operations.common import organisation_of

operations = Operations()


class OrganisationOut(BaseModel):
    slug: str
    name: str


class MeOut(BaseModel):
    """The caller."""

    actor: str  # token:<id> or staff:<email>, as the audit log names them
    organisation: OrganisationOut
    role: Role | None
    permissions: list[str]


@operations.add(
    "GET", "/me", "getMe", "Who am I", permission=SIGNED_IN, response=MeOut, tag="organisation"
)
async def get_me(call: Call) -> MeOut:
    """The caller's organisation, role and the permissions it grants (a token's role may be
    less than the one it was made with, when its owner's role was lowered since)."""
    caller = call.caller
    organisation = await organisation_of(call)
    return MeOut(
        actor=caller.actor,
        organisation=OrganisationOut(slug=organisation.slug, name=organisation.name),
        role=caller.role,
        permissions=sorted(permission.value for permission in caller.permissions),
    )
