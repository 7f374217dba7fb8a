"""The quick exit in the conversation (through the real worker and commit): what is said and
stored, in every language, whatever the participant was doing."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.conversation.inbound import Answer, Channel, InboundEvent
from bot.conversation.stored_sessions import decode_session
from dialogues import SessionStatus
from dialogues.inbound import TextReply
from tests.bot.runtime.test_conversation import Chat, _joined, _runtime
from tests.kit.example import CAMPAIGN


async def test_the_exit_word_in_any_language_pauses_and_answers_one_neutral_line(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    for user, language, word, line in (
        ("amani", "sw", "toka", "Sawa."),
        ("badr", "ar", "خروج", "حسنًا."),
        ("claire", "fr", "Quitter", "D'accord."),
        ("dan", "en", "/exit", "OK."),
    ):
        chat = await _joined(runtime, user, language)
        said = await chat.say(word)
        # One line: no "paused, send resume", nothing about the survey (and no clearing
        # on WhatsApp, which cannot delete).
        assert [m["text"] for m in said] == [line], user
        assert said[0]["qx"] is True
        record = await chat.record()
        assert record[b"stg"] == b"", user
        assert int(record[b"hid"]) == runtime.clock_ms, user  # the exit's time
        session = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
        assert session is not None
        assert decode_session(session).status is SessionStatus.PAUSED


async def test_on_telegram_the_exit_clears_the_chat_before_the_line(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "eve", Channel.TELEGRAM)
    await chat.say(f"/start {CAMPAIGN}")
    await chat.press("language", "en")
    await chat.press("updates", "yes")
    said = await chat.press("exit")
    # The clearing deletes only what the chat showed when they left.
    assert said == [
        {"text": "", "from": "sauti", "qx": True, "clear": True, "until": runtime.clock_ms},
        {"text": "OK.", "from": "sauti", "qx": True},
    ]


async def test_exit_counts_even_inside_feedback_being_written(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "fumo")
    await chat.say("feedback")
    said = await chat.say("exit")
    assert [m["text"] for m in said] == ["OK."]
    assert await hidden(chat)


async def test_a_message_after_an_exit_gets_only_a_neutral_greeting_and_they_stay_hidden(
    redis_client: Redis,
) -> None:
    """Whoever writes after an exit may be the one watching: "hi" must not turn the notices
    back on. Only `start` (or joining) does."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "gabi")
    await chat.say("1")
    await chat.say("exit")
    for typed in ("help", "hi"):  # whatever they write: not a menu, not a question
        [greeting] = await chat.say(typed)
        assert greeting["text"] == 'Hello! Send "start" to carry on.'
        assert "menu" not in greeting
        assert "prompt" not in greeting
        assert await hidden(chat)
    resumed = await chat.say("start")
    assert "prompt" in resumed[-1]  # where they were
    assert not await hidden(chat)


async def test_start_right_after_an_exit_carries_on_at_once(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "hana")
    await chat.say("exit")
    resumed = await chat.say("start")
    assert "prompt" in resumed[-1]
    assert (await chat.record())[b"hid"] == b"0"


async def test_a_message_sent_before_the_exit_that_arrives_after_it_changes_nothing(
    redis_client: Redis,
) -> None:
    """WhatsApp webhooks (and Telegram retries) are not ordered: an answer typed just before
    "exit", or even a "start", may be processed just after it. Nothing is sent, and they stay
    hidden; the answer is not taken either."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "late")
    await chat.say("exit")
    left_ms = runtime.clock_ms
    for n, typed in enumerate(("1", "start", "hi")):
        late = InboundEvent(
            event_id=f"whatsapp:late-{n}",
            channel=Channel.WHATSAPP,
            participant_id=chat.pid,
            received_at_ms=left_ms - 500 + n * 250,  # the last one in the exit's very ms
            action=Answer(TextReply(typed)),
            address="addr-late",
        )
        await runtime.ingestor.ingest(late)
        await runtime.drain()
        assert await chat.received() == [], typed
        assert await hidden(chat), typed
    resumed = await chat.say("start")  # written after the exit: they carry on
    assert resumed[-1]["text"].startswith("What do you use your Nuru Mobile line for most?")


async def test_delete_works_while_hidden_without_showing_the_survey(redis_client: Redis) -> None:
    """Someone who left with a quick exit can have everything deleted without "start" first,
    which would put the survey back on a phone that may be watched."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "ines")
    await chat.say("exit")
    [confirm] = await chat.say("delete")
    assert confirm["text"].startswith("Delete everything Sauti holds about you")
    assert confirm["qx"] is True  # goes out although they are hidden
    assert [item["label"] for item in confirm["menu"]] == ["Yes, delete all", "No, keep it"]
    assert await hidden(chat)
    [unclear, again] = await chat.say("hmm")  # an unclear reply: asked again, still hidden
    assert unclear["text"].startswith("Nothing has been deleted yet.")
    assert again["text"] == confirm["text"]
    assert unclear["qx"] is True
    assert again["qx"] is True
    assert await hidden(chat)
    [done] = await chat.say("yes")
    assert done["text"] == "Everything we held about you has been deleted. Thank you for your time."
    assert done["qx"] is True
    assert not await runtime.redis.exists(runtime.schema.participant(chat.pid))


