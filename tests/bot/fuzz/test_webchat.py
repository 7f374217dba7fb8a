"""The web chat's four routes under hostile paths, query strings, headers and forms, without
any login (as anyone on the internet can reach them): never a 5xx, never a traceback."""

from __future__ import annotations

import secrets
from urllib.parse import quote

import pytest

from bot.channels.webchat.ids import token_from
from bot.web import MAX_REQUEST_BYTES
from tests.bot.fuzz import hostile
from tests.bot.fuzz.stack import Sauti, tracebacks
from tests.kit.example import CAMPAIGN

FORM = "application/x-www-form-urlencoded"
# Origins a browser would never send; each once broke some URL parser.
ORIGINS = ("http://[", "http://[::1", "http://a:b:c", "null", "", "x" * 5000, "http://%zz")
ACCEPT_LANGUAGES = ("²", ",,,;;;", "fr;q=x, sw;q=1e400", "x" * 5000, "*", "-")


async def _joined(sauti: Sauti) -> str:
    """A participant's private link token, as the join form makes it."""
    nonce = secrets.token_urlsafe(12)
    body = f"n={nonce}&lang=en&upd=1".encode()
    status = await sauti.send(
        "POST /j/{campaign}", "POST", f"/j/{CAMPAIGN}", "join", body=body, headers=_form()
    )
    assert status == 303
    return token_from(sauti.app.crypto, nonce)


def _form(content_type: str = FORM) -> dict[str, str]:
    return {"Content-Type": content_type}


def _values(count: int) -> list[str]:
    """Percent-encoded hostile values: the corpus, then `count` drawn ones."""
    return [*hostile.QUERY_VALUES.values(), *hostile.drawn(hostile.percent_encoded(), count)]


async def test_the_join_page_under_hostile_paths_queries_and_headers(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    route = "GET /j/{campaign}"
    for value in _values(40):
        await sauti.send(route, "GET", f"/j/{value or 'x'}", "campaign")
        await sauti.send(route, "GET", f"/j/{CAMPAIGN}?lang={value}&{value}={value}", "query")
    for language in ACCEPT_LANGUAGES:
        await sauti.send(
            route, "GET", f"/j/{CAMPAIGN}", language, headers={"Accept-Language": language}
        )
    assert sauti.server_errors() == []
    assert tracebacks(caplog) == []


async def test_joining_with_hostile_forms(sauti: Sauti, caplog: pytest.LogCaptureFixture) -> None:
    route = "POST /j/{campaign}"
    path = f"/j/{CAMPAIGN}"
    for value in _values(20):
        body = f"n={value}&lang={value}&upd={value}".encode()
        assert await sauti.send(route, "POST", path, value, body=body, headers=_form()) < 500
        await sauti.send(route, "POST", f"/j/{value or 'x'}", value, body=b"n=x", headers=_form())
    await _hostile_bodies(sauti, route, path)
    assert sauti.server_errors() == []
    await sauti.settled()
    assert tracebacks(caplog) == []


async def test_the_chat_page_under_hostile_links_and_query_strings(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: `?r=²` ('²'.isdigit() is True, int('²') raises) and `?r=<5000 digits>`
    (int() refuses more than 4300) answered 500 with a traceback, on any 32-character link,
    without authentication."""
    route = "GET /c/{token}"
    made_up = secrets.token_urlsafe(24)
    assert len(made_up) == 32
    for token in (await _joined(sauti), made_up):
        for name in ("superscript-two", "5000-digits"):
            value = hostile.QUERY_VALUES[name]
            assert await sauti.send(route, "GET", f"/c/{token}?r={value}", name) in (200, 404)
        for value in _values(30):
            for query in (f"r={value}", f"w={value}&l={value}&r={value}", f"w=join&l={value}"):
                await sauti.send(route, "GET", f"/c/{token}?{query}", query[:200])
    for value in _values(20):
        await sauti.send(route, "GET", f"/c/{value or 'x'}", "token")
    assert sauti.server_errors() == []
    assert tracebacks(caplog) == []


async def test_answering_with_hostile_forms(sauti: Sauti, caplog: pytest.LogCaptureFixture) -> None:
    route = "POST /c/{token}"
    token = await _joined(sauti)
    path = f"/c/{token}"
    fields = ("q", "text", "choice", "pick", "action", "language", "cmd", "lang")
    for field in fields:
        for value in _values(6):
            body = f"n={secrets.token_urlsafe(12)}&{field}={value}&q=uses".encode()
            await sauti.send(
                route, "POST", path, f"{field}={value[:100]}", body=body, headers=_form()
            )
    for value in _values(10):
        body = f"n={value}&text=hello".encode()
        await sauti.send(route, "POST", path, "nonce", body=body, headers=_form())
        for made_up in (secrets.token_urlsafe(24), value or "x"):
            await sauti.send(route, "POST", f"/c/{made_up}", "link", body=body, headers=_form())
    await _hostile_bodies(sauti, route, path)
    assert sauti.server_errors() == []
    await sauti.settled()
    assert tracebacks(caplog) == []


async def _hostile_bodies(sauti: Sauti, route: str, path: str) -> None:
    """Bodies no form of ours sends: other content types, bytes that are no text, multipart
    without a boundary or with files, a form too big, and foreign origins."""
    good = f"n={secrets.token_urlsafe(12)}&text=hi&lang=en".encode()
    for content_type in (*hostile.CONTENT_TYPES, f"{FORM}; charset=no-such-charset"):
        await sauti.send(route, "POST", path, content_type, body=good, headers=_form(content_type))
    for name, body in hostile.BROKEN_BODIES.items():
        for content_type in (FORM, "multipart/form-data; boundary=x"):
            await sauti.send(route, "POST", path, name, body=body, headers=_form(content_type))
    multipart = (
        b'--x\r\nContent-Disposition: form-data; name="n"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + b"\xff" * 100 + b"\r\n--x\r\n"
        b'Content-Disposition: form-data; name="text"\r\n\r\nhi\r\n--x--\r\n'
    )
    await sauti.send(
        route,
        "POST",
        path,
        "file",
        body=multipart,
        headers=_form("multipart/form-data; boundary=x"),
    )
    too_big = b"text=" + b"x" * MAX_REQUEST_BYTES
    assert await sauti.send(route, "POST", path, "oversized", body=too_big, headers=_form()) == 413
    for origin in ORIGINS:
        await sauti.send(
            route, "POST", path, origin, body=good, headers=_form() | {"Origin": origin}
        )
    await sauti.send(route, "POST", path, "latin1", body=quote("é", encoding="latin-1").encode())


async def test_a_request_line_too_long_logs_neither_a_traceback_nor_the_link(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: aiohttp refuses a request line over 8190 bytes with 400 itself, but logged
    a traceback quoting the line (a participant's private link), and the access log then
    failed on the request, which no route had matched."""
    token = await _joined(sauti)
    status = await sauti.send("GET /c/{token}", "GET", f"/c/{token}?r={'9' * 9000}", "long")
    assert status == 400
    assert tracebacks(caplog) == []
    assert not any(token in record.getMessage() for record in caplog.records)
