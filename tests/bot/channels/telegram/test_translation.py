"""Pure translation, both ways: Telegram updates into inbound events, and button layouts and
texts for a phone screen."""

from __future__ import annotations

import time
from typing import Any

from aiogram.types import Update

from bot.channels.telegram.inbound import UpdateParser
from bot.channels.telegram.render import Limits, menu_keyboard, question_keyboard
from bot.channels.telegram.text import split_text, utf16_len
from bot.conversation.inbound import Answer, Command, Reachability, Unsupported
from bot.conversation.outgoing import MenuItem
from bot.privacy import ParticipantCrypto
from bot.secret import Secret
from dialogues.events import Choice, ControlLabels, Prompt
from dialogues.inbound import ChoiceReply, TextReply
from dialogues.model import QuestionKind

CRYPTO = ParticipantCrypto(Secret(b"m" * 32), Secret(b"s" * 32))
PARSER = UpdateParser(CRYPTO, lambda user: f"pid-{user}")
USER = {"id": 77, "is_bot": False, "first_name": "Amina", "language_code": "sw"}
CHAT = {"id": 77, "type": "private", "first_name": "Amina"}


def _parse(update: dict[str, Any]) -> Any:
    return PARSER.parse(Update.model_validate({"update_id": 9, **update}), 1)


def _message(**content: Any) -> dict[str, Any]:
    return {"message_id": 5, "from": USER, "chat": CHAT, "date": int(time.time()), **content}


def test_typed_text_photos_and_commands_become_events() -> None:
    [typed] = _parse({"message": _message(text="/start@sauti_bot safe-connect-2026")}).events
    assert typed.action == Answer(TextReply("/start safe-connect-2026"))
    assert (typed.participant_id, typed.address, typed.locale) == ("pid-77", "77", "sw")
    assert "77" not in typed.event_id.split(":", 1)[1]  # an HMAC, not Telegram's ids
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    [picture] = _parse({"message": _message(photo=photo)}).events
    assert picture.action == Unsupported("photo")
    edited = _parse({"edited_message": _message(text="changed", edit_date=1)})
    assert edited.events == ()


def test_a_message_is_dated_when_it_was_written_not_when_it_arrived() -> None:
    """A `/time` answer read against the arrival of a retried or backlogged update would put
    the participant hours off."""
    parser = UpdateParser(CRYPTO, lambda user: f"pid-{user}")  # no earlier times for this chat
    now_ms = int(time.time()) * 1000
    update = Update.model_validate({"update_id": 9, "message": _message(text="14:30")})
    written = update.message.date.timestamp() if update.message is not None else 0
    two_hours_later = int(written * 1000) + 2 * 3600 * 1000
    [event] = parser.parse(update, two_hours_later).events
    assert event.received_at_ms == int(written * 1000)
    ahead = Update.model_validate(
        {"update_id": 9, "message": _message(text="14:30", date=int(time.time()) + 600)}
    )
    fresh = UpdateParser(CRYPTO, lambda user: f"pid-{user}")
    [early] = fresh.parse(ahead, now_ms).events
    assert early.received_at_ms == now_ms  # a sender's clock ahead of ours is not trusted


def test_after_a_backlog_a_chat_keeps_the_order_of_its_updates() -> None:
    """A tap takes the time it arrives, a late message the start of the second it was written
    in. After downtime, "exit" tapped and then "/start" typed must not be stored the other way
    round: the start would be taken as written before the exit and dropped."""
    parser = UpdateParser(CRYPTO, lambda user: f"pid-{user}")
    written_s = int(time.time()) - 3600
    arrived_ms = int(time.time() * 1000)
    exit_tap = {"id": "q-exit", "from": USER, "chat_instance": "c", "data": "m|exit"}
    start = {"message": _message(text="/start", date=written_s, message_id=6)}
    other_chat = {**CHAT, "id": 78}
    elsewhere = {"message": _message(text="/start", date=written_s, chat=other_chat)}
    [tapped] = parser.parse(
        Update.model_validate({"update_id": 1, "callback_query": exit_tap}), arrived_ms
    ).events
    [typed] = parser.parse(Update.model_validate({"update_id": 2, **start}), arrived_ms).events
    [other] = parser.parse(Update.model_validate({"update_id": 3, **elsewhere}), arrived_ms).events
    assert tapped.received_at_ms == arrived_ms
    assert typed.received_at_ms == arrived_ms + 1  # after the exit, in update order
    assert other.received_at_ms == written_s * 1000  # another chat keeps its own time


