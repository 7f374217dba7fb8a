"""What a new participant met on the web chat of a cheap phone, each fixed: a delete
confirmation that could be mistaken for the survey's own Yes/No, hints promising a text box
the page does not have, the news opt-in missing from the menu, and a campaign closed
mid-survey leaving a bare text box."""

from __future__ import annotations

import html
import re

from bot.app import App
from bot.conversation.campaign import CampaignStatus
from bot.conversation.inbound import Channel
from tests.kit import stored as kit_stored
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN
from tests.kit.webchat import Client

DELETE_CONFIRM = (
    "Delete everything Sauti holds about you: your answers, your language and your contact "
    "details? This cannot be undone."
)


def _forms(page: str) -> list[str]:
    """The page's forms, but for the quick exit every page has (bot.channels.webchat.leaving)."""
    return [
        form
        for form in re.findall(r"<form [^>]*>.*?</form>", page, re.S)
        if not form.startswith('<form class="x"')
    ]


async def _at_yes_no_question(client: Client) -> tuple[str, str]:
    """A participant at the survey's yes/no question `unsafe`; their token and its page."""
    token = await browser.join(client, "en")
    page = await browser.answer(client, token, action="submit", pick=["calls"])
    assert 'name="q" value="unsafe"' in page
    return token, page


async def test_while_delete_is_asked_the_page_shows_only_that_question(
    web_client: Client,
) -> None:
    token, _ = await _at_yes_no_question(web_client)
    page = await browser.answer(web_client, token, text="delete")
    assert browser.lines(page) == [DELETE_CONFIRM]  # the survey question is not beneath it
    assert 'name="choice"' not in page
    assert 'name="q"' not in page
    assert len(_forms(page)) == 1  # no menu, no languages, no survey form
    assert re.search(r'<button class="danger"[^>]*value="delete confirm">Delete all my data<', page)
    assert "This deletes everything at once. It cannot be undone." in page


async def test_a_survey_yes_pressed_during_the_confirmation_is_the_answer_not_a_deletion(
    web_client: Client, app: App
) -> None:
    """The survey's Yes, from the page as it was before "delete" (another tab, the back
    button): nothing is deleted, they are told so, and their Yes is taken for the question."""
    token, before = await _at_yes_no_question(web_client)
    await browser.answer(web_client, token, text="delete")
    survey_yes = [("n", browser.nonce(before)), ("q", "unsafe"), ("choice", "yes")]
    page = await browser.submit(web_client, token, survey_yes)
    assert "Nothing was deleted. We took that as your answer to the question." in browser.lines(
        page
    )
    assert "me: Yes" in browser.lines(page)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "wk") is not None
    stored = await kit_stored.answers(app.redis, app.schema, pid, CAMPAIGN)
    assert stored["unsafe"]["v"] == "yes"
    assert 'name="q" value="unsafe_what"' in page  # the survey went on


async def test_something_unclear_typed_during_the_confirmation_asks_again_plainly(
    web_client: Client, app: App
) -> None:
    token, _ = await _at_yes_no_question(web_client)
    await browser.answer(web_client, token, text="delete")
    page = await browser.submit(web_client, token, [("n", "unclear01"), ("text", "maybe later")])
    assert browser.lines(page) == [DELETE_CONFIRM]  # still asked alone
    assert "Yes, delete all" not in page  # a button of chat apps, not of this page
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "stg") == b"delete"
    page = await browser.press(web_client, token, "No, keep it")
    lines = browser.lines(page)
    unclear = (
        'Nothing has been deleted yet. To delete everything, choose "Delete all my data"; '
        'to keep it, choose "No, keep it".'
    )
    assert unclear in lines
    assert lines[-1] == "Nothing was deleted."
    assert 'name="q" value="unsafe"' in page  # back at the survey question


async def test_hints_speak_of_tapping_where_the_page_has_no_text_box(web_client: Client) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.page(web_client, token)  # `uses`: tick boxes
    assert 'name="text"' not in page
    assert 'Choose 1 to 3: tick your answers, then tap "Done".' in html.unescape(page)
    assert "reply with their numbers" not in page
    page = await browser.answer(web_client, token, action="submit", pick=["calls"])
    assert "Tap your answer." in page  # yes/no buttons
    assert "Reply yes or no." not in page
    page = await browser.answer(web_client, token, text="help")
    assert 'Tap "Menu" at the bottom of the page at any time' in browser.lines(page)[-1]
    assert 'Send "help"' not in html.unescape(page)


async def test_hints_in_arabic_speak_of_tapping_too(web_client: Client) -> None:
    token = await browser.join(web_client, "ar")
    page = await browser.page(web_client, token)
    assert "ضع علامة على إجاباتك" in page
    assert "أرسل أرقامها" not in page


