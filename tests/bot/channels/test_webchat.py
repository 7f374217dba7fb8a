"""Web chat, as a participant on a cheap phone uses it: plain forms, no JavaScript."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.app import App
from bot.conversation.campaign import CampaignStatus
from bot.conversation.inbound import Channel
from bot.conversation.inbox import Notice, seal_notice
from tests.kit import stored as kit_stored
from tests.kit import webchat as browser
from tests.kit.webchat import COMPLETE_EN, Client

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
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    stored = await kit_stored.answers(app.redis, app.schema, pid, "safe-connect-2026")
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
    counters = await app.redis.hgetall(app.schema.counters(_shard(app, token), "safe-connect-2026"))
    assert int(counters[b"answers"]) == 1


def _shard(app: App, token: str) -> int:
    return app.schema.shard_of(app.crypto.participant_id(Channel.WEBCHAT.value, token))


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
    form = dict(browser.hidden_fields(page)) | {"lang": "en"}  # its nonce, the notice shown
    first = await web_client.post("/j/safe-connect-2026", data=form, allow_redirects=False)
    second = await web_client.post("/j/safe-connect-2026", data=form, allow_redirects=False)
    assert first.headers["Location"] == second.headers["Location"]
    total = 0
    for shard in range(app.schema.shards):
        raw: Any = await app.redis.hget(app.schema.counters(shard, "safe-connect-2026"), "started")
        total += int(raw or 0)
    assert total == 1


async def test_a_made_up_link_cannot_store_anything(web_client: Client, app: App) -> None:
    response = await web_client.post(
        "/c/" + "B" * 32, data={"n": "abcdefgh12", "text": "hello"}, allow_redirects=False
    )
    assert response.status == 404
    lengths = [await app.redis.xlen(app.schema.inbound(s)) for s in range(app.schema.shards)]
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
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    answers = await app.redis.hgetall(app.schema.answers(pid, "safe-connect-2026"))
    assert b"unsafe" not in answers


async def test_coming_back_later_shows_the_conversation_in_order(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, text="9")  # not an option of `uses`
    await browser.answer(web_client, token, action="submit", pick=["sms"])
    await browser.answer(web_client, token, choice="no")  # unsafe
    later = browser.lines(await browser.page(web_client, token))  # a fresh visit, days later
    assert later[0].startswith("Your phone and your safety")
    assert later[1].startswith("First, some questions")
    assert later[2].startswith("What do you use your Nuru Mobile line for")
    assert later[3].startswith("Sorry, I did not understand")  # said where it happened
    assert later[4] == "me: Text messages"
    assert later[5].startswith("Have you ever felt unsafe")
    assert later[6] == "me: No"
    assert later[-1].startswith("To get a SIM card")  # the question awaiting an answer, last
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.llen(app.schema.webchat_inbox(pid)) == 1  # only the notice is stored


async def test_a_conversation_stored_before_the_upgrade_is_rebuilt_the_same(
    web_client: Client, app: App
) -> None:
    """The page rebuilds answers and free text from what the version before the compact
    encoding stored (JSON answers, free text in base64, a JSON session)."""
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, action="submit", pick=["sms"])
    await browser.answer(web_client, token, choice="yes")  # unsafe
    await browser.answer(web_client, token, text=FREE_TEXT)  # unsafe_what, sealed
    now = browser.lines(await browser.page(web_client, token))
    assert f"me: {FREE_TEXT}" in now
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    await kit_stored.store_as_before(app.redis, app.schema, pid, "safe-connect-2026")
    assert browser.lines(await browser.page(web_client, token)) == now
    page = await browser.answer(web_client, token, choice="no")  # sim_id: goes on from there
    assert "me: No" in browser.lines(page)


async def test_past_answers_are_shown_in_the_language_chosen_since(web_client: Client) -> None:
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, action="submit", pick=["calls", "money"])
    page = await browser.answer(web_client, token, language="sw")
    assert "me: Kupiga simu, Pesa kwa simu" in browser.lines(page)


async def test_a_notice_added_after_the_survey_shows_after_the_thanks(
    web_client: Client, app: App
) -> None:
    """What loop closure will do: append a plain notice to the participant's inbox."""
    token = await browser.join(web_client, "en")
    for form in COMPLETE_EN:
        await browser.answer(web_client, token, **form)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    record: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    notice = Notice("We decided to close the agent booth in Goma. Here is why.")
    sealed = seal_notice(notice, pid, app.crypto.unwrap_data_key(record))
    await app.redis.rpush(app.schema.webchat_inbox(pid), sealed)
    lines = browser.lines(await browser.page(web_client, token))
    assert lines[-2].startswith("Thank you for your time")
    assert lines[-1] == notice.text


