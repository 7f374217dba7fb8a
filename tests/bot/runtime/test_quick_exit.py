"""The quick exit in the conversation (through the real worker and commit): what is said and
stored, in every language, whatever the participant was doing."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.conversation.stored_sessions import decode_session
from dialogues import SessionStatus
from tests.bot.runtime.test_conversation import Chat, _joined, _runtime
from tests.kit.example import CAMPAIGN


async def test_the_exit_word_in_any_language_pauses_and_answers_one_neutral_line(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    for user, language, word, line in (
        ("amani", "sw", "kwaheri", "Sawa."),
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
        assert (record[b"hid"], record[b"stg"]) == (b"1", b""), user
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
    assert said == [
        {"text": "", "from": "sauti", "qx": True, "clear": True},
        {"text": "OK.", "from": "sauti", "qx": True},
    ]


async def test_exit_counts_even_inside_feedback_being_written(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "fumo")
    await chat.say("feedback")
    said = await chat.say("bye")
    assert [m["text"] for m in said] == ["OK."]
    assert (await chat.record())[b"hid"] == b"1"


async def test_the_first_message_after_an_exit_gets_only_a_neutral_greeting(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "gabi")
    await chat.say("1")
    await chat.say("exit")
    [greeting] = await chat.say("help")  # whatever they write: not a menu, not a question
    assert greeting["text"] == 'Hello! Send "start" to carry on.'
    assert "menu" not in greeting
    assert "prompt" not in greeting
    assert (await chat.record())[b"hid"] == b"0"
    resumed = await chat.say("start")
    assert "prompt" in resumed[-1]  # where they were


async def test_start_right_after_an_exit_carries_on_at_once(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "hana")
    await chat.say("exit")
    resumed = await chat.say("start")
    assert "prompt" in resumed[-1]
    assert (await chat.record())[b"hid"] == b"0"
