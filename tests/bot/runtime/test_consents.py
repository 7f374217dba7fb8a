"""Separate, versioned consents on push channels: each recorded with the version of its text and
when; asked again when the text changes; shown and changed in "my data"; and no message turned
back on after /stop without a yes — read back from the real outbox and the participant record."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation import consents
from bot.conversation.campaign import Campaign
from bot.conversation.consents import (
    LEGACY,
    OUTCOMES_BEFORE_VERSIONS,
    Consent,
    Given,
    current_version,
    honoured,
    may_contact_again,
    may_quote,
    outcome_versions_under,
)
from bot.conversation.inbound import Channel
from bot.conversation.participants import ParticipantRecord
from bot.conversation.stored_sessions import decode_session
from dialogues import SessionStatus
from dialogues.localization import builtin_catalog
from tests.bot.runtime.test_conversation import Chat
from tests.kit.example import example_survey, open_example
from tests.kit.runtime import Runtime, make_runtime

_BUILTIN_KINDS = (Consent.OUTCOMES, Consent.QUOTE, Consent.CONTACT)

CAMPAIGN = "safe-connect-2026"
NOTICE = "data_notice:\n  en: {text}\n  fr: {text}\n  ar: {text}\n  sw: {text}\n"


async def _runtime(redis: Redis) -> Runtime:
    runtime = make_runtime(redis, shards=2)
    await open_example(runtime.campaigns)
    return runtime


async def _campaign(runtime: Runtime) -> Campaign:
    campaign = await runtime.campaigns.get(CAMPAIGN)
    assert campaign is not None
    return campaign


async def _with_notice(runtime: Runtime, text: str) -> None:
    """The example campaign with its own data notice (as a survey file may bring)."""
    source = example_survey().replace(
        "\nquestions:", "\n" + NOTICE.format(text=text) + "questions:"
    )
    await runtime.campaigns.load(source, open_now=True)


def _menu(message: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(item["label"], item["cmd"], item["arg"]) for item in message.get("menu", [])]


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


async def _joined(runtime: Runtime, user: str) -> Chat:
    chat = Chat(runtime, user)
    await chat.say(CAMPAIGN)
    await chat.press("language", "en")
    await chat.press("consent", "take:yes")
    await chat.press("updates", "yes")
    return chat


async def _question(runtime: Runtime, chat: Chat) -> str | None:
    raw: Any = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
    return decode_session(raw).current


async def test_each_consent_is_recorded_with_the_version_of_its_text_and_when(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    campaign = await _campaign(runtime)
    chat = Chat(runtime, "amina")
    await chat.say(CAMPAIGN)
    await chat.press("language", "en")
    agreed_at = (runtime.clock_ms + 1000) // 1000  # the next event's time, in epoch seconds
    await chat.press("consent", "take:yes")
    told_at = (runtime.clock_ms + 1000) // 1000
    started = await chat.press("updates", "no")
    assert "prompt" in started[-1]

    record = await chat.record()
    take_part = current_version(Consent.TAKE_PART, campaign)
    outcomes = current_version(Consent.OUTCOMES, campaign)
    assert record[f"k:take:{CAMPAIGN}".encode()] == f"1|{take_part}|{agreed_at}".encode()
    assert record[f"u:{CAMPAIGN}".encode()] == f"0|{outcomes}|{told_at}".encode()
    assert b"k:contact" not in record  # optional ones are never assumed

    quoted_at = (runtime.clock_ms + 1000) // 1000
    [saved] = await chat.press("consent", "quote:yes")
    assert saved["text"].startswith("Thank you, your choice is saved.")
    await chat.press("consent", "contact:no")
    record = await chat.record()
    quote = current_version(Consent.QUOTE, campaign)
    assert record[f"k:quote:{CAMPAIGN}".encode()] == f"1|{quote}|{quoted_at}".encode()
    assert record[b"k:contact"].startswith(b"0|")  # one answer for every campaign


async def test_declining_to_take_part_ends_politely_and_keeps_nothing(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "baraka")
    await chat.say(CAMPAIGN)
    notice, *_, question = await chat.press("language", "sw")  # and how long answers are kept
    assert "Nuru Mobile" in notice["text"]
    assert question["text"] == "Je, unakubali kushiriki?"
    [goodbye] = await chat.press("consent", "take:no")
    assert goodbye["text"].startswith("Asante hata hivyo.")
    assert goodbye["to"] == "addr-baraka"  # said although nothing of them is kept
    assert await chat.record() == {}
    assert await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN)) is None


async def test_a_changed_notice_is_asked_again_before_the_next_question(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    await _with_notice(runtime, '"Our own words, first edition."')
    chat = await _joined(runtime, "claire")
    waiting = await _question(runtime, chat)
    first = (await chat.record())[f"k:take:{CAMPAIGN}".encode()]

    await _with_notice(runtime, '"Our own words, second edition: now shared with a partner."')
    asked = await chat.say("1")  # an answer to the question waiting
    assert asked[0]["text"] == (
        "Nuru Mobile is asking: Your phone and your safety\n\n"
        "Our own words, second edition: now shared with a partner.\n\n"
        # A survey's own words cannot leave out what a participant can do about their data.
        'You can skip questions and stop at any time, see what we hold about you ("my data") '
        'and delete it ("delete").'
    )
    assert asked[-1]["text"] == "Do you agree to take part?"
    assert await _question(runtime, chat) == waiting  # the answer was not taken

    again = await chat.press("consent", "take:yes")
    assert again[-1]["prompt"]["question_id"] == waiting  # asked again, now under the new text
    second = (await chat.record())[f"k:take:{CAMPAIGN}".encode()]
    assert second.split(b"|")[1] != first.split(b"|")[1]  # the version they agreed to now
    assert second.split(b"|")[1].startswith(b"c")  # the campaign's own notice's version


async def test_what_was_agreed_before_versions_still_tells_outcomes_and_is_asked_again(
    redis_client: Redis,
) -> None:
    """A participant from before consents had versions: a joined campaign and a bare "1"."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "dalia")
    key = runtime.schema.participant(chat.pid)
    await runtime.redis.hdel(key, f"k:take:{CAMPAIGN}")
    await runtime.redis.hset(key, f"u:{CAMPAIGN}", "1")

    [shown] = await chat.say("my data")
    assert (
        "• take part in this survey: yes (before texts had versions, text version 0)"
        in (shown["text"])
    )
    assert "• hear what comes of your answers: yes (before texts had versions" in shown["text"]
    asked = await chat.press("start")  # back to the survey: the new notice first
    assert "What happens with your answers" in asked[0]["text"]
    assert asked[-1]["text"] == "Do you agree to take part?"
    [outcomes] = await chat.press("consent", "take:yes")
    assert outcomes["text"] == "Would you like us to tell you what comes of your answers?"
    resumed = await chat.press("updates", "yes")
    assert "prompt" in resumed[-1]
    record = await chat.record()
    assert record[f"u:{CAMPAIGN}".encode()].startswith(b"1|")  # now with a version