async def test_a_form_nonce_copied_from_another_page_does_not_block_its_owner(
    web_client: Client, app: App
) -> None:
    owner, other = await browser.join(web_client), await browser.join(web_client)
    shown = await browser.page(web_client, owner)
    form = [("n", browser.nonce(shown)), ("q", "uses"), ("text", "1")]
    await web_client.post(f"/c/{other}", data=form, allow_redirects=False)  # first, elsewhere
    response = await web_client.post(f"/c/{owner}", data=form, allow_redirects=False)
    assert browser.processed(response)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, owner)
    answers = await app.redis.hgetall(app.schema.answers(pid, "safe-connect-2026"))
    assert b"uses" in answers


async def test_going_back_shows_the_question_to_change_last_with_its_earlier_answer(
    web_client: Client,
) -> None:
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, action="submit", pick=["sms"])
    await browser.answer(web_client, token, choice="no")  # unsafe
    page = await browser.answer(web_client, token, action="back")
    lines = browser.lines(page)
    assert lines[-1].startswith("Have you ever felt unsafe")
    assert "me: No" not in lines  # the answer being changed is not shown as settled...
    assert "(No)" in page  # ...but next to the form
    assert 'name="q" value="unsafe"' in page


async def test_a_free_text_written_again_shorter_replaces_all_of_the_longer_one(
    web_client: Client, app: App
) -> None:
    async def answer_fields(token: str) -> list[bytes | str]:
        pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
        fields = await app.redis.hkeys(app.schema.answers(pid, "safe-connect-2026"))
        return sorted(fields, key=str)

    tokens = [await browser.join(web_client, "en") for _ in range(2)]
    for token in tokens:
        await browser.answer(web_client, token, action="submit", pick=["sms"])
        await browser.answer(web_client, token, choice="yes")  # unsafe
    await browser.answer(web_client, tokens[0], text=FREE_TEXT * 8)  # unsafe_what
    await browser.answer(web_client, tokens[0], action="back")
    for token in tokens:
        page = await browser.answer(web_client, token, text="Lost my SIM")
        assert "me: Lost my SIM" in browser.lines(page)
    # Nothing of the long text is left behind (its sealed chunks): the same fields as for the
    # short text alone. (Not compared in bytes: an allocation that grew need not shrink.)
    assert await answer_fields(tokens[0]) == await answer_fields(tokens[1])


async def test_the_join_page_asks_once_whether_to_hear_back(web_client: Client, app: App) -> None:
    page = await (await web_client.get("/j/safe-connect-2026")).text()
    assert 'name="upd"' in page
    assert "Would you like us to tell you what comes of your answers?" in page
    said_yes = await browser.join(web_client, "en", updates=True)
    said_nothing = await browser.join(web_client, "en")
    for token, expected in ((said_yes, b"1"), (said_nothing, b"0")):
        pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
        stored = await app.redis.hget(app.schema.participant(pid), "u:safe-connect-2026")
        assert isinstance(stored, bytes)
        assert stored[:1] == expected  # then the version of the question, and when


async def test_deleting_on_the_web_chat_ends_on_the_goodbye_in_their_language(
    web_client: Client, app: App
) -> None:
    """It used to end on "This link is not valid": right after the erasure the page says it is
    done, in their language, and only then does the link lead nowhere."""
    token = await browser.join(web_client, "sw")
    await browser.answer(web_client, token, text="futa")
    page = await browser.press(web_client, token, "Futa data yangu yote")
    assert '<html lang="sw" dir="ltr">' in page
    assert "Kila kitu tulichohifadhi kukuhusu kimefutwa." in page
    assert "<form" not in page  # nothing left to answer
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert not await app.redis.exists(app.schema.participant(pid))
    gone = await web_client.get(f"/c/{token}")
    assert gone.status == 404
    assert "This link is not valid" in await gone.text()

    # Confirmed by typing, in Arabic: the same.
    token = await browser.join(web_client, "ar")
    await browser.answer(web_client, token, text="حذف")
    page = await browser.answer(web_client, token, text="نعم")
    assert "تم حذف كل ما كنا نحتفظ به عنك." in page
