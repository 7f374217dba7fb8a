"""API tokens of the organisation: list (never a secret), make one for a member (its secret in
that answer only), revoke. The rules and audit entries are the command line's
(`bot.access.membership`): a token's role is within its owner's, another organisation's token
or member is not found."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission, Role
from bot.access.staff import MAX_EMAIL, StaffError
from bot.access.tokens import MAX_DAYS, ApiToken, TokenError, effective_role
from bot.api.declare import Call, Operations
from bot.api.operations.common import moment, staff_tools
from bot.api.problems import INVALID_REQUEST, NOT_FOUND, ApiError

operations = Operations()


class TokenOut(BaseModel):
    """An API token, named by its id (its secret was shown once, when it was made)."""

    id: str
    owner: str = Field(description="the staff member it acts for")
    role: Role = Field(description="the role it was made with")
    acts_as: Role | None = Field(
        description="what it grants now: at most its owner's current role (null: nothing, "
        "its owner left the organisation or holds an unrelated role)"
    )
    created: dt.datetime
    expires: dt.datetime
    last_used: dt.datetime | None = Field(description="to the minute; null: never used")


class TokenList(BaseModel):
    """The organisation's tokens, oldest first (a short list: all of it)."""

    items: list[TokenOut]


class NewTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: str = Field(min_length=3, max_length=MAX_EMAIL, description="a member's address")
    role: Role | None = Field(default=None, description="within the owner's (default: theirs)")
    days: int | None = Field(
        default=None, ge=1, le=MAX_DAYS, description="how long it works (default: the setting)"
    )


class IssuedOut(BaseModel):
    token: TokenOut
    secret: str = Field(description="the token to use (`Bearer ...`): shown now, never again")


class TokenPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token_id: str = Field(pattern=r"^[0-9a-f]{12}$")


@operations.add(
    "GET",
    "/tokens",
    "listTokens",
    "The organisation's API tokens",
    permission=Permission.STAFF_MANAGE,
    response=TokenList,
    tag="staff",
)
async def list_tokens(call: Call) -> TokenList:
    services = call.services
    listed = await services.tokens.listed(call.caller.org)
    return TokenList(items=[await _described(call, token) for token in listed])


@operations.add(
    "POST",
    "/tokens",
    "createToken",
    "Make an API token for a member",
    permission=Permission.STAFF_MANAGE,
    body=NewTokenIn,
    response=IssuedOut,
    status=201,
    errors=(NOT_FOUND,),
    tag="staff",
)
async def create_token(call: Call) -> IssuedOut:
    """The secret is in this answer only: Sauti keeps a hash of it. A role beyond the owner's,
    or an owner who is not staff of the organisation, is refused."""
    body = call.body_as(NewTokenIn)
    tools = staff_tools(call)
    days = body.days or call.services.settings.token_days
    try:
        issued = await tools.changes.create_token(call.caller, body.owner, body.role, days)
    except (TokenError, StaffError) as error:
        raise ApiError(INVALID_REQUEST, str(error), code="token_refused") from None
    return IssuedOut(token=await _described(call, issued.token), secret=issued.secret_token)


@operations.add(
    "POST",
    "/tokens/{token_id}/revoke",
    "revokeToken",
    "Stop a token at once",
    permission=Permission.STAFF_MANAGE,
    path_model=TokenPath,
    response=TokenOut,
    errors=(NOT_FOUND,),
    tag="staff",
)
async def revoke_token(call: Call) -> TokenOut:
    tools = staff_tools(call)
    token = await tools.changes.revoke_token(call.caller, call.path_as(TokenPath).token_id)
    return await _described(call, token)


async def _described(call: Call, token: ApiToken) -> TokenOut:
    owner_role = await call.services.tokens.owner_role(token.email, token.org)
    return TokenOut(
        id=token.token_id,
        owner=token.email,
        role=token.role,
        acts_as=effective_role(token.role, owner_role),
        created=dt.datetime.fromtimestamp(token.created_at, dt.UTC),
        expires=dt.datetime.fromtimestamp(token.expires_at, dt.UTC),
        last_used=moment(token.last_used_at),
    )