async def test_my_data_shows_each_consent_and_a_button_changes_it(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "eli")
    [shown] = await chat.say("my data")
    text = shown["text"]
    assert "What you agreed to:" in text
    assert "• take part in this survey: yes (2026-" in text
    assert "• your words quoted without your name: not asked" in text
    assert "• contacted again for future surveys: not asked" in text
    assert [(label, arg) for label, _, arg in _menu(shown)] == [
        ("No outcome news", "out:no"),
        ("You may quote me", "quote:yes"),
        ("Ask me again later", "contact:yes"),
    ]
    await chat.press("consent", "quote:yes")  # its button (a typed number: below)
    [shown] = await chat.say("my data")
    assert "• your words quoted without your name: yes (2026-" in shown["text"]
    assert _menu(shown)[1] == ("Do not quote me", "consent", "quote:no")


async def test_after_stop_a_later_message_asks_and_nothing_else_happens_until_yes(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "fatou")
    waiting = await _question(runtime, chat)
    await chat.say("stop")

    [asked] = await chat.say("1")  # an answer, as if nothing had happened
    assert asked["text"] == "You asked us to stop messages. Start again?"
    assert [label for label, _, _ in _menu(asked)] == ["Yes, start again", "No, not now"]
    assert await _question(runtime, chat) == waiting  # the answer was not taken
    [still] = await chat.press("resume", "no")
    assert still["text"].startswith("All right, we will not send you messages.")
    [asked_again] = await chat.press("start")  # "start" too asks first
    assert asked_again["text"] == "You asked us to stop messages. Start again?"
    assert (await chat.record())[b"stop"] == b"1"

    back = await chat.press("resume", "yes")
    assert _texts(back).startswith("Welcome back")
    assert back[-1]["prompt"]["question_id"] == waiting
    assert (await chat.record())[b"stop"] == b"0"