async def test_delete_pressed_and_kept_while_hidden_stays_hidden(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "jon")
    await chat.say("1")
    await chat.say("exit")
    await chat.press("delete")
    [kept] = await chat.press("delete", "cancel")
    assert kept == {"text": "Nothing was deleted.", "from": "sauti", "qx": True}
    assert await hidden(chat)
    [greeting] = await chat.say("hi")  # still hidden: nothing of the survey
    assert greeting["text"] == 'Hello! Send "start" to carry on.'


async def test_stop_works_while_hidden_and_they_stay_hidden(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "kofi")
    await chat.say("exit")
    [stopped] = await chat.say("stop")
    assert stopped["text"].startswith("You will get no more messages from us.")
    assert stopped["qx"] is True
    assert "prompt" not in stopped
    assert "menu" not in stopped
    record = await chat.record()
    assert record[b"stop"] == b"1"
    assert await hidden(chat)
    session = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
    assert session is not None
    assert decode_session(session).status is SessionStatus.PAUSED


async def test_goodbyes_are_not_exit_words(redis_client: Redis) -> None:
    """People write "bye" or "kwaheri" at the end of a survey, or as an answer: taken for an
    exit, it would hide them from every notice they asked for."""
    runtime = await _runtime(redis_client)
    for user, language, word in (
        ("kiki", "sw", "kwaheri"),
        ("lea", "fr", "sortir"),
        ("max", "en", "bye"),
        ("nadia", "en", "Bye"),
    ):
        chat = await _joined(runtime, user, language)
        said = await chat.say(word)
        assert "qx" not in said[0], user
        assert not await hidden(chat), user


async def test_exit_alone_counts_even_as_the_answer_to_a_free_text_question(
    redis_client: Redis,
) -> None:
    """A watched person must be able to leave from anywhere, a question that takes any text
    included: "exit" alone is the way out there too ("exit through the back door" is an
    answer)."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "texter")
    for typed in ("1", "1,2", "yes"):  # about, uses, unsafe=yes -> unsafe_what (free text)
        said = await chat.say(typed)
    assert said[-1]["prompt"]["kind"] == "text"
    said = await chat.say("exit through the back door")
    assert not await hidden(chat)
    said = await chat.say("Exit")
    assert [m["text"] for m in said] == ["OK."]
    assert await hidden(chat)


async def hidden(chat: Chat) -> bool:
    return (await chat.record())[b"hid"] not in (b"", b"0")


async def test_in_shared_phone_mode_a_question_asks_for_the_neutral_continue_template(
    redis_client: Redis,
) -> None:
    """Where only a template may go (WhatsApp's closed window), a question in shared-phone
    mode asks for `shared_continue`, whose words name no survey; before, it asks nothing."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "olu")
    said = await chat.say("1")
    assert "template" not in said[-1]
    await chat.press("shared", "on")
    said = await chat.say("start")
    assert "prompt" in said[-1]
    assert said[-1]["template"] == {
        "purpose": "shared_continue",
        "fallback": None,
        "language": "en",
    }


async def test_an_earlier_event_committed_after_the_web_page_hid_them_keeps_them_hidden(
    redis_client: Redis,
) -> None:
    """The web chat page stores the exit's time itself, before the exit's own event is
    processed. An answer the worker loaded just before that, and commits just after, must
    not bring the conversation back on the page."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "page")
    record = runtime.schema.participant(chat.pid)
    left_ms = runtime.clock_ms + 60_000  # the exit pressed after the answer was sent
    load = runtime.worker._load

    async def page_hides_meanwhile(events: Any) -> Any:
        loaded = await load(events)  # the record as it was: not hidden
        await redis_client.hset(record, "hid", str(left_ms))  # what the page writes
        return loaded

    runtime.worker._load = page_hides_meanwhile  # type: ignore[method-assign]
    await chat.press("help")  # changes their record: the commit writes it
    assert (await chat.record())[b"stg"] == b"help"
    assert (await chat.record())[b"hid"] == str(left_ms).encode()
    runtime.worker._load = load  # type: ignore[method-assign]
    # Only an explicit come-back brings them back.
    runtime.clock_ms = left_ms + 1_000
    resumed = await chat.say("start")
    assert "prompt" in resumed[-1]
    assert (await chat.record())[b"hid"] == b"0"
