"""The web chat's quick exit: an Exit button on every page, always in view; pressing it (or
typing the exit word) sends the browser to a neutral page at once, and the private link shows
only that page afterwards, so neither the back button nor the history reveals the chat."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import TestClient

from bot.app import App
from bot.conversation.inbound import Channel
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN
from tests.kit.running import built, web_server
from tests.kit.settings import deployment_settings
from tests.kit.webchat import COMPLETE_EN, SAME_ORIGIN, Client

_EXIT_FORM = r'<form class="x" method="post" action="(/c/[^"]+)">(.*?)</form>'


def exit_form(page: str) -> list[tuple[str, str]]:
    """What a browser posts for a press on the page's Exit button."""
    match = re.search(_EXIT_FORM, page, re.S)
    assert match, "no exit button on the page"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', match.group(2))
    return [*fields, ("cmd", "exit")]


async def test_exit_leaves_for_a_neutral_page_and_the_link_shows_only_that(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    for form in COMPLETE_EN[:2]:
        await browser.answer(web_client, token, **form)
    page = await browser.page(web_client, token)
    assert "Exit" in page

    response = await web_client.post(f"/c/{token}", data=exit_form(page), allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/away"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The back/forward cache keeps even no-store pages unless a cookie changed: the way out
    # empties the cache and changes a cookie.
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert "Set-Cookie" in response.headers

    away = await web_client.get("/away")
    shown = await away.text()
    assert away.status == 200
    assert away.headers["Cache-Control"] == "no-store"
    for word in ("Sauti", "Nuru", "survey", "SIM", "<script", "<form"):
        assert word not in shown

    # The back button (or the history) asks for the chat again: no-store, so the server
    # answers, and it answers with the neutral page.
    again = await web_client.get(f"/c/{token}", allow_redirects=False)
    assert again.status == 303
    assert again.headers["Location"] == "/away"
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "hid") not in (None, b"0")
    # Their answers are kept (they may come back another way).
    assert await app.redis.exists(app.schema.answers(pid, CAMPAIGN))


async def test_the_exit_word_typed_in_the_text_box_leaves_too(web_client: Client, app: App) -> None:
    token = await browser.join(web_client, "fr")
    shown = await browser.page(web_client, token)
    data = [("n", browser.nonce(shown)), ("text", "quitter")]
    response = await web_client.post(f"/c/{token}", data=data, allow_redirects=False)
    assert response.headers["Location"] == "/away"
    again = await web_client.get(f"/c/{token}", allow_redirects=False)
    assert again.headers["Location"] == "/away"


async def test_every_page_has_the_exit_button_and_it_is_kept_in_view(
    web_client: Client,
) -> None:
    join_page = await (await web_client.get(f"/j/{CAMPAIGN}")).text()
    assert re.search(r'<a class="x" href="/away" rel="noreferrer">Exit</a>', join_page)
    token = await browser.join(web_client, "sw")
    chat_page = await browser.page(web_client, token)
    assert re.search(_EXIT_FORM, chat_page, re.S)
    assert ">Toka</button>" in chat_page
    # Fixed in a corner: visible at 360 px wide whatever the page scrolled to.
    assert ".x{position:fixed;top:.4em;inset-inline-end:.4em" in chat_page
    dead_link = await (await web_client.get(f"/c/{'x' * 32}")).text()
    assert 'class="x"' in dead_link


async def test_a_quick_exit_can_be_sent_elsewhere(redis_url: str, tmp_path: Path) -> None:
    """SAUTI_WEBCHAT_EXIT_URL: the browser leaves for that site instead."""
    settings = deployment_settings(
        redis_url, tmp_path, SAUTI_WEBCHAT_EXIT_URL="https://weather.example.org"
    )
    async with (
        built(settings) as app,
        web_server(app) as server,
        TestClient(server, headers=SAME_ORIGIN) as client,
    ):
        page = await (await client.get(f"/j/{CAMPAIGN}")).text()
        assert 'href="https://weather.example.org"' in page


async def test_after_a_quick_exit_the_recovery_code_is_the_way_back(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, **COMPLETE_EN[0])
    shown = await web_client.post(f"/c/{token}/code")
    code = re.search(r'<strong [^>]*id="code">([0-9A-Z-]+)</strong>', await shown.text())
    assert code
    page = await browser.page(web_client, token)
    await web_client.post(f"/c/{token}", data=exit_form(page), allow_redirects=False)
    assert (await web_client.get(f"/c/{token}", allow_redirects=False)).status == 303

    back = await web_client.post(
        f"/j/{CAMPAIGN}/recover", data={"code": code.group(1)}, allow_redirects=False
    )
    new_token = back.headers["Location"].removesuffix("#last").removeprefix("/c/")
    page = await browser.page(web_client, new_token)
    assert "me: Calls" in browser.lines(page)  # their conversation again, paused
    page = await browser.press(web_client, new_token, "Menu")
    page = await browser.press(web_client, new_token, "Survey")
    assert 'name="q" value="unsafe"' in page  # and on where they were
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "hid") == b"0"


