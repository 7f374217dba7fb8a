"""The JSON API as an aiohttp application, mounted at /api/v1 by `bot.web`.

Its routes are made from the operations' declarations (`bot.api.declare`): each request is
authenticated, checked against the operation's permission, its path, query and body validated
by the declared models, and the handler's answer written through the declared response model.
Every failure, down to an unknown path, leaves as a problem (`bot.api.problems`); a 500 says
nothing of what broke (the server's log has the traceback).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from pydantic import BaseModel, RootModel

from bot.access.permissions import ForbiddenError, NotFoundError, Principal
from bot.access.roles import Permission
from bot.api.auth import Authenticator, unauthorized
from bot.api.declare import (
    PUBLIC,
    Call,
    EventsResponse,
    EventStream,
    FileResponse,
    FileStream,
    Operation,
    ServerEvent,
    TextBody,
)
from bot.api.files import stream_file
from bot.api.invoke import invoke, validated
from bot.api.openapi import document
from bot.api.problems import (
    BODY_TOO_LARGE,
    FORBIDDEN,
    INTERNAL,
    INVALID_REQUEST,
    MALFORMED_BODY,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNSUPPORTED_MEDIA_TYPE,
    ApiError,
    ErrorItem,
    ProblemType,
    problem_response,
)
from bot.api.services import ApiServices
from bot.storage.errors import STORAGE_FAILURE, is_storage_unavailable

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
JSON = "application/json"
_READ_CHUNK = 64 * 1024
# A comment line on a live stream with nothing new this long: proxies that drop a connection
# silent for a minute keep it, and a write to a client that left ends the stream.
HEARTBEAT_SECONDS = 15.0
# How often a live stream asks again whether its caller still may read it: a sign-out, a role
# taken away or a token revoked ends the stream within this, not at the end of its time.
RECHECK_SECONDS = 15.0


def make_api(
    services: ApiServices,
    operations: Sequence[Operation],
    authenticators: Sequence[Authenticator],
) -> web.Application:
    """The API application (mount it at PREFIX), with `GET /openapi.json` describing it."""
    described = _Described()
    every = (*operations, _openapi_operation(described))
    described.document = document(every, server=PREFIX)
    api = web.Application(middlewares=[_server_timing, _problems])

    async def end_live_streams(_: web.Application) -> None:
        services.live.shut()

    api.on_shutdown.append(end_live_streams)
    for operation in every:
        api.router.add_route(
            operation.method,
            operation.path,
            _endpoint(operation, services, authenticators),
            name=operation.operation_id,
        )
    return api


class OpenApiDocument(RootModel[dict[str, Any]]):
    """The OpenAPI 3.1 document of this API."""


class _Described:
    document: dict[str, Any]


def _openapi_operation(described: _Described) -> Operation:
    async def openapi(call: Call) -> OpenApiDocument:
        return OpenApiDocument(described.document)

    return Operation(
        method="GET",
        path="/openapi.json",
        operation_id="getOpenApi",
        summary="This API's OpenAPI 3.1 document",
        permission=PUBLIC,
        handler=openapi,
        response=OpenApiDocument,
        tag="api",
    )


def _endpoint(
    operation: Operation, services: ApiServices, authenticators: Sequence[Authenticator]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        principal = None
        if operation.permission is not PUBLIC:
            principal = await _authenticate(request, authenticators)

        async def read_body() -> BaseModel | str | bytes | None:
            return await _body(request, operation)

        result = await invoke(
            operation,
            services,
            principal,
            path=dict(request.match_info),
            query=_query(request),
            read_body=read_body,
        )
        if isinstance(operation.response, FileResponse):
            return await _stream(request, operation.status, operation.response, result)
        if isinstance(operation.response, EventsResponse):

            async def still_allowed() -> bool:
                return await _still_allowed(request, authenticators, operation, principal)

            return await _events(request, operation.status, result, still_allowed)
        if not isinstance(result, operation.response):  # a bug of ours, never sent half-right
            raise TypeError(f"{operation.operation_id} answered {type(result).__name__}")
        return web.Response(
            status=operation.status, body=result.model_dump_json().encode(), content_type=JSON
        )

    return endpoint


async def _stream(
    request: web.Request, status: int, declared: FileResponse, result: object
) -> web.StreamResponse:
    if not isinstance(result, FileStream) or result.media_type not in declared.media_types:
        raise TypeError(f"a file operation answered {type(result).__name__}")  # a bug of ours
    return await stream_file(request, result, status=status)


async def _still_allowed(
    request: web.Request,
    authenticators: Sequence[Authenticator],
    operation: Operation,
    opened_by: Principal | None,
) -> bool:
    """Whether the caller who opened a stream may still hold it: the request's credentials
    still hold, for the same caller in the same organisation, with the operation's permission.
    A rate limit reached says nothing against them; Redis out of reach ends the stream (the
    browser opens it again later)."""
    if opened_by is None:
        return True
    try:
        now = await _authenticate(request, authenticators)
    except ApiError as error:
        return error.kind is not UNAUTHORIZED
    except STORAGE_FAILURE:
        return False
    needed = operation.permission
    return (
        now.actor == opened_by.actor
        and now.org == opened_by.org
        and (not isinstance(needed, Permission) or needed in now.permissions)
    )


async def _events(
    request: web.Request,
    status: int,
    result: object,
    still_allowed: Callable[[], Awaitable[bool]],
) -> web.StreamResponse:
    """Server-sent events, written as the operation makes them, until its events end, the
    client leaves (found at the operation's next tick, or when a write fails), the caller no
    longer may read them (asked every RECHECK_SECONDS) or the server shuts down (the
    operation's events end). Nothing is left open either way."""
    if not isinstance(result, EventStream):
        raise TypeError(f"an event operation answered {type(result).__name__}")  # a bug of ours
    response = web.StreamResponse(
        status=status,
        # Here, not in the middleware: the headers leave at once. A proxy must not hold the
        # events back to fill a buffer (`X-Accel-Buffering`, nginx's).
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    response.content_type = "text/event-stream"
    response.charset = "utf-8"
    try:
        await response.prepare(request)
        await response.write(f"retry: {result.retry_ms}\n\n".encode())
        quiet_since = checked = time.monotonic()
        async for event in result.events:
            if time.monotonic() - checked >= RECHECK_SECONDS:
                if not await still_allowed():
                    break
                checked = time.monotonic()
            if event is not None:
                await response.write(_event_text(event).encode())
                quiet_since = time.monotonic()
            elif request.transport is None or request.transport.is_closing():
                return response  # the client left
            elif time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                await response.write(b": still here\n\n")
                quiet_since = time.monotonic()
        await response.write_eof()
    except ConnectionError:
        pass  # the client left while we wrote
    except Exception:
        log.exception("API: %s %s failed while streaming events", request.method, _route(request))
        if request.transport is not None:
            request.transport.abort()
    finally:
        await result.events.aclose()  # also when the request is cancelled
        if result.ended is not None:
            result.ended()
    return response


def _event_text(event: ServerEvent) -> str:
    """One event as the stream carries it: its data on one line (JSON has no raw newline)."""
    data = event.data.replace("\n", " ")
    return f"event: {event.event}\ndata: {data}\n\n"


async def _authenticate(request: web.Request, authenticators: Sequence[Authenticator]) -> Principal:
    for authenticator in authenticators:
        principal = await authenticator.principal(request)
        if principal is not None:
            return principal
    raise unauthorized("this needs an API token: Authorization: Bearer sauti_<id>_<secret>")


def _query(request: web.Request) -> dict[str, str]:
    """Each query parameter once: a repeated one is refused rather than half-read."""
    repeated = sorted({name for name in request.query if len(request.query.getall(name)) > 1})
    if repeated:
        raise ApiError(
            INVALID_REQUEST,
            "a query parameter is given more than once",
            errors=[
                ErrorItem(location=f"query.{name}", message="given twice") for name in repeated
            ],
        )
    return dict(request.query)


async def _body(request: web.Request, operation: Operation) -> BaseModel | str | bytes | None:
    declared = operation.body
    if declared is None:
        return None
    binary = declared.binary_media_types if isinstance(declared, TextBody) else ()
    accepted = (*declared.media_types, *binary) if isinstance(declared, TextBody) else (JSON,)
    if request.content_type not in accepted:
        raise ApiError(
            UNSUPPORTED_MEDIA_TYPE,
            f"send the body as {' or '.join(accepted)}, not {request.content_type}",
        )
    raw = await _read(request, operation.max_body_bytes)
    if request.content_type in binary:
        return raw
    try:
        body_text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(MALFORMED_BODY, "the body is not UTF-8 text") from None
    if isinstance(declared, TextBody):
        return body_text
    try:
        value = json.loads(body_text)
    except ValueError as error:
        raise ApiError(MALFORMED_BODY, f"the body is not JSON: {error}") from None
    return validated(declared, value, "body") if isinstance(value, dict) else _not_object()


def _not_object() -> BaseModel:
    raise ApiError(
        INVALID_REQUEST,
        "the body must be a JSON object",
        errors=[ErrorItem(location="body", message="expected an object")],
    )


async def _read(request: web.Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` (announced or not)."""
    too_large = ApiError(BODY_TOO_LARGE, f"this operation takes at most {limit} bytes of body")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


_HTTP_PROBLEMS: dict[int, tuple[ProblemType, str]] = {
    404: (NOT_FOUND, "no such path in this API (see /api/v1/openapi.json)"),
    405: (METHOD_NOT_ALLOWED, "this path does not take that method"),
    413: (BODY_TOO_LARGE, "the request body is too large"),
}


@web.middleware
async def _server_timing(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """`Server-Timing: app;dur=<ms>`: the time this API spent on the request (who calls, the
    rate, the operation, its answer serialised), so a client can tell the server's time from
    the network's. A streamed file's headers leave before its end: it has none."""
    began = time.perf_counter()
    response = await handler(request)
    if not response.prepared:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.2f}"
    return response


@web.middleware
async def _problems(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await _answer(request, handler)
    # Answers name people's answers and cases: no shared or browser cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


async def _answer(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return problem_response(error)
    except NotFoundError:
        return problem_response(ApiError(NOT_FOUND, "nothing of that name here"))
    except ForbiddenError as error:
        detail = f"your role does not hold {error.permission.value}"
        return problem_response(ApiError(FORBIDDEN, detail))
    except web.HTTPException as error:
        kind, detail = _HTTP_PROBLEMS.get(error.status, (INTERNAL, "unexpected"))
        headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else {}
        return problem_response(ApiError(kind, detail, headers=headers))
    except STORAGE_FAILURE as error:
        if not is_storage_unavailable(error):  # Redis refused what was asked: our fault, a 500
            log.exception("API: %s %s failed in Redis", request.method, _route(request))
            return problem_response(ApiError(INTERNAL, "the error was logged; try again later"))
        log.warning("API: Redis unavailable for %s %s", request.method, _route(request))
        return problem_response(ApiError(UNAVAILABLE, "try again shortly"))
    except Exception:
        log.exception("API: %s %s failed", request.method, _route(request))
        return problem_response(ApiError(INTERNAL, "the error was logged; try again later"))


def _route(request: web.Request) -> str:
    """The route's pattern, never the path (it may name a case or campaign)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"
