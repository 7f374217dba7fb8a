"""Running one declared operation for a principal: the steps every caller of an operation
goes through, whichever face it has. The JSON API (`bot.api.server`) runs them for an HTTP
request; the console (`bot.console`) for a page, so a page shows and changes exactly what the
API would, under the same permission check.

The order matters and is the API's: the permission is checked before anything the caller sent
is read (a caller without it learns nothing from validation errors), then path, query and body
are validated by the declared models, then the owning organisation of the thing named is found
and checked (something of another organisation is not found, as a missing one), and only then
does the handler run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.access.permissions import NotFoundError, Principal, authorize
from bot.access.roles import Permission
from bot.api.declare import (
    PUBLIC,
    Call,
    EventStream,
    Face,
    FileStream,
    Operation,
    Owner,
    TextBody,
)
from bot.api.problems import INVALID_REQUEST, ApiError, ErrorItem, Param
from bot.api.services import ApiServices
from bot.records.cases import find_case

Body = BaseModel | str | bytes | None
BodyReader = Callable[[], Awaitable[Body]]


async def invoke(
    operation: Operation,
    services: ApiServices,
    principal: Principal | None,
    *,
    path: Mapping[str, str],
    query: Mapping[str, str],
    read_body: BodyReader,
    face: Face = "api",
) -> BaseModel | FileStream | EventStream:
    """The operation's answer for `principal` (None only for public operations). Raises
    ForbiddenError / NotFoundError (bot.access.permissions) and ApiError (bot.api.problems)."""
    permission = operation.permission
    if permission is not PUBLIC:
        if principal is None:
            raise TypeError(f"{operation.operation_id} needs a caller")
        if isinstance(permission, Permission):
            authorize(principal, permission)
    call = Call(
        principal=principal,
        services=services,
        path=validated(operation.path_model, path, "path"),
        query=validated(operation.query, query, "query"),
        body=await read_body(),
        face=face,
    )
    if principal is not None and isinstance(permission, Permission):
        owner = await _owner(operation.owner, call, principal)
        authorize(principal, permission, owner=owner)
    return await operation.handler(call)


def body_from(operation: Operation, values: Mapping[str, Any] | str | bytes | None) -> BodyReader:
    """A body given as values (a page's form, already read), validated as the operation
    declares it."""

    async def read() -> Body:
        declared = operation.body
        if declared is None:
            return None
        if isinstance(declared, TextBody):
            if isinstance(values, bytes) and declared.binary_media_types:
                return values
            if not isinstance(values, str):
                raise TypeError(f"{operation.operation_id} takes its body as text")
            return values
        if not isinstance(values, Mapping):
            raise TypeError(f"{operation.operation_id} takes its body as fields")
        body: BaseModel = validated(declared, values, "body")
        return body

    return read


def validated(model: type[BaseModel] | None, values: Mapping[str, Any], where: str) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise invalid(error, where) from None


def invalid(error: ValidationError, where: str) -> ApiError:
    items = [
        ErrorItem(
            location=".".join([where, *(str(part) for part in item["loc"])]),
            message=item["msg"],
            code=_code(item),
            params=_params(item.get("ctx")) or None,
        )
        for item in error.errors(include_url=False)
    ]
    count = len(items)
    return ApiError(
        INVALID_REQUEST,
        f"{count} problem{'s' if count != 1 else ''} in the {where}",
        errors=items,
        code="invalid_fields",
        params={"count": count},
    )


def _code(item: Any) -> str:
    """pydantic's type of the mistake; an empty text where one is needed is `missing`, as a
    form's field left empty is to the person who sent it."""
    return "missing" if item.get("input") == "" else str(item["type"])


def _params(context: Mapping[str, Any] | None) -> dict[str, Param]:
    """The figures a pydantic error names (`max_length`, `expected`…); the exception a
    validator raised is left out: its text is the message's, in English."""
    return {
        name: value
        for name, value in (context or {}).items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


async def _owner(owner: Owner, call: Call, principal: Principal) -> str:
    """The organisation the request's thing belongs to (NotFoundError: none, or nothing of that
    name), whichever operation it is: the check every handler would otherwise have to make."""
    services = call.services
    if owner is Owner.CALLER:
        return principal.org
    if owner is Owner.CASE_IN_PATH:
        case = await find_case(services.redis, services.schema, _field(call.path, "reference"))
        campaign_id = case.campaign_id if case is not None else ""
    elif owner is Owner.CAMPAIGN_IN_QUERY:
        campaign_id = _field(call.query, "campaign")
    else:
        campaign_id = _field(call.path, "campaign_id")
    # A case raised outside any campaign belongs to no organisation (only the operator sees it).
    org = await services.campaigns.owner(campaign_id) if campaign_id else None
    if org is None:
        raise NotFoundError(campaign_id)
    return org


def _field(model: BaseModel | None, name: str) -> str:
    value = getattr(model, name, None)
    if not isinstance(value, str):  # a declaration of ours that does not fit its owner
        raise TypeError(f"the operation's owner needs a `{name}` it does not take")
    return value
