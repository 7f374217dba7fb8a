"""Gzip for pages, JSON and metrics, when the client accepts it: a chat page of 11 KB travels
as about 3 KB, which on 2G is seconds, and on a small data plan is money.

Tiny bodies go as they are: under a kilobyte, gzip saves a few hundred bytes at best and
costs a compression per request.

BREACH (guessing a secret on a page from the compressed size of many responses, while an
attacker's page makes the victim's browser fetch it with text of the attacker's choosing) needs
a secret that stays the same from response to response, in a page that also reflects what the
attacker sends. Neither page of ours has both:
- the join page's one secret is its form nonce (Start with it twice and you reach one chat),
  which is new in every response, and nothing an attacker sends appears on it (a `?lang=` is
  used only when it names one of the campaign's languages);
- the chat page shows the private link token, but the token is in its address: to make a
  browser request the page, an attacker must already know it.
A page that one day shows a lasting secret beside reflected input must not be compressed, or
must mask the secret per response.
"""

from __future__ import annotations

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

MIN_BYTES = 1024
_COMPRESSIBLE = ("text/html", "application/json", "text/plain")


@web.middleware
async def compress(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if isinstance(response, web.Response) and _worth_it(response):
        # Whether it is compressed depends on this header: caches must keep both apart.
        response.headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)
        if _accepts_gzip(request):
            response.enable_compression(web.ContentCoding.gzip)
    return response


def _worth_it(response: web.Response) -> bool:
    body = response.body
    return (
        isinstance(body, bytes)
        and len(body) >= MIN_BYTES
        and response.content_type in _COMPRESSIBLE
        and hdrs.CONTENT_ENCODING not in response.headers
    )


def _accepts_gzip(request: web.Request) -> bool:
    """`gzip` (or `*`) among the client's Accept-Encoding, and not with `q=0` (unwanted)."""
    for item in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower().split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if coding in ("gzip", "x-gzip", "*"):
            return _weight(params) > 0
    return False


def _weight(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