async def test_the_resume_question_is_asked_in_their_language(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "gift", Channel.TELEGRAM)
    await chat.say(f"/start {CAMPAIGN}")
    await chat.press("language", "fr")
    await chat.press("consent", "take:yes")
    await chat.press("updates", "yes")
    await chat.say("/stop")
    [asked] = await chat.say("bonjour")
    assert asked["text"] == "Vous nous avez demandé d'arrêter les messages. Recommencer ?"


async def test_quoting_and_contacting_again_need_a_yes_to_the_current_text(
    redis_client: Redis,
) -> None:
    """What whoever quotes words in a report, or invites people to a new survey, asks first."""
    runtime = await _runtime(redis_client)
    campaign = await _campaign(runtime)
    chat = await _joined(runtime, "hamisi")

    async def stored() -> ParticipantRecord:
        fields: Any = await runtime.redis.hgetall(runtime.schema.participant(chat.pid))
        return ParticipantRecord.from_fields(chat.pid, fields)

    before = await stored()
    assert not may_quote(before.consents, campaign)  # not asked: no
    assert not may_contact_again(before.consents)
    await chat.press("consent", "quote:yes")
    await chat.press("consent", "contact:yes")
    given = await stored()
    assert may_quote(given.consents, campaign)
    assert may_contact_again(given.consents)

    key = runtime.schema.participant(chat.pid)
    await runtime.redis.hset(key, f"k:quote:{CAMPAIGN}", "1|0ld7e4t0|1790000000")
    await runtime.redis.hset(key, "k:contact", "1|0ld7e4t0|1790000000")
    outdated = await stored()
    assert not may_quote(outdated.consents, campaign)  # a yes to another text is not relied on
    assert not may_contact_again(outdated.consents)


async def test_another_consents_button_while_joining_does_not_skip_taking_part(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "imani")
    await chat.say(CAMPAIGN)
    await chat.press("language", "en")
    again = await chat.press("consent", "quote:yes")  # an older message's button
    assert again[-1]["text"] == "Do you agree to take part?"  # still waiting, nothing started
    assert await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN)) is None


async def test_a_yes_to_an_older_outcomes_question_is_asked_again_at_their_next_message(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "jabari")
    waiting = await _question(runtime, chat)
    key = runtime.schema.participant(chat.pid)
    await runtime.redis.hset(key, f"u:{CAMPAIGN}", "1|0ld7e4t0|1790000000")

    [asked] = await chat.say("1")
    assert asked["text"] == "Would you like us to tell you what comes of your answers?"
    assert await _question(runtime, chat) == waiting  # the answer waits for theirs
    resumed = await chat.press("updates", "yes")
    assert resumed[-1]["prompt"]["question_id"] == waiting
    campaign = await _campaign(runtime)
    current = current_version(Consent.OUTCOMES, campaign)
    assert (await chat.record())[f"u:{CAMPAIGN}".encode()].startswith(f"1|{current}|".encode())


