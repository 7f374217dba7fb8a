"""Buttons on the web chat page: the reactions under a decision notice (helpful, still
concerned with the concern written back, tell me more) and the menus outside the survey (help,
delete), pressed as plain form buttons; typed menu numbers keep working."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.channels.webchat.ids import event_id
from bot.conversation.decisions.texts import reaction_menu
from bot.conversation.inbound import Channel
from bot.conversation.inbox import Notice, seal_notice
from bot.conversation.outgoing import MenuItem
from bot.loop.ledger import StoredDecision
from bot.records.cases import case_text, find_case
from bot.records.reactions import ReactionTotals, reaction_totals
from bot.runtime.markers import marker_member
from tests.bot.loop import SIM_DECISION, publish_on
from tests.kit import webchat as browser
from tests.kit.webchat import COMPLETE_EN, Client

REACTIONS_EN = ["Helpful", "Still concerned", "Tell me more"]
# No "My time": the web chat never messages anyone at night (or at all): they come and read.
HELP_EN = [
    "Survey",
    "Language",
    "My data",
    "Say something",
    "Delete my data",
    "Stop messages",
    "News of results",
    "Exit now",
    "Shared phone",
    "My cases",
]
DELETE_CONFIRM = (
    "Delete everything Sauti holds about you: your answers, your language and your contact "
    "details? This cannot be undone."
)
# The example survey to the end, saying yes to "ever kept from a SIM card for lack of an ID
# card?": the decision is linked to that answer.
SAID_YES_TO_SIM_ID = [*COMPLETE_EN[:2], {"choice": "yes"}, *COMPLETE_EN[3:]]


async def _told(
    client: Client, app: App, language: str = "en", answers: list[Any] = SAID_YES_TO_SIM_ID
) -> tuple[str, StoredDecision]:
    """A participant who joined wanting to hear back and answered, then the decision linked
    to their answer, published; returns their link's token and the decision."""
    token = await browser.join(client, language, updates=True)
    for form in answers:
        await browser.answer(client, token, **form)
    return token, await publish_on(app, SIM_DECISION)


async def _totals(app: App, stored: StoredDecision) -> ReactionTotals:
    """The reactions as `sauti decision concerns` and the loop report count them."""
    return await reaction_totals(app.redis, app.publisher().schema, stored.ref)


async def test_a_decision_notice_has_three_buttons_and_helpful_is_counted_once(
    web_client: Client, app: App
) -> None:
    token, stored = await _told(web_client, app)
    page = await browser.page(web_client, token)
    assert browser.lines(page)[-1].startswith("You told us “Yes” when we asked “To get a SIM")
    assert browser.menus(page) == [REACTIONS_EN]
    assert "1. Helpful" not in page  # buttons, not numbered lines as well

    page = await browser.press(web_client, token, "Helpful")
    assert browser.lines(page)[-1] == "Thank you for letting us know."
    assert browser.menus(page) == [REACTIONS_EN]  # a decision's reactions stay pressable
    await browser.press(web_client, token, "Helpful")  # pressed again: counted once
    totals = await _totals(app, stored)
    assert (totals.helpful, totals.concerns, totals.more) == (1, 0, 0)


async def test_still_concerned_lets_them_write_a_concern_that_lands_with_the_decision(
    web_client: Client, app: App
) -> None:
    """Told while still in the survey: the page offers a text box for the concern instead of
    the question's form, and the question comes back once the concern is sent."""
    token, stored = await _told(web_client, app, answers=SAID_YES_TO_SIM_ID[:3])
    page = await browser.press(web_client, token, "Still concerned")
    assert browser.lines(page)[-1].startswith("What still concerns you about this?")
    assert 'name="text"' in page
    assert 'name="q"' not in page  # the awaiting question's form gives way to the text box

    concern = "A letter from the chief costs money too, stop asking for papers"
    page = await browser.answer(web_client, token, text=concern)
    said = browser.lines(page)[-1]
    assert said.startswith("Thank you. We have passed your concern on to Nuru Mobile.")
    assert 'name="q" value="outages"' in page  # back to the survey
    reference = said.rsplit("Your reference is ", 1)[1].rstrip(".")
    totals = await _totals(app, stored)
    assert (totals.concerns, [ref for _, ref in totals.concern_cases]) == (1, [reference])
    case = await find_case(app.redis, app.schema, reference)
    assert case is not None
    assert (case.kind, case.decision_ref, case.channel) == ("concern", stored.ref, "webchat")
    assert await case_text(app.redis, app.schema, app.crypto, case) == concern
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    stopped = await app.redis.hget(app.schema.participant(pid), "stop")
    assert stopped == b"0"  # "stop" inside their concern did not opt them out