def test_the_same_message_has_the_same_id_and_other_chats_other_ids() -> None:
    first = _parse({"message": _message(text="2")}).events[0].event_id
    again = _parse({"message": _message(text="2")}).events[0].event_id
    other_chat = {**CHAT, "id": 78}
    other = _parse({"message": _message(text="2", chat=other_chat)}).events[0].event_id
    assert first == again != other


def test_taps_groups_and_blocking() -> None:
    tap = {"id": "q1", "from": USER, "chat_instance": "c", "data": "c|money_safe|2"}
    parsed = _parse({"callback_query": tap})
    assert parsed.events[0].action == Answer(ChoiceReply("money_safe", ("2",)))
    assert parsed.callback_query_id == "q1"
    menu = _parse({"callback_query": {**tap, "data": "m|language|fr"}})
    assert menu.events[0].action == Command("language", "fr")
    junk = _parse({"callback_query": {**tap, "data": "whatever"}})
    assert (junk.events, junk.callback_query_id) == ((), "q1")  # only the spinner stopped
    group = {"id": -5, "type": "group", "title": "Village"}
    in_group = _parse({"message": _message(text="hello", chat=group)})
    assert (in_group.events, in_group.group_chat_id) == ((), -5)
    bot = {"id": 1, "is_bot": True, "first_name": "Sauti"}
    blocked = {
        "chat": CHAT, "from": USER, "date": 1,
        "old_chat_member": {"user": bot, "status": "member"},
        "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
    }  # fmt: skip
    assert _parse({"my_chat_member": blocked}).events[0].action == Reachability(False)


CONTROLS = ControlLabels(skip="Skip", back="Back", decline="Prefer not to answer", done="Done")


def _prompt(kind: str, labels: list[str], **extra: Any) -> Prompt:
    choices = tuple(Choice(f"o{n}", label, n + 1) for n, label in enumerate(labels))
    fields: dict[str, Any] = {
        "question_id": "q", "kind": QuestionKind(kind), "text": "?", "hint": "", "language": "en",
        "direction": "ltr", "choices": choices,
        "allow_skip": False, "allow_decline": False, "allow_back": False,
        "labels": CONTROLS,
        "selected": (), "position": 1, "total": 3,
        **extra,
    }  # fmt: skip
    return Prompt(**fields)


def _texts(keyboard: Any) -> list[list[str]]:
    return [[button.text for button in row] for row in keyboard]


def test_buttons_are_laid_out_for_a_phone() -> None:
    single = _prompt("single_choice", ["City", "Town", "A very long place name", "Camp"])
    assert _texts(question_keyboard(single, Limits())) == [
        ["1. City", "2. Town"],
        ["3. A very long place name"],
        ["4. Camp"],
    ]
    scale = _prompt("scale", [str(n) for n in range(11)], allow_back=True, allow_skip=True)
    assert _texts(question_keyboard(scale, Limits())) == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["Back", "Skip"],
    ]
    sensitive = _prompt("yes_no", ["Yes", "No"], allow_decline=True)
    assert _texts(question_keyboard(sensitive, Limits())) == [
        ["Yes", "No"],
        ["Prefer not to answer"],
    ]
    # Payloads that would not fit Telegram's 64 bytes: no option buttons (the number is typed).
    assert question_keyboard(single, Limits(max_payload_bytes=5)) == ()
    languages = [MenuItem(name, "language", code) for code, name in
                 [("en", "✓ English"), ("fr", "Français"), ("ar", "العربية")]]  # fmt: skip
    assert _texts(menu_keyboard(languages, Limits())) == [["✓ English", "Français"], ["العربية"]]


def test_long_texts_split_where_telegram_counts() -> None:
    text = "\n\n".join(["🙂" * 1500, "Swali " * 300, "x" * 5000])
    parts = split_text(text, 4096)
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )
