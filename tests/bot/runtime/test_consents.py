"""Separate, versioned consents on push channels: each recorded with the version of its text and
when; asked again when the text changes; shown and changed in "my data"; and no message turned
back on after /stop without a yes — read back from the real outbox and the participant record."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.conversation.consents import Consent, current_version, may_contact_again, may_quote
from bot.conversation.inbound import Channel
from bot.conversation.participants import ParticipantRecord
from bot.conversation.stored_sessions import decode_session
from dialogues import SessionStatus
from tests.bot.runtime.test_conversation import Chat
from tests.kit.example import example_survey, open_example
from tests.kit.runtime import Runtime, make_runtime

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
        "Our own words, second edition: now shared with a partner."
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
    await chat.say("2")  # typed, as for every other menu
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