async def test_after_the_survey_only_an_outdated_outcomes_answer_is_asked_again(
    redis_client: Redis,
) -> None:
    """Someone who finished before versions: no "take part?" for a survey with nothing left to
    answer, but the outcomes question again, since notices rely on it."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "kesi")
    for text in ("1", "1,2", "no", "yes", "0", "5", "1", "skip", "skip", "skip"):
        raw: Any = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
        if decode_session(raw).status is SessionStatus.COMPLETED:
            break
        await chat.say(text)
    raw = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
    assert decode_session(raw).status is SessionStatus.COMPLETED
    key = runtime.schema.participant(chat.pid)
    await runtime.redis.hdel(key, f"k:take:{CAMPAIGN}")
    await runtime.redis.hset(key, f"u:{CAMPAIGN}", "1")

    [asked] = await chat.say("hello")
    assert asked["text"] == "Would you like us to tell you what comes of your answers?"
    [saved] = await chat.press("updates", "yes")
    assert saved["text"].startswith("Thank you, your choice is saved.")
    assert (await chat.record())[b"stg"] == b""


async def _finished(runtime: Runtime, chat: Chat) -> None:
    for text in ("1", "1,2", "no", "yes", "0", "5", "1", "skip", "skip", "skip"):
        raw: Any = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
        if decode_session(raw).status is SessionStatus.COMPLETED:
            return
        await chat.say(text)


async def test_a_number_typed_after_my_data_answers_the_survey_question_waiting(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    for channel, join in ((Channel.WHATSAPP, CAMPAIGN), (Channel.TELEGRAM, f"/start {CAMPAIGN}")):
        chat = Chat(runtime, "zara", channel)
        await chat.say(join)
        await chat.press("language", "en")
        await chat.press("consent", "take:yes")
        await chat.press("updates", "yes")
        waiting = await _question(runtime, chat)
        [shown] = await chat.say("my data")
        assert shown["text"].endswith("To change one, tap it.")  # numbers answer the survey
        await chat.say("1")  # an answer to the question waiting, not "No outcome news"
        assert (await chat.record())[f"u:{CAMPAIGN}".encode()].startswith(b"1|")
        assert await _question(runtime, chat) != waiting  # the answer was taken


async def test_a_number_typed_after_my_data_changes_a_consent_once_the_survey_is_done(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "yohana")
    await _finished(runtime, chat)
    [shown] = await chat.say("my data")
    assert shown["text"].endswith("To change one, tap it or reply with its number.")
    await chat.say("2")  # typed, as for every other menu
    [shown] = await chat.say("my data")
    assert "• your words quoted without your name: yes (2026-" in shown["text"]


async def test_after_stop_an_old_take_part_button_records_and_asks_to_start_again(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "yusuf")
    waiting = await _question(runtime, chat)
    await chat.say("stop")
    [asked] = await chat.press("consent", "take:yes")  # an old join message's button
    assert asked["text"] == "You asked us to stop messages. Start again?"

    await _with_notice(runtime, '"Changed notice."')
    [asked] = await chat.press("consent", "take:yes")  # the same, after the notice changed
    assert asked["text"] == "You asked us to stop messages. Start again?"
    record = await chat.record()
    assert record[b"stop"] == b"1"
    campaign = await _campaign(runtime)
    current = current_version(Consent.TAKE_PART, campaign)
    assert record[f"k:take:{CAMPAIGN}".encode()].startswith(f"1|{current}|".encode())
    assert await _question(runtime, chat) == waiting  # nothing started

    back = await chat.press("resume", "yes")
    assert back[0]["text"] == "Welcome back: messages from us are on again."
    assert back[-1]["prompt"]["question_id"] == waiting


async def test_after_stop_an_unknown_consent_asks_to_start_again_not_the_notice(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "vivi")
    waiting = await _question(runtime, chat)
    await chat.say("stop")
    [asked] = await chat.press("consent", "bogus")
    assert asked["text"] == "You asked us to stop messages. Start again?"
    [still] = await chat.say("no")  # a no to starting again, not to taking part
    assert still["text"].startswith("All right, we will not send you messages.")
    assert (await chat.record())[b"stop"] == b"1"
    assert await _question(runtime, chat) == waiting


async def test_resuming_after_the_notice_changed_asks_it_before_the_survey(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "tumaini")
    waiting = await _question(runtime, chat)
    await chat.say("stop")
    await _with_notice(runtime, '"Changed while they were away."')
    back = await chat.press("resume", "yes")
    assert back[0]["text"] == "Welcome back: messages from us are on again."
    assert "Changed while they were away." in back[1]["text"]
    assert back[-1]["text"] == "Do you agree to take part?"
    assert await _question(runtime, chat) == waiting


async def test_declining_a_changed_notice_is_recorded_and_ends_outcome_news(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    await _with_notice(runtime, '"First edition."')
    chat = await _joined(runtime, "xena")
    await _with_notice(runtime, '"Second edition: shared with a partner."')
    asked = await chat.say("1")
    assert asked[-1]["text"] == "Do you agree to take part?"
    declined_at = (runtime.clock_ms + 1000) // 1000
    goodbye, answers = await chat.press("consent", "take:no")
    assert goodbye["text"].startswith("Thank you all the same.")
    assert answers["text"] == (
        "The answers you already gave are kept under your code number with everyone else's, "
        'and deleted when this survey\'s answers are. To delete them now, send "delete".'
    )
    record = await chat.record()
    campaign = await _campaign(runtime)
    take_part = current_version(Consent.TAKE_PART, campaign)
    assert record[f"k:take:{CAMPAIGN}".encode()] == f"0|{take_part}|{declined_at}".encode()
    assert record[f"u:{CAMPAIGN}".encode()].startswith(b"0|")  # the loop tells them nothing

    [shown] = await chat.say("my data")
    assert "• news about outcomes: No" in shown["text"]
    assert "• take part in this survey: no (2026-" in shown["text"]
    assert "• hear what comes of your answers: no (2026-" in shown["text"]
    again = await chat.say("1")  # no survey answer is taken: the notice is asked again
    assert again[-1]["text"] == "Do you agree to take part?"


async def test_any_change_a_person_would_read_in_the_notice_asks_again(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "wema")
    waiting = await _question(runtime, chat)
    versions = {current_version(Consent.TAKE_PART, await _campaign(runtime))}
    for old, new in (
        ("\nquestions:", "\nretention_days: 90\nquestions:"),
        ('{en: "Nuru Mobile",', '{en: "Nuru Mobile Ltd",'),
        ('  en: "Your phone and your safety"', '  en: "Your phone, your safety"'),
    ):
        source = example_survey().replace(old, new, 1)
        assert source != example_survey()
        await runtime.campaigns.load(source, open_now=True)
        versions.add(current_version(Consent.TAKE_PART, await _campaign(runtime)))
        asked = await chat.say("1")
        assert asked[-1]["text"] == "Do you agree to take part?"
        assert await _question(runtime, chat) == waiting
        await chat.press("consent", "take:yes")
        await runtime.campaigns.load(example_survey(), open_now=True)
        waiting = await _question(runtime, chat)
        await chat.say("1")  # back to the words they agreed to first: asked once more
        await chat.press("consent", "take:yes")
        waiting = await _question(runtime, chat)
    assert len(versions) == 4


def test_a_yes_from_before_versions_counts_only_while_the_outcomes_question_is_unchanged() -> None:
    before = Given(True, LEGACY, 0)
    assert honoured(before, Consent.OUTCOMES, None)  # today's words are those asked before
    assert current_version(Consent.OUTCOMES, None) == OUTCOMES_BEFORE_VERSIONS
    assert outcome_versions_under(OUTCOMES_BEFORE_VERSIONS) == (OUTCOMES_BEFORE_VERSIONS, LEGACY)
    assert outcome_versions_under("5ca1ab1e") == ("5ca1ab1e",)  # once reworded: asked again


async def test_my_data_says_which_answers_were_given_to_an_older_text(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "sefu")
    key = runtime.schema.participant(chat.pid)
    await runtime.redis.hset(key, f"u:{CAMPAIGN}", "1|0ld7e4t0|1790000000")
    await runtime.redis.hset(key, "k:contact", "1|0ld7e4t0|1790000000")
    [shown] = await chat.press("mydata")
    text = shown["text"]
    assert "• news about outcomes: No" in text  # an outdated yes tells them nothing
    assert (
        "• hear what comes of your answers: yes (2026-09-21 14:13 UTC, text version 0ld7e4t0)"
        " (text changed since: asked again)"
    ) in text
    assert "• contacted again for future surveys: yes (2026-09-21 14:13 UTC, text version " in text
    assert "0ld7e4t0) (text changed since: not relied on)" in text
    assert "• take part in this survey: yes (2026-" in text
    assert text.count("text changed since") == 2


async def test_a_join_code_sent_while_stopped_is_joined_after_yes_to_starting_again(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    await runtime.campaigns.load(
        example_survey().replace(f"id: {CAMPAIGN}", "id: other-2026"), open_now=True
    )
    chat = await _joined(runtime, "rehema")
    await chat.say("stop")
    [asked] = await chat.say("other-2026")  # another campaign's join code
    assert asked["text"] == "You asked us to stop messages. Start again?"
    assert not await runtime.redis.exists(runtime.schema.session(chat.pid, "other-2026"))
    [asked] = await chat.say("maybe")  # unclear: asked again, the code still waits
    assert asked["text"] == "You asked us to stop messages. Start again?"
    back = await chat.say("yes")
    assert back[0]["text"] == "Welcome back: messages from us are on again."
    assert back[-1]["text"] == "Do you agree to take part?"  # that campaign's notice
    assert (await chat.record())[b"cid"] == b"other-2026"


async def test_a_campaign_s_own_wording_of_the_consent_question_is_asked_in_that_language_only(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    own = 'system_texts:\n  consent.take_part: {sw: "Je, uko tayari kushiriki?"}\n'
    source = example_survey().replace("\nquestions:", "\n" + own + "questions:")
    await runtime.campaigns.load(source, open_now=True)

    swahili = Chat(runtime, "baraka")
    await swahili.say(CAMPAIGN)
    *_, question = await swahili.press("language", "sw")
    assert question["text"] == "Je, uko tayari kushiriki?"
    english = Chat(runtime, "amina")
    await english.say(CAMPAIGN)
    *_, question = await english.press("language", "en")
    assert question["text"] == "Do you agree to take part?"  # Sauti's own, unchanged


def test_adding_a_language_leaves_every_consent_given_before_current(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: adding eleven languages changed the version of the built-in consent texts,
    which marked every quote and contact consent as outdated and asked everyone about outcomes
    again. A translation added later (or its wording) changes nothing anyone agreed to."""
    before = {kind: consents._builtin_version(kind) for kind in _BUILTIN_KINDS}
    catalog = builtin_catalog()
    reworded = {key: dict(texts) for key, texts in catalog.messages.items()}
    reworded["consent.quote"]["ps"] = "بل متن"  # another Pashto wording
    reworded["consent.quote"]["xx"] = "a language added since"
    changed = dataclasses.replace(
        catalog,
        messages=reworded,
        language_names={**catalog.language_names, "xx": "xx"},
        added_languages=(*catalog.added_languages, "xx"),
    )
    monkeypatch.setattr(consents, "builtin_catalog", lambda: changed)
    consents._builtin_version.cache_clear()
    try:
        assert {kind: consents._builtin_version(kind) for kind in _BUILTIN_KINDS} == before
        reworded["consent.quote"]["fr"] = "Autre texte"  # a first language's wording counts
        consents._builtin_version.cache_clear()
        assert consents._builtin_version(Consent.QUOTE) != before[Consent.QUOTE]
    finally:
        consents._builtin_version.cache_clear()
