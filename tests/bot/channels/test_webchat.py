"""Web chat, as a participant on a cheap phone uses it: plain forms, no JavaScript."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot.app import App
from bot.runtime.campaigns import CampaignStatus
from bot.runtime.events import Channel
from tests.bot import webchat_browser as browser
from tests.bot.webchat_browser import Client

FREE_TEXT = "The agent in Goma kept a copy of my ID card"


async def test_join_page_offers_languages_and_shows_the_promise(web_client: Client) -> None:
    response = await web_client.get("/j/safe-connect-2026", headers={"Accept-Language": "fr-CD"})
    page = await response.text()
    assert 'lang="fr"' in page
    assert "Nous vous dirons ici" in page
    assert 'value="fr" checked' in page


async def test_a_participant_completes_the_survey_with_buttons_and_text(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, action="submit", pick=["calls", "money"])
    assert "How safe do you feel" in page or "money" in page.lower()
    await browser.answer(web_client, token, choice="4")  # money_safe: 4 of 5, so `worry` is skipped
    page = await browser.answer(
        web_client, token, choice="yes"
    )  # unsafe -> unsafe_what (free text)
    page = await browser.answer(web_client, token, text=FREE_TEXT)
    assert FREE_TEXT in page  # echoed back to its author, on their own page
    await browser.answer(web_client, token, choice="no")  # sim_id
    await browser.answer(web_client, token, text="2")  # outages
    await browser.answer(web_client, token, action="submit", pick=["help", "news"])
    await browser.answer(web_client, token, choice="8")
    await browser.answer(web_client, token, choice="judge")
    await browser.answer(web_client, token, action="skip")
    page = await browser.answer(web_client, token, choice="town")
    assert "Thank you" in page
    pid = app.participant_id(Channel.WEBCHAT, token)
    answers: Any = await app.redis.hgetall(app.keys.answers(pid, "safe-connect-2026"))
    stored = {key.decode(): json.loads(value) for key, value in answers.items()}
    assert stored["uses"]["v"] == ["calls", "money"]
    assert stored["cut_effect"]["v"] == ["help", "news"]
    assert stored["change"]["o"] == "skipped"
    assert "x" in stored["unsafe_what"]  # sealed with the participant's key


async def test_a_resent_form_counts_once(web_client: Client, app: App) -> None:
    token = await browser.join(web_client)
    page = await browser.page(web_client, token)
    form = [("n", browser.nonce(page)), ("q", "uses"), ("text", "1,2")]
    first = await web_client.post(f"/c/{token}", data=form, allow_redirects=False)
    again = await web_client.post(f"/c/{token}", data=form, allow_redirects=False)
    assert (first.status, again.status) == (303, 303)
    counters = await app.redis.hgetall(app.keys.counters(_shard(app, token), "safe-connect-2026"))
    assert int(counters[b"answers"]) == 1


def _shard(app: App, token: str) -> int:
    return app.keys.shard_of(app.participant_id(Channel.WEBCHAT, token))


async def test_arabic_pages_are_right_to_left_and_small(web_client: Client) -> None:
    token = await browser.join(web_client, "ar")
    page = await browser.page(web_client, token)
    assert '<html lang="ar" dir="rtl">' in page
    for _ in range(30):  # a long conversation: rejections and answers
        page = await browser.answer(web_client, token, text="؟")
    assert len(page.encode()) < 50 * 1024
    assert "<script" not in page


async def test_language_can_be_switched_from_the_page(web_client: Client) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, language="sw")
    assert '<html lang="sw" dir="ltr">' in page
    assert "Unatumia laini yako" in page


async def test_unknown_links_and_closed_campaigns_get_a_clear_page(
    web_client: Client, app: App
) -> None:
    response = await web_client.get("/c/" + "A" * 32)
    assert response.status == 404
    assert "This link is not valid" in await response.text()
    await app.campaigns.set_status("safe-connect-2026", CampaignStatus.CLOSED)
    response = await web_client.get("/j/safe-connect-2026")
    assert response.status == 404
    assert "This survey is closed" in await response.text()


async def test_no_log_line_holds_the_link_token_or_free_text(
    web_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, action="submit", pick=["calls"])
    await browser.answer(web_client, token, choice="yes")
    await browser.answer(web_client, token, text=FREE_TEXT)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert FREE_TEXT not in logged


async def test_tapping_start_twice_opens_one_chat(web_client: Client, app: App) -> None:
    page = await (await web_client.get("/j/safe-connect-2026")).text()
    form = {"lang": "en", "n": browser.nonce(page)}
    first = await web_client.post("/j/safe-connect-2026", data=form, allow_redirects=False)
    second = await web_client.post("/j/safe-connect-2026", data=form, allow_redirects=False)
    assert first.headers["Location"] == second.headers["Location"]
    total = 0
    for shard in range(app.keys.shards):
        raw: Any = await app.redis.hget(app.keys.counters(shard, "safe-connect-2026"), "started")
        total += int(raw or 0)
    assert total == 1


async def test_a_made_up_link_cannot_store_anything(web_client: Client, app: App) -> None:
    response = await web_client.post(
        "/c/" + "B" * 32, data={"n": "abcdefgh12", "text": "hello"}, allow_redirects=False
    )
    assert response.status == 404
    lengths = [await app.redis.xlen(app.keys.inbound(s)) for s in range(app.keys.shards)]
    assert sum(lengths) == 0


async def test_a_form_posted_from_another_site_is_refused(web_client: Client) -> None:
    token = await browser.join(web_client)
    response = await web_client.post(
        f"/c/{token}",
        data={"n": "abcdefgh12", "text": "1"},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_an_answer_typed_on_an_old_page_does_not_answer_the_next_question(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client)
    old_page = await browser.page(web_client, token)  # shows `uses`
    await browser.answer(web_client, token, action="submit", pick=["calls"])  # now at `unsafe`
    stale = [("n", "staleform1"), ("q", "uses"), ("text", "yes")]
    await web_client.post(f"/c/{token}", data=stale, allow_redirects=False)
    assert 'value="uses"' in old_page
    pid = app.participant_id(Channel.WEBCHAT, token)
    answers = await app.redis.hgetall(app.keys.answers(pid, "safe-connect-2026"))
    assert b"unsafe" not in answers