async def test_a_question_with_a_text_box_keeps_its_typing_hint(web_client: Client) -> None:
    token = await browser.join(web_client, "en")
    for form in ({"action": "submit", "pick": ["calls"]}, {"choice": "no"}, {"choice": "no"}):
        page = await browser.answer(web_client, token, **form)
    assert 'name="text"' in page  # `outages`: a number, typed
    assert "Reply with a number" in page


async def test_the_menu_offers_news_of_results_and_it_can_be_turned_on(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")  # joined without ticking "tell me"
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    record = app.schema.participant(pid)

    async def news() -> bytes:  # yes or no, then the version of the question and when
        stored = await app.redis.hget(record, f"u:{CAMPAIGN}")
        assert isinstance(stored, bytes)
        return stored[:1]

    assert await news() == b"0"
    page = await browser.press(web_client, token, "Menu")
    assert "News of results" in browser.menus(page)[-1]
    page = await browser.press(web_client, token, "News of results")
    assert browser.lines(page)[-1] == "Would you like us to tell you what comes of your answers?"
    page = await browser.press(web_client, token, "Yes, tell me")
    assert browser.lines(page)[-1] == "We will tell you what comes of your answers."
    assert await news() == b"1"


async def test_a_typed_7_after_the_web_menu_is_its_seventh_item(
    web_client: Client, app: App
) -> None:
    """The web chat's menu leaves out "My time": its seventh item is the news, and a 7 typed
    in the page's own box (not a question's: no question named) picks what it showed seventh."""
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, text="help")
    page = await browser.submit(web_client, token, [("n", "plainbox7"), ("text", "7")])
    assert browser.lines(page)[-1] == "Would you like us to tell you what comes of your answers?"


async def test_a_campaign_closed_mid_survey_says_so_and_offers_no_form(
    web_client: Client, app: App
) -> None:
    token, _ = await _at_yes_no_question(web_client)
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    page = await browser.page(web_client, token)
    assert "This survey is closed and no longer takes answers." in page
    assert 'id="answer"' not in page
    assert 'name="text"' not in page
    assert 'name="choice"' not in page
    assert "Menu" in page  # my data and delete stay within reach
    page = await browser.press(web_client, token, "Menu")
    page = await browser.press(web_client, token, "My data")
    assert browser.lines(page)[-1].startswith("What Sauti holds about you")
    assert "This survey is closed" in page


async def _at_number_question(client: Client) -> tuple[str, str]:
    """A participant at the survey's number question `outages` (a text box); token, page."""
    token = await browser.join(client, "en")
    for form in ({"action": "submit", "pick": ["calls"]}, {"choice": "no"}, {"choice": "no"}):
        page = await browser.answer(client, token, **form)
    assert 'name="q" value="outages"' in page
    assert 'name="text"' in page
    return token, page


async def test_a_1_typed_in_the_survey_s_box_during_the_confirmation_deletes_nothing(
    web_client: Client, app: App
) -> None:
    """ "1" in the number question's own box (another tab, or a page still loading) is one
    outage, not a yes to "delete everything?"."""
    token, before = await _at_number_question(web_client)
    await browser.answer(web_client, token, text="delete")
    typed = [("n", browser.nonce(before)), ("q", "outages"), ("text", "1")]
    page = await browser.submit(web_client, token, typed)
    lines = browser.lines(page)
    assert "Nothing was deleted. We took that as your answer to the question." in lines
    assert "me: 1" in lines
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(app.schema.participant(pid), "wk") is not None
    stored = await kit_stored.answers(app.redis, app.schema, pid, CAMPAIGN)
    assert stored["outages"]["v"] == 1


async def test_a_number_typed_in_the_survey_s_box_after_the_menu_is_the_answer(
    web_client: Client, app: App
) -> None:
    """The Menu shows above the question's form: 5 typed in that box is 5 outages, not the
    menu's fifth item (delete)."""
    token, _ = await _at_number_question(web_client)
    page = await browser.press(web_client, token, "Menu")
    assert 'name="q" value="outages"' in page
    page = await browser.answer(web_client, token, text="5")
    assert "Delete all my data" not in page
    assert "me: 5" in browser.lines(page)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    stored = await kit_stored.answers(app.redis, app.schema, pid, CAMPAIGN)
    assert stored["outages"]["v"] == 5


async def test_the_french_page_says_plainly_that_all_data_goes(web_client: Client) -> None:
    token = await browser.join(web_client, "fr")
    page = html.unescape(await browser.answer(web_client, token, text="supprimer"))
    assert re.search(r'<button class="danger"[^>]*>Effacer toutes mes données<', page)
