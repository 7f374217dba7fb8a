"""Drive the web chat as a phone browser does: read the page's form, post it, follow the link."""

from __future__ import annotations

import html
import re

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from tests.kit.example import CAMPAIGN

Client = TestClient[web.Request, web.Application]
# What a browser sends with every request a page of ours makes (Fetch Metadata): the web chat
# refuses a form posted without proof that it came from its own page.
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
_CHAT_LINK = r"/c/([A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{64})"  # a first link, or one issued anew
_HIDDEN = r'<input type="hidden" name="([^"]+)" value="([^"]*)">'
_MENU = r'<form class="row"[^>]*>(.*?)</form>'  # the buttons under a notice
_FORM = r"<form [^>]*>(.*?)</form>"  # any form of the page
_BUTTON = r'<button [^>]*name="cmd" value="([^"]*)">([^<]*)</button>'
# The example survey answered to the end, on the page's forms (sim_id: "no").
COMPLETE_EN: list[dict[str, str | list[str]]] = [
    {"action": "submit", "pick": ["calls"]},
    {"choice": "no"},  # unsafe
    {"choice": "no"},  # sim_id
    {"text": "2"},  # outages
    {"action": "submit", "pick": ["help"]},
    {"choice": "5"},  # trust
    {"choice": "judge"},
    {"action": "skip"},
    {"choice": "town"},
]


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """The hidden inputs of the page's main form."""
    return re.findall(_HIDDEN, _main_form(page))


def nonce(page: str) -> str:
    match = re.search(r'name="n" value="([^"]+)"', _main_form(page))
    assert match, page
    return match.group(1)


def _main_form(page: str) -> str:
    """A chat page's answer form (menus under notices come before it), or a join page's form."""
    start = page.find('<form id="answer"')
    return page[max(start, 0) :].split("</form>", maxsplit=1)[0]


def lines(page: str) -> list[str]:
    """The conversation as the page shows it, one entry per message ("me: " for the
    participant's own)."""
    found = re.findall(r'<div dir="auto" class="m( me)?"[^>]*>(.*?)</div>', page, re.S)
    return [("me: " if mine else "") + html.unescape(text) for mine, text in found]


def menus(page: str) -> list[list[str]]:
    """The labels of the buttons under each notice that shows a menu, in page order."""
    return [
        [html.unescape(label) for _, label in re.findall(_BUTTON, form)]
        for form in re.findall(_MENU, page, re.S)
    ]


def processed(response: ClientResponse) -> bool:
    """Web chat redirects to the bare chat link once the event is committed, and to a waiting
    variant of it (a query string) when it is not committed yet."""
    return re.fullmatch(_CHAT_LINK + "#last", response.headers["Location"]) is not None


async def join(
    client: Client,
    language: str = "en",
    *,
    wait: bool = True,
    updates: bool = False,
    campaign: str = CAMPAIGN,
) -> str:
    """Press Start on the campaign's join page (ticking "tell me what comes of it" or not),
    with the page's hidden fields (its nonce, the version of the notice it shows); returns the
    private link's token."""
    shown = await client.get(f"/j/{campaign}")
    assert shown.status == 200, await shown.text()
    form = dict(hidden_fields(await shown.text())) | {"lang": language}
    form |= {"upd": "1"} if updates else {}
    response = await client.post(f"/j/{campaign}", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    pattern = _CHAT_LINK + ("#last" if wait else r"\S*")
    match = re.fullmatch(pattern, response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


async def page(client: Client, token: str) -> str:
    response = await client.get(f"/c/{token}")
    assert response.status == 200
    return await response.text()


async def answer(client: Client, token: str, **form: str | list[str]) -> str:
    """Answer the question the page shows, the way a browser submits the form."""
    shown = await page(client, token)
    data: list[tuple[str, str]] = [("n", nonce(shown))]
    question = re.search(r'name="q" value="([^"]+)"', shown)
    if question:
        data.append(("q", question.group(1)))
    for name, value in form.items():
        for item in value if isinstance(value, list) else [value]:
            data.append((name, item))
    return await submit(client, token, data)


async def press(client: Client, token: str, label: str) -> str:
    """Press the menu button labelled `label` (under a notice, or the page's own "Menu"), as a
    browser submits its form; returns the page it leads to."""
    return await submit(client, token, pressed(await page(client, token), label))


def pressed(shown: str, label: str) -> list[tuple[str, str]]:
    """What a browser posts for a press on the menu button labelled `label`."""
    for form in re.findall(_FORM, shown, re.S):
        for value, shown_label in re.findall(_BUTTON, form):
            if html.unescape(shown_label) == label:
                return [*re.findall(_HIDDEN, form), ("cmd", html.unescape(value))]
    raise AssertionError(f"no button {label!r} on the page: {menus(shown)}")


async def submit(client: Client, token: str, data: list[tuple[str, str]]) -> str:
    """Post a form of the chat page; returns the page the browser shows next: the chat it is
    sent back to once the post is processed, or the answer itself when that is a page (the
    goodbye after an erasure)."""
    response = await client.post(f"/c/{token}", data=data, allow_redirects=False)
    if response.status == 200:
        return await response.text()
    assert response.status == 303, await response.text()
    assert processed(response)
    return await page(client, token)