async def test_tell_me_more_shows_the_whole_decision(web_client: Client, app: App) -> None:
    token, stored = await _told(web_client, app)
    page = await browser.press(web_client, token, "Tell me more")
    more = browser.lines(page)[-1].splitlines()
    assert more[:2] == ["SIM cards without an ID card", "Decision: not adopted"]
    assert "From: 2027-02-01" in more
    assert "Why: The law requires an ID check for every SIM card." in more
    assert (await _totals(app, stored)).more == 1


async def test_a_forged_button_or_an_overlong_argument_stores_nothing(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    presses = {
        "forged0001": "shutdown now",  # no command of Sauti's
        "forged0002": "react helpful:" + "A" * 100,  # longer than any button holds
        "genuine001": "help",  # what the page's help button posts: stored
    }
    for nonce, value in presses.items():
        form = {"n": nonce, "lang": "en", "cmd": value}
        response = await web_client.post(f"/c/{token}", data=form, allow_redirects=False)
        assert browser.processed(response)
    markers = app.schema.event_markers(pid)
    stored = [await app.redis.zscore(markers, marker_member(event_id(pid, n))) for n in presses]
    assert [score is not None for score in stored] == [False, False, True]
    stage = await app.redis.hget(app.schema.participant(pid), "stg")
    assert stage == b"help"  # only the genuine press did anything


async def test_help_and_delete_menus_are_buttons_gone_once_answered(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, text="help")
    assert browser.menus(page) == [HELP_EN]
    assert "3. My data" not in page
    page = await browser.press(web_client, token, "My data")
    assert "What Sauti holds about you" in page
    # The help menu was answered: its buttons are gone; my data's own (a consent each) show.
    assert browser.menus(page) == [["Tell me outcomes", "You may quote me", "Ask me again later"]]

    await browser.answer(web_client, token, text="delete")
    page = await browser.press(web_client, token, "No, keep it")
    assert browser.lines(page)[-1] == "Nothing was deleted."
    assert browser.menus(page) == []  # no "Yes, delete all" left above "Nothing was deleted"

    page = await browser.answer(web_client, token, text="delete")
    assert browser.lines(page) == [DELETE_CONFIRM]  # asked alone (test_webchat_fixes)
    page = await browser.press(web_client, token, "Delete all my data")
    assert "Everything we held about you has been deleted." in page
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert not await app.redis.exists(app.schema.participant(pid))


async def test_a_help_menu_button_opens_a_text_box_for_feedback_at_a_choice_question(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    assert 'name="pick"' in await browser.page(web_client, token)  # `uses`: tick boxes only
    await browser.answer(web_client, token, text="help")
    page = await browser.press(web_client, token, "Say something")
    assert browser.lines(page)[-1].startswith("What would you like to tell Nuru Mobile?")
    assert 'name="pick"' not in page
    assert 'name="text"' in page
    page = await browser.answer(web_client, token, text="The shop in Goma is always closed")
    assert "Thank you, we have passed it on. Your reference is F-" in browser.lines(page)[-1]
    assert 'name="pick"' in page  # back to the question


async def test_typed_menu_numbers_still_pick(web_client: Client, app: App) -> None:
    """Typed in the page's own box, which names no survey question (a question's box would
    make the number its answer)."""
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, text="help")
    page = await browser.submit(web_client, token, [("n", "typed-three"), ("text", "3")])
    assert "What Sauti holds about you" in page
    await browser.answer(web_client, token, text="delete")
    page = await browser.submit(web_client, token, [("n", "typed-two"), ("text", "2")])
    assert browser.lines(page)[-1] == "Nothing was deleted."


async def _decision_notices(
    app: App, token: str, menu: tuple[MenuItem, ...], text: str, count: int
) -> None:
    """A long history of decision notices in their inbox ("0: <text>" … ), each with `menu`."""
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    wrapped: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    data_key = app.crypto.unwrap_data_key(wrapped)
    notices = [seal_notice(Notice(f"{n}: {text}", menu=menu), pid, data_key) for n in range(count)]
    await app.redis.rpush(app.schema.webchat_inbox(pid), *notices)


async def test_an_arabic_page_full_of_notices_with_buttons_stays_small_and_right_to_left(
    web_client: Client, app: App
) -> None:
    token, stored = await _told(web_client, app, "ar")
    page = await browser.page(web_client, token)
    assert '<html lang="ar" dir="rtl">' in page
    reactions_ar = ["مفيد", "ما زلت قلقًا", "أخبرني المزيد"]
    assert browser.menus(page) == [reactions_ar]

    # A long history of decision notices, each with its three buttons: the page keeps the
    # latest that fit, buttons counted.
    text = "قررت نورو موبايل إبقاء متجر الوكيل مفتوحًا حتى المساء. " * 5
    await _decision_notices(app, token, reaction_menu(stored.ref, "ar"), text, 100)
    page = await browser.page(web_client, token)
    assert len(page.encode()) < 50 * 1024
    assert browser.lines(page)[-1].startswith("99: ")
    assert browser.menus(page)[-1] == reactions_ar
    assert len(browser.menus(page)) > 10


async def test_notices_full_of_characters_the_page_escapes_still_fit_the_budget(
    web_client: Client, app: App
) -> None:
    """ "&" and quotes grow fivefold once escaped: counted as written, a page of them passed
    the 50 KB a cheap data plan is promised."""
    token, stored = await _told(web_client, app, "en")
    text = 'Q&A: "fees" & <agents> ' * 40
    await _decision_notices(app, token, reaction_menu(stored.ref, "en"), text, 60)
    page = await browser.page(web_client, token)
    assert len(page.encode()) < 50 * 1024
    assert browser.lines(page)[-1].startswith("59: ")


async def test_at_a_choice_question_the_menu_button_reaches_my_data_and_stop(
    web_client: Client, app: App
) -> None:
    """A question of buttons or tick boxes has no text box to type "help" in: the page's own
    Menu button opens the help menu, and the question's form stays."""
    token = await browser.join(web_client, "en")
    page = await browser.page(web_client, token)
    assert 'name="pick"' in page
    assert 'name="text"' not in page  # `uses`: tick boxes only
    page = await browser.press(web_client, token, "Menu")
    assert browser.menus(page) == [HELP_EN]
    assert 'name="pick"' in page
    page = await browser.press(web_client, token, "My data")
    assert browser.lines(page)[-1].startswith("What Sauti holds about you")
    await browser.press(web_client, token, "Menu")
    page = await browser.press(web_client, token, "Stop messages")
    assert browser.lines(page)[-1].startswith("You will get no more messages from us.")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "stop") == b"1"


async def test_asked_for_their_time_at_a_choice_question_they_get_a_text_box(
    web_client: Client,
) -> None:
    """Typed "time" (not offered here, but a word like any other): the question about it
    takes typed text, which a page of tick boxes had no room for."""
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, text="time")
    assert browser.lines(page)[-1].startswith("What time is it where you are now?")
    assert 'name="text"' in page
    assert 'name="pick"' not in page


async def test_the_menu_button_speaks_the_page_language(web_client: Client) -> None:
    token = await browser.join(web_client, "sw")
    page = await browser.press(web_client, token, "Menyu")
    assert browser.menus(page)[-1][2] == "Data yangu"
