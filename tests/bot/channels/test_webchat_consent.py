"""The web chat's join page shows the data notice the chat apps say (who is asking — named even
without an intro —, who sees the answers, the code number, my data, delete), with the consents
as tick boxes and "Yes, I agree" as the start button: plain HTML, no script."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.app import App
from bot.conversation.consents import Consent, current_version
from bot.conversation.inbound import Channel
from tests.kit import webchat as browser
from tests.kit.example import example_survey
from tests.kit.webchat import Client

CAMPAIGN = "safe-connect-2026"


async def _join_page(client: Client, language: str = "en") -> str:
    response = await client.get(f"/j/{CAMPAIGN}", headers={"Accept-Language": language})
    assert response.status == 200
    return html.unescape(await response.text())


async def _post_join(client: Client, form: dict[str, str]) -> str:
    response = await client.post(f"/j/{CAMPAIGN}", data=form, allow_redirects=False)
    assert response.status == 303
    return str(response.headers["Location"].split("/c/", 1)[1].split("#", 1)[0].split("?", 1)[0])


async def test_the_join_page_shows_the_data_notice_with_the_organisations_name(
    web_client: Client, app: App
) -> None:
    without_intro = re.sub(r"\nintro:\n(  .*\n)+", "\n", example_survey())
    assert "intro:" not in without_intro
    await app.campaigns.load(without_intro, open_now=True)

    page = await _join_page(web_client)
    assert "Nuru Mobile is asking: Your phone and your safety" in page
    assert "they are stored under a code number, never with your name or number" in page
    assert "Nuru Mobile's team sees them" in page
    assert '("my data")' in page  # the words that work here
    assert '("delete")' in page
    for name in ("upd", "quote", "contact"):
        assert f'<input type="checkbox" name="{name}" value="1">' in page  # unticked
    assert "Your answers are kept for 365 days after this survey closes" in page
    assert "Do you agree to take part?" in page
    assert '<button type="submit">Yes, I agree</button>' in page
    assert "<script" not in page

    swahili = await _join_page(web_client, "sw")
    assert "Nuru Mobile inauliza" in swahili
    assert "Ndiyo, nakubali" in swahili


async def test_joining_on_the_web_records_each_consent_with_its_version(
    web_client: Client, app: App
) -> None:
    form = dict(browser.hidden_fields(await _join_page(web_client))) | {"lang": "en", "quote": "1"}
    token = await _post_join(web_client, form)
    await browser.page(web_client, token)  # the first question, once the join is processed
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    record: Any = await app.redis.hgetall(app.schema.participant(pid))
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None

    def agreed(field: str) -> tuple[bytes, str]:
        answer, version, _ = record[field.encode()].split(b"|")
        return answer, version.decode()

    assert agreed(f"k:take:{CAMPAIGN}") == (b"1", current_version(Consent.TAKE_PART, campaign))
    assert agreed(f"k:quote:{CAMPAIGN}") == (b"1", current_version(Consent.QUOTE, campaign))
    assert agreed(f"u:{CAMPAIGN}") == (b"0", current_version(Consent.OUTCOMES, campaign))
    assert agreed("k:contact") == (b"0", current_version(Consent.CONTACT, campaign))

    shown = await browser.answer(web_client, token, text="my data")
    assert "• contacted again for future surveys: no (" in shown
    page = await browser.press(web_client, token, "Ask me again later")
    assert "Thank you, your choice is saved." in page
    contact = await app.redis.hget(app.schema.participant(pid), "k:contact")
    assert isinstance(contact, bytes)
    assert contact.startswith(b"1|")


async def test_after_stop_the_page_asks_to_start_again_with_no_survey_form_under_it(
    web_client: Client,
) -> None:
    token = await browser.join(web_client, "en")
    first = await browser.page(web_client, token)
    assert 'name="q"' in first  # the first question's form
    await browser.answer(web_client, token, text="stop")
    page = html.unescape(await browser.answer(web_client, token, text="hello"))
    assert "You asked us to stop messages. Start again?" in page
    assert browser.menus(page)[-1] == ["Yes, start again", "No, not now"]
    assert 'name="q"' not in page  # no survey button to press by mistake under the question
    page = html.unescape(await browser.press(web_client, token, "Yes, start again"))
    assert "Welcome back: messages from us are on again." in page
    assert 'name="q"' in page  # the question they were at, again


async def test_a_join_from_a_page_showing_an_older_notice_records_nothing_and_asks_again(
    web_client: Client, app: App
) -> None:
    form = dict(browser.hidden_fields(await _join_page(web_client))) | {"lang": "en", "quote": "1"}
    shared = "Now shared with a partner."
    notice = f'data_notice: {{en: "{shared}", fr: "{shared}", ar: "{shared}", sw: "{shared}"}}'
    changed = example_survey().replace("\nquestions:", f"\n{notice}\nquestions:")
    await app.campaigns.load(changed, open_now=True)  # changed while the page was open
    token = await _post_join(web_client, form)
    page = html.unescape(await browser.page(web_client, token))
    assert "Now shared with a partner." in page  # the notice in force, asked in the chat
    assert browser.menus(page)[-1] == ["Yes, I agree", "No, thank you"]
    assert 'name="q"' not in page  # no survey started
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    record: Any = await app.redis.hgetall(app.schema.participant(pid))
    assert not {f"k:take:{CAMPAIGN}".encode(), f"k:quote:{CAMPAIGN}".encode()} & set(record)

    page = html.unescape(await browser.press(web_client, token, "Yes, I agree"))
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    taken = await app.redis.hget(app.schema.participant(pid), f"k:take:{CAMPAIGN}")
    assert isinstance(taken, bytes)
    assert taken.startswith(f"1|{current_version(Consent.TAKE_PART, campaign)}|".encode())


async def test_a_page_that_does_not_say_which_notice_it_showed_is_no_yes(
    web_client: Client, app: App
) -> None:
    """A page kept in a browser from before the join page named its notice."""
    token = await _post_join(web_client, {"lang": "en", "quote": "1"})
    page = html.unescape(await browser.page(web_client, token))
    assert "What happens with your answers" in page
    assert browser.menus(page)[-1] == ["Yes, I agree", "No, thank you"]
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    record: Any = await app.redis.hgetall(app.schema.participant(pid))
    assert f"k:take:{CAMPAIGN}".encode() not in record


async def test_the_join_page_says_the_campaign_s_own_wording_of_the_consent_question(
    web_client: Client, app: App
) -> None:
    own = 'system_texts:\n  consent.take_part: {sw: "Je, uko tayari kushiriki?"}\n'
    await app.campaigns.load(
        example_survey().replace("\nquestions:", "\n" + own + "questions:"), open_now=True
    )
    assert "Je, uko tayari kushiriki?" in await _join_page(web_client, "sw")
    assert "Do you agree to take part?" in await _join_page(web_client, "en")
