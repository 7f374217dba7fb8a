"""Web chat forms are taken only from the web chat's own pages.

A page elsewhere must not answer, join or delete for someone whose browser visits it, so a post
needs the browser's word that it comes from one of our pages, and no word that it does not:

- `Sec-Fetch-Site` (Fetch Metadata, set by the browser, which no page can forge) says
  `same-origin`, or `none` (the person did it themselves: a bookmark, a resent form); or
- `Origin` names this server; or, from browsers that send neither with a form
  (Firefox before 70, the KaiOS browsers on many cheap phones), `Referer` does. Our pages'
  referrer policy is `same-origin`, so our own forms carry both and other sites get neither.

No such header, `Origin: null` (a sandboxed frame, a data: URL) on its own, or any header naming
another site: refused. Webhooks are not checked here: platforms post them server to server,
signed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

_OUR_OWN_FETCH = frozenset({"same-origin", "none"})
REFUSAL = "This form can only be sent from its own page."


def refuse_other_sites(request: web.Request, public_url: str | None) -> None:
    """Raise 403 unless the browser says the post comes from one of our own pages."""
    if not from_our_page(request, public_url):
        raise web.HTTPForbidden(text=REFUSAL)


def from_our_page(request: web.Request, public_url: str | None) -> bool:
    """Whether the browser says the request comes from one of our own pages."""
    ours = {request.host.lower()}
    if public_url is not None:
        ours.add(urlsplit(public_url).netloc.lower())
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None and site not in _OUR_OWN_FETCH:
        return False
    named = origin is not None and origin != "null"
    if named and _host_of(origin) not in ours:
        return False
    if site is not None or named:
        # The browser said so. An `Origin: null` next to it is a page of ours that still had
        # the stricter `no-referrer` policy when it was loaded.
        return True
    if origin is not None:  # "null", with nothing else to go by
        return False
    return _host_of(request.headers.get("Referer")) in ours


def _host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:  # not a URL at all
        return None
