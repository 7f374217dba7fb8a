"""A file operation's answer (`FileStream`) written to the client as it is made: by the JSON
API, and by the console's download links, so both faces send the same file the same way.

Once its first bytes are out no problem can be sent: a file cut short by a failure (logged) or
by `ended` failing is cut off without its end, so the client sees an incomplete transfer rather
than a file that looks whole.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping

from aiohttp import web

from bot.api.declare import FileStream

log = logging.getLogger(__name__)

_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


async def stream_file(
    request: web.Request,
    result: FileStream,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.StreamResponse:
    """Send `result` as an attachment (with `headers` besides: they must be set here, since
    they leave with the first chunk); `ended` is awaited however the stream ends."""
    filename = _FILENAME_UNSAFE.sub("_", result.filename)
    response = web.StreamResponse(
        status=status,
        headers={
            **(headers or {}),
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
    response.content_type = result.media_type
    if result.media_type.startswith("text/") or result.media_type.endswith("/json"):
        response.charset = "utf-8"
    try:
        written = await _write_all(request, response, result)
    finally:  # also when the request is cancelled
        accounted = await _ended(request, result)
    if written and accounted:
        with contextlib.suppress(ConnectionError):  # gone at the last moment: counted
            await response.write_eof()
    elif request.transport is not None:
        request.transport.abort()
    return response


async def _write_all(
    request: web.Request, response: web.StreamResponse, result: FileStream
) -> bool:
    """Whether every chunk was written (each write waits while the client is slow to read)."""
    try:
        await response.prepare(request)
        async for chunk in result.chunks:
            await response.write(chunk)
    except ConnectionError:
        return False  # the client went away
    except Exception:
        log.exception("%s %s failed while streaming a file", request.method, _route(request))
        return False
    finally:
        await result.chunks.aclose()  # what it holds open (a walk over Redis) ends here
    return True


async def _ended(request: web.Request, result: FileStream) -> bool:
    if result.ended is None:
        return True
    try:
        await result.ended()
    except Exception:
        log.exception("%s %s could not finish a stream", request.method, _route(request))
        return False
    return True


def _route(request: web.Request) -> str:
    """The route's pattern, never the path (it may name a case or campaign)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"
