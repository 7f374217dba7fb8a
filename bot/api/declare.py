"""How an API operation is declared: once, with everything the router, the validator, the
permission check and the OpenAPI document need. Nothing about an operation is written anywhere
else: the routes (`bot.api.server`) and the document (`bot.api.openapi`) are both made from
these declarations.

    @operations.add(
        "GET", "/campaigns/{campaign_id}", "getCampaign", "One campaign",
        permission=Permission.CAMPAIGNS_READ, path_model=CampaignPath, response=CampaignOut,
        errors=(NOT_FOUND,),
    )
    async def get_campaign(call: Call) -> CampaignOut: ...
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel

from bot.access.permissions import Principal, authorize
from bot.access.roles import Permission
from bot.api.problems import ProblemType

if TYPE_CHECKING:
    from bot.api.services import ApiServices

M = TypeVar("M", bound=BaseModel)

JSON_BODY_BYTES = 16 * 1024  # what a JSON post of this API needs, with room to spare
SURVEY_BODY_BYTES = 256 * 1024  # a survey file


class Anyone(StrEnum):
    """Operations that need no permission: `public` ones need no token either (the API's own
    description); `signed-in` ones need a caller, whatever their role (who am I)."""

    PUBLIC = "public"
    SIGNED_IN = "signed-in"


class Owner(StrEnum):
    """Whose thing an operation acts on. The server finds the owning organisation from the
    request before the handler runs and passes it to the one permission check, so a handler
    cannot forget it: something of another organisation is not found, whatever the handler
    does. Unless declared, it follows from the path: `{campaign_id}` -> the campaign's
    organisation, `{reference}` -> the case's; else the caller's own organisation."""

    CALLER = "caller"  # lists and uploads of the caller's organisation
    CAMPAIGN_IN_PATH = "campaign-in-path"  # the path's `campaign_id`
    CAMPAIGN_IN_QUERY = "campaign-in-query"  # the query's `campaign`
    CASE_IN_PATH = "case-in-path"  # the path's `reference`


def owner_from_path(path: str) -> Owner:
    if "{campaign_id}" in path:
        return Owner.CAMPAIGN_IN_PATH
    if "{reference}" in path:
        return Owner.CASE_IN_PATH
    return Owner.CALLER


PUBLIC = Anyone.PUBLIC
SIGNED_IN = Anyone.SIGNED_IN
Access = Permission | Anyone


@dataclass(frozen=True, slots=True)
class TextBody:
    """A request body taken as text (a survey file), in one of `media_types`; or as bytes,
    untouched, in one of `binary_media_types` (a workbook)."""

    media_types: tuple[str, ...]
    description: str
    binary_media_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileResponse:
    """A response that is a file to save (an export), written as it is made: never whole in
    memory. `media_types` are those the operation may answer in; `json_model`, when given,
    describes what the `application/json` one holds (for the OpenAPI document)."""

    media_types: tuple[str, ...]
    description: str
    json_model: type[BaseModel] | None = None


@dataclass
class FileStream:
    """What an operation declared with a `FileResponse` answers: the file's chunks, written
    to the client as they come (each write waits while the client is slow to read), named
    `filename` for saving, and `ended`, awaited once however the stream ends — complete,
    failed, or the client gone halfway — before a complete file is finished for the client."""

    media_type: str
    filename: str
    chunks: AsyncGenerator[bytes, None]
    ended: Callable[[], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class EventsResponse:
    """A response that is a stream of server-sent events (`text/event-stream`), open until the
    operation's events end, the client goes or the server shuts down."""

    description: str


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One server-sent event: its type and its data (JSON, one line)."""

    event: str
    data: str


@dataclass
class EventStream:
    """What an operation declared with an `EventsResponse` answers: its events, each written as
    it comes (a None written as a heartbeat comment, which also finds a client that left), and
    `ended`, called once however the stream ends."""

    events: AsyncGenerator[ServerEvent | None, None]
    ended: Callable[[], None] | None = None
    retry_ms: int = 5000  # how long a browser waits before it opens the stream again


Face = Literal["api", "console"]


@dataclass
class Call:
    """One request, validated: who asks, and the path, query and body as their models."""

    principal: Principal | None  # None only for public operations
    services: ApiServices
    path: BaseModel | None
    query: BaseModel | None
    body: BaseModel | str | bytes | None
    # Where the call came from: the JSON API, or a console page invoking the operation (an
    # audit entry of a download says which, "to": "api" or "console").
    face: Face = "api"

    @property
    def caller(self) -> Principal:
        if self.principal is None:  # a declaration error, not a client's
            raise RuntimeError("a public operation has no caller")
        return self.principal

    def authorize(self, permission: Permission, *, owner: str | None = None) -> None:
        """The one check (`bot.access.permissions.authorize`), for a thing's owner."""
        authorize(self.caller, permission, owner=owner)

    def path_as(self, model: type[M]) -> M:
        return _as(self.path, model)

    def query_as(self, model: type[M]) -> M:
        return _as(self.query, model)

    def body_as(self, model: type[M]) -> M:
        return _as(self.body, model)

    def text_body(self) -> str:
        if not isinstance(self.body, str):
            raise TypeError("this operation's body is not text")
        return self.body

    def file_body(self) -> str | bytes:
        """A text body, or the bytes of one sent in a binary media type."""
        if not isinstance(self.body, str | bytes):
            raise TypeError("this operation's body is not a file")
        return self.body


Handler = Callable[[Call], Awaitable[BaseModel | FileStream | EventStream]]
Response = type[BaseModel] | FileResponse | EventsResponse


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # below /api/v1, with {parameters}
    operation_id: str
    summary: str
    permission: Access
    handler: Handler
    response: Response
    owner: Owner = Owner.CALLER
    status: int = 200
    path_model: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | TextBody | None = None
    errors: tuple[ProblemType, ...] = ()
    max_body_bytes: int = JSON_BODY_BYTES
    tag: str = "api"
    description: str = ""


@dataclass
class Operations:
    """Every operation of the API, in the order they were declared."""

    declared: list[Operation] = field(default_factory=list)

    def add(  # noqa: PLR0913 - the declaration is the one place all of these are said
        self,
        method: str,
        path: str,
        operation_id: str,
        summary: str,
        *,
        permission: Access,
        response: Response,
        owner: Owner | None = None,
        status: int = 200,
        path_model: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        body: type[BaseModel] | TextBody | None = None,
        errors: tuple[ProblemType, ...] = (),
        max_body_bytes: int = JSON_BODY_BYTES,
        tag: str = "api",
    ) -> Callable[[Handler], Handler]:
        def declare(handler: Handler) -> Handler:
            if any(known.operation_id == operation_id for known in self.declared):
                raise ValueError(f"operation {operation_id} declared twice")
            self.declared.append(
                Operation(
                    method=method,
                    path=path,
                    operation_id=operation_id,
                    summary=summary,
                    permission=permission,
                    handler=handler,
                    response=response,
                    owner=owner if owner is not None else owner_from_path(path),
                    status=status,
                    path_model=path_model,
                    query=query,
                    body=body,
                    errors=errors,
                    max_body_bytes=max_body_bytes,
                    tag=tag,
                    description=(handler.__doc__ or "").strip(),
                )
            )
            return handler

        return declare


def _as(value: object, model: type[M]) -> M:
    if not isinstance(value, model):
        raise TypeError(f"expected {model.__name__}, the operation declared otherwise")
    return value