async def test_a_post_from_a_page_still_open_after_the_exit_brings_nothing_back(
    web_client: Client, app: App
) -> None:
    """Another tab, or the page left open: whoever presses a button on it, or types, is sent
    away, and nothing is stored. Only the recovery code brings the conversation back."""
    token = await browser.join(web_client, "en")
    for form in COMPLETE_EN[:2]:
        await browser.answer(web_client, token, **form)
    stale = await browser.page(web_client, token)
    await web_client.post(f"/c/{token}", data=exit_form(stale), allow_redirects=False)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    answers = await app.redis.hgetall(app.schema.answers(pid, CAMPAIGN))

    for data in (browser.pressed(stale, "Menu"), [("n", browser.nonce(stale)), ("text", "hi")]):
        response = await web_client.post(f"/c/{token}", data=data, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/away"
        shown = await web_client.get(f"/c/{token}", allow_redirects=False)
        assert (shown.status, shown.headers["Location"]) == (303, "/away")
    assert await app.redis.hget(app.schema.participant(pid), "hid") not in (None, b"0")
    assert await app.redis.hgetall(app.schema.answers(pid, CAMPAIGN)) == answers


async def test_the_exit_leaves_at_once_even_from_a_form_without_its_nonce(
    web_client: Client, app: App
) -> None:
    """Leaving comes before every check of the form: an old page's form, or one a browser
    sent without its hidden fields, still leaves, and the link is hidden straight away (the
    page's answer sets it; the worker's processing comes after)."""
    token = await browser.join(web_client, "en")
    response = await web_client.post(f"/c/{token}", data=[("cmd", "exit")], allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/away")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "hid") not in (None, b"0")
    shown = await web_client.get(f"/c/{token}", allow_redirects=False)
    assert shown.headers["Location"] == "/away"


async def test_another_site_posting_the_exit_only_hides(web_client: Client, app: App) -> None:
    """A post from another site holds the private link all the same: the link shows only the
    neutral page afterwards, but the conversation is not ended (nothing else is stored)."""
    token = await browser.join(web_client, "en")
    page = await browser.page(web_client, token)
    response = await web_client.post(
        f"/c/{token}",
        data=exit_form(page),
        headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/away"
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "hid") not in (None, b"0")
    shown = await web_client.get(f"/c/{token}", allow_redirects=False)
    assert shown.headers["Location"] == "/away"


async def test_an_exit_from_a_browser_that_says_nothing_of_where_it_comes_from_hides(
    web_client: Client, app: App
) -> None:
    """Old browsers and strict privacy settings send no Origin, Referer or Sec-Fetch-Site:
    the exit still hides the chat, so the link no longer shows the conversation."""
    token = await browser.join(web_client, "en")
    page = await browser.page(web_client, token)
    async with ClientSession() as bare:  # no Sec-Fetch-Site, Origin or Referer at all
        response = await bare.post(
            web_client.make_url(f"/c/{token}"), data=exit_form(page), allow_redirects=False
        )
        assert (response.status, response.headers["Location"]) == (303, "/away")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "hid") not in (None, b"0")
    shown = await web_client.get(f"/c/{token}", allow_redirects=False)
    assert (shown.status, shown.headers["Location"]) == (303, "/away")


async def test_no_page_title_names_the_survey(web_client: Client) -> None:
    """The browser's history keeps page titles: each participant page has the same plain one
    (SAUTI_WEBCHAT_PAGE_TITLE), never the survey's."""
    join_page = await (await web_client.get(f"/j/{CAMPAIGN}")).text()
    token = await browser.join(web_client, "en")
    chat_page = await browser.page(web_client, token)
    for page in (join_page, chat_page):
        assert re.search(r"<title>(.*?)</title>", page).group(1) == "Chat"  # type: ignore[union-attr]
    assert "Nuru" in chat_page  # the page itself still says what it is


async def test_the_page_title_is_a_setting(redis_url: str, tmp_path: Path) -> None:
    settings = deployment_settings(redis_url, tmp_path, SAUTI_WEBCHAT_PAGE_TITLE="Notes")
    async with (
        built(settings) as app,
        web_server(app) as server,
        TestClient(server, headers=SAME_ORIGIN) as client,
    ):
        page = await (await client.get(f"/j/{CAMPAIGN}")).text()
        assert "<title>Notes</title>" in page
