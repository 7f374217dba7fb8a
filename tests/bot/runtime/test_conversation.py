"""Around the survey, on push channels: joining, commands and keywords, consent, erasure,
feedback — what a participant sees in their chat, read back from the real outbox."""

from __future__ import annotations

import dataclasses
import inspect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.inbound import (
    Action,
    Answer,
    Channel,
    Command,
    Join,
    Reachability,
    Unsupported,
)
from bot.conversation.stored_sessions import decode_session
from bot.privacy import ParticipantId, decrypt_field, field_aad
from bot.runtime.delivery import SendLimits
from bot.runtime.message_codec import message_to_plain
from bot.runtime.outbox import Priority, unseal
from bot.storage.keys import KEPT_ON_ERASURE
from dialogues import SessionStatus
from dialogues.inbound import ChangeLanguage, ChoiceReply, TextReply
from tests.bot.runtime.fake_channel import FakePlatform
from tests.kit.example import open_example
from tests.kit.runtime import Runtime, make_runtime, make_sender

CAMPAIGN = "safe-connect-2026"


@dataclass
class Chat:
    """One person on a chat app: what they send, and what Sauti sends back to them."""

    runtime: Runtime
    user: str
    channel: Channel = Channel.WHATSAPP
    _read: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> str:
        return self.runtime.participant(self.user, self.channel)

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send(Answer(TextReply(text)))

    async def press(self, name: str, argument: str = "") -> list[dict[str, Any]]:
        return await self.send(Command(name, argument))

    async def send(self, action: Action) -> list[dict[str, Any]]:
        event = self.runtime.event(self.pid, action, f"addr-{self.user}", self.channel)
        await self.runtime.ingestor.ingest(event)
        await self.runtime.drain()
        return await self.received()

    async def received(self) -> list[dict[str, Any]]:
        schema = self.runtime.schema
        stream = schema.outbox(schema.shard_of(self.pid), Priority.REPLY)
        start = self._read.get(stream, "-")
        entries: Any = await self.runtime.redis.xrange(stream, min=start)
        messages = []
        for entry_id, fields in entries:
            if entry_id.decode() == start:
                continue
            entry = unseal(fields, self.runtime.crypto)
            if entry.participant_id == self.pid:
                messages.append(message_to_plain(entry.message))
            self._read[stream] = entry_id.decode()
        return messages

    async def record(self) -> dict[bytes, bytes]:
        """Their participant record, a field absent reading as empty (as Sauti reads it: an
        emptied field is removed)."""
        result: Any = await self.runtime.redis.hgetall(self.runtime.schema.participant(self.pid))
        return defaultdict(bytes, result)


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def _menu(message: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(item["label"], item["cmd"], item["arg"]) for item in message.get("menu", [])]


async def _runtime(redis: Redis) -> Runtime:
    runtime = make_runtime(redis, shards=2)
    await open_example(runtime.campaigns)
    return runtime


async def _joined(runtime: Runtime, user: str, language: str = "en") -> Chat:
    chat = Chat(runtime, user)
    await chat.say(CAMPAIGN)
    await chat.press("language", language)
    await chat.press("consent", "take:yes")
    await chat.press("updates", "yes")
    return chat


async def test_a_deep_link_asks_language_then_consent_then_starts_the_survey(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "amina", Channel.TELEGRAM)

    [choose] = await chat.say(f"/start {CAMPAIGN}")
    assert choose["text"] == "Please choose your language."
    assert [(cmd, arg) for _, cmd, arg in _menu(choose)] == [
        ("language", "en"),
        ("language", "fr"),
        ("language", "ar"),
        ("language", "sw"),
    ]
    assert [label for label, _, _ in _menu(choose)][3] == "Kiswahili"  # in its own script

    consent, kept, take_part = await chat.press("language", "fr")
    assert "Ce que deviennent vos réponses" in consent["text"]
    assert kept["text"].startswith("Vos réponses sont conservées 365 jours")
    assert "/mydata" in consent["text"]  # Telegram: commands as the app shows them
    assert take_part["text"] == "Acceptez-vous de participer ?"
    assert [(cmd, arg) for _, cmd, arg in _menu(take_part)] == [
        ("consent", "take:yes"),
        ("consent", "take:no"),
    ]

    [question] = await chat.press("consent", "take:yes")
    assert question["text"].startswith("Voulez-vous que nous vous disions")
    assert [(cmd, arg) for _, cmd, arg in _menu(question)] == [
        ("updates", "yes"),
        ("updates", "no"),
    ]

    started = await chat.press("updates", "no")
    assert any("prompt" in m for m in started)  # the first question, in French
    assert started[-1]["prompt"]["language"] == "fr"
    record = await chat.record()
    assert record[f"u:{CAMPAIGN}".encode()][:1] == b"0"
    assert record[b"lset"] == b"1"
    assert record[f"c:{CAMPAIGN}".encode()] == b"1"


async def test_the_platform_language_is_pre_selected(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "baraka", Channel.TELEGRAM)
    event = runtime.event(
        chat.pid, Answer(TextReply(f"/start {CAMPAIGN}")), "addr-baraka", Channel.TELEGRAM
    )
    await runtime.ingestor.ingest(dataclasses.replace(event, locale="sw-TZ"))
    await runtime.drain()
    [choose] = await chat.received()
    assert choose["text"] == "Tafadhali chagua lugha yako."
    assert "✓ Kiswahili" in [label for label, _, _ in _menu(choose)]


async def test_typed_replies_work_where_there_are_no_buttons(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "chausiku")  # WhatsApp: a click-to-chat link sends the join code

    [choose] = await chat.say(CAMPAIGN)
    assert choose["text"] == "Please choose your language."
    consent = await chat.say("4")  # the fourth language of the menu
    assert _texts(consent).endswith("Je, unakubali kushiriki?")
    again = await chat.say("labda")  # "maybe": not an answer to a yes/no question
    assert _texts(again).endswith("Je, unakubali kushiriki?")  # with the notice again
    [outcomes] = await chat.say("1")  # the first button: yes, I agree
    assert "Ungependa tukujulishe" in outcomes["text"]
    again = await chat.say("labda")
    assert "Ungependa tukujulishe" in _texts(again)
    started = await chat.say("ndiyo")
    assert started[-1]["prompt"]["language"] == "sw"
    assert (await chat.record())[f"u:{CAMPAIGN}".encode()][:1] == b"1"


async def test_a_language_picked_by_its_number_in_eastern_arabic_digits(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "halima")
    [choose] = await chat.say(CAMPAIGN)
    assert choose["text"] == "Please choose your language."
    consent = await chat.say("٤")  # the fourth language of the menu, as an Arabic keyboard types 4
    assert _texts(consent).endswith("Je, unakubali kushiriki?")


async def test_a_first_hello_offers_the_open_campaigns_and_stores_nobody(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "dalia")
    [offer] = await chat.say("hello")
    assert offer["text"] == "Which survey would you like to answer?"
    assert [(cmd, arg) for _, cmd, arg in _menu(offer)] == [("start", CAMPAIGN)]
    assert offer["to"] == "addr-dalia"  # the reply knows where to go: there is no record
    assert await chat.record() == {}


async def test_help_in_any_language_offers_the_menu(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "eli", "sw")
    [menu] = await chat.say("Msaada")
    assert "msaada" in menu["text"]
    assert [cmd for _, cmd, _ in _menu(menu)] == [
        "start",
        "language",
        "mydata",
        "feedback",
        "delete",
        "stop",
        "time",  # added at the end: the numbers of the others did not move
        "updates",  # so was the news opt-in, after it
        "exit",
        "help",  # "More…": WhatsApp's list holds 10 rows; "shared" and "cases" are next
    ]
    resumed = await chat.press("start")
    assert resumed[-1]["prompt"]["language"] == "sw"  # "survey" carries on where they were


async def test_stop_pauses_and_opts_out_until_they_come_back(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "fatou")
    [stopped] = await chat.say("stop")
    assert stopped["text"].startswith("You will get no more messages from us.")
    assert (await chat.record())[b"stop"] == b"1"
    session: Any = await runtime.redis.get(runtime.schema.session(chat.pid, CAMPAIGN))
    assert decode_session(session).status is SessionStatus.PAUSED

    [asked] = await chat.say("start")  # not silently back on: asked first
    assert asked["text"] == "You asked us to stop messages. Start again?"
    assert [(cmd, arg) for _, cmd, arg in _menu(asked)] == [("resume", "yes"), ("resume", "no")]
    assert (await chat.record())[b"stop"] == b"1"
    back = await chat.say("1")  # typed: the first button
    assert "Welcome back" in _texts(back)
    assert "prompt" in back[-1]  # the survey goes on where they were
    assert (await chat.record())[b"stop"] == b"0"


async def test_a_language_button_pressed_while_another_menu_waits_changes_the_survey_too(
    redis_client: Redis,
) -> None:
    """An older language button pressed after the help menu: they were told "From now on …",
    but the survey went on in the old language and the record reverted with the next answer."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "yusufu")
    await chat.say("help")
    replies = await chat.press("language", "fr")
    assert replies[-1]["prompt"]["language"] == "fr"  # the question again, in French
    replies = await chat.say("1, 2")
    assert replies[-1]["prompt"]["language"] == "fr"
    record = await chat.record()
    assert (record[b"lang"], record[b"stg"]) == (b"fr", b"")


async def test_the_web_chats_language_row_at_a_yes_no_question_changes_the_language(
    redis_client: Redis,
) -> None:
    """At "delete everything?" a press on the page's own row of languages was taken for an
    unclear yes/no and the question came again, in the old language."""
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "rehema", Channel.WEBCHAT)
    await chat.send(Join(CAMPAIGN, "en", True))
    await chat.say("delete")
    assert (await chat.record())[b"stg"] == b"delete"
    await chat.send(Answer(ChangeLanguage("sw")))
    record = await chat.record()
    assert (record[b"lang"], record[b"stg"]) == (b"sw", b"")  # nothing is deleted either


async def test_my_data_shows_what_they_said_including_their_own_free_text(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "gift")
    await chat.say("1")  # about: an info screen's "continue" is answered with anything
    for reply in ("1,2", "yes", "the tower is far"):
        await chat.say(reply)
    [data] = await chat.say("my data")
    text = data["text"]
    assert text.startswith("What Sauti holds about you:")
    assert "news about outcomes: Yes" in text
    assert "not finished" in text
    assert "the tower is far" in text  # their own free text, opened with their key
    assert "No decision has been linked to your answers yet." in text


async def test_my_data_in_the_same_batch_as_an_answer_shows_that_answer(
    redis_client: Redis,
) -> None:
    """The worker commits a batch after working out every event of it: "my data" read the
    stored answers before the answer just before it was committed, and left it out."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "imani")
    await chat.say("1")
    await chat.say("1,2")
    await chat.say("yes")
    for action in (Answer(TextReply("the tower is far")), Answer(TextReply("my data"))):
        event = runtime.event(chat.pid, action, f"addr-{chat.user}", chat.channel)
        await runtime.ingestor.ingest(event)
    assert await runtime.drain() == 2  # one batch
    data = (await chat.received())[-1]["text"]
    assert data.startswith("What Sauti holds about you:")
    assert "the tower is far" in data


async def test_a_survey_button_pressed_at_delete_with_the_survey_paused_claims_no_answer(
    redis_client: Redis,
) -> None:
    """An old message's survey button, pressed at "delete everything?" after /stop: nothing
    is deleted, and no question took it as an answer, so none is claimed."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "baraka")
    await chat.say("1")
    await chat.say("1,2")
    await chat.say("stop")
    await chat.say("delete")
    replies = await chat.send(Answer(ChoiceReply("unsafe", ("yes",))))
    assert replies[0]["text"] == "Nothing was deleted."
    record = await chat.record()
    assert (record[b"stg"], bool(record[b"wk"])) == (b"", True)


async def test_a_survey_button_pressed_at_delete_is_the_answer_and_nothing_is_deleted(
    redis_client: Redis,
) -> None:
    """On a chat app too: the survey question's own Yes, tapped while "delete everything?"
    waits, used to repeat the delete question; it cancels it and answers the question."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "rehema")
    await chat.say("1")
    await chat.say("1,2")  # now at `unsafe`, a yes/no question with its own Yes button
    await chat.say("delete")
    replies = await chat.send(Answer(ChoiceReply("unsafe", ("yes",))))
    assert replies[0]["text"] == "Nothing was deleted. We took that as your answer to the question."
    assert replies[-1]["prompt"]["question_id"] == "unsafe_what"  # "yes" was taken
    record = await chat.record()
    assert (record[b"stg"], bool(record[b"wk"])) == (b"", True)

    await chat.say("delete")
    [again, ask] = await chat.say("maybe")
    assert again["text"].startswith("Nothing has been deleted yet. To delete everything, choose")
    assert ask["text"].startswith("Delete everything Sauti holds about you")
    assert (await chat.record())[b"stg"] == b"delete"


async def test_delete_asks_first_and_then_erases_everything(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "hamid")
    await chat.say("1")
    await chat.say("1,2")
    schema = runtime.schema

    [ask] = await chat.say("delete")
    assert ask["text"].startswith("Delete everything Sauti holds about you")
    [kept] = await chat.say("no")
    assert kept["text"] == "Nothing was deleted."
    assert await chat.record() != {}

    await chat.say("delete")
    await runtime.redis.hset(
        schema.telegram_questions(chat.pid), "uses", "{}"
    )  # a channel's memory
    [done] = await chat.press("delete", "confirm")
    assert done["text"].startswith("Everything we held about you has been deleted.")
    assert done["to"] == "addr-hamid"  # the goodbye still reaches them
    assert await chat.record() == {}
    shard = schema.shard_of(chat.pid)
    gone = (
        schema.session(chat.pid, CAMPAIGN),
        schema.answers(chat.pid, CAMPAIGN),
        schema.telegram_questions(chat.pid),
    )
    for key in gone:
        assert not await runtime.redis.exists(key)
    assert not await runtime.redis.sismember(schema.respondents(shard, CAMPAIGN), chat.pid)


async def test_after_erasure_only_keys_that_expire_on_their_own_still_name_the_participant(
    redis_client: Redis,
) -> None:
    """Erasure goes by the key schema's list of a participant's keys: whatever else still names
    them afterwards must be a key the schema says is left to expire (`KEPT_ON_ERASURE`)."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "zuhura")
    await chat.say("1")
    await chat.say("1,2")
    await chat.say("delete")
    [done] = await chat.press("delete", "confirm")
    assert done["text"].startswith("Everything we held about you has been deleted.")
    schema = runtime.schema
    kept: set[str] = set()
    for name in KEPT_ON_ERASURE:
        family = getattr(schema, name)
        if list(inspect.signature(family).parameters) == ["participant_id"]:
            made = family(chat.pid)
            kept.update((made,) if isinstance(made, str) else made)
    left = {key.decode() async for key in runtime.redis.scan_iter(match=f"*{chat.pid}*")}
    assert left <= kept


async def test_the_goodbye_after_erasure_is_delivered_to_the_address_it_carries(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "imani")
    await chat.say("delete")
    await chat.press("delete", "confirm")
    platform = FakePlatform(SendLimits(200, 5, 0.01, 5), channel=Channel.WHATSAPP)
    sender = make_sender(runtime, platform)
    for shard in range(runtime.schema.shards):
        await sender.prepare(shard)
        while await sender.poll(shard, block_ms=None):
            pass
    goodbye = platform.delivered[-1]
    assert goodbye.message["text"].startswith("Everything we held about you")
    assert goodbye.address == "addr-imani"
    # Everything before the erasure (sent after it) found no record and went nowhere.
    assert [d.message["text"] for d in platform.delivered] == [goodbye.message["text"]]


async def test_feedback_is_kept_sealed_with_a_reference_they_can_quote(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "jabari")
    [ask] = await chat.say("feedback")
    assert ask["text"].startswith("What would you like to tell")
    [thanks] = await chat.say("stop")  # while writing feedback, "stop" is what they say
    reference = thanks["text"].split("Your reference is ")[1].split(".")[0]
    assert reference.startswith("F-")
    schema = runtime.schema
    shard = schema.shard_of(chat.pid)
    case: Any = await runtime.redis.hgetall(schema.case(shard, reference))
    assert case[b"status"] == b"received"
    assert case[b"cid"] == CAMPAIGN.encode()
    assert await runtime.redis.zscore(schema.cases(shard), reference) is not None
    record = await chat.record()
    data_key = runtime.crypto.unwrap_data_key(record[b"wk"])
    aad = field_aad(ParticipantId(chat.pid), f"case:{reference}")
    assert decrypt_field(data_key, case[b"x"], aad) == "stop"
    assert record[b"stop"] == b"0"  # it did not opt them out


async def test_a_photo_gets_a_short_explanation_in_their_language(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "kemi", "fr")
    [notice] = await chat.send(Unsupported("image"))
    assert notice["text"].startswith("Désolé, je ne peux lire que du texte.")


async def test_blocking_and_unblocking_change_reachability_silently(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "lulu")
    assert await chat.send(Reachability(reachable=False)) == []
    assert (await chat.record())[b"reach"] == b"unreachable"
    assert await chat.send(Reachability(reachable=True)) == []
    assert (await chat.record())[b"reach"] == b""


async def test_changing_language_mid_survey_asks_the_question_again(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "musa")
    changed = await chat.press("language", "ar")
    assert changed[-1]["prompt"]["language"] == "ar"
    assert changed[-1]["prompt"]["direction"] == "rtl"
    assert (await chat.record())[b"lang"] == b"ar"


async def test_a_stale_button_during_a_join_question_asks_that_question_again(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "nia")
    await chat.say(CAMPAIGN)
    [again] = await chat.send(Answer(ChoiceReply("uses", ("mpesa",))))
    assert again["text"] == "Please choose your language."


async def test_a_typed_number_picks_from_the_menu_just_shown(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "omari")
    [menu] = await chat.say("help")
    assert [cmd for _, cmd, _ in _menu(menu)][2] == "mydata"
    [data] = await chat.say("3")
    assert data["text"].startswith("What Sauti holds about you:")
    assert _menu(data)[0] == ("No outcome news", "consent", "out:no")
    # A survey question waits (its info screen): a number answers it, only a button changes
    # a consent (my data's own numbers: tests/bot/runtime/test_consents.py).
    again = await chat.say("1")
    assert "prompt" in again[-1]
    assert (await chat.record())[f"u:{CAMPAIGN}".encode()][:1] == b"1"
    [changed] = await chat.press(*_menu(data)[0][1:])  # my data's first button
    assert changed["text"].startswith("We will not send you news about the outcome.")
    assert (await chat.record())[f"u:{CAMPAIGN}".encode()][:1] == b"0"


async def test_a_stranger_can_pick_a_campaign_by_number(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = Chat(runtime, "pendo")
    await chat.say("hi")
    [choose] = await chat.say("1")
    assert choose["text"] == "Please choose your language."


async def test_writing_again_makes_an_unreachable_participant_reachable(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "quinn")
    await chat.send(Reachability(reachable=False))
    assert (await chat.record())[b"reach"] == b"unreachable"
    await chat.say("help")
    assert (await chat.record())[b"reach"] == b""


async def test_a_menu_pick_in_the_same_batch_as_its_menu_is_read_after_it(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "rehema")
    for text in ("help", "3"):  # both stored before the worker runs: one batch
        await runtime.ingestor.ingest(
            runtime.event(chat.pid, Answer(TextReply(text)), "addr-rehema", chat.channel)
        )
    await runtime.drain()
    menu, data = await chat.received()
    assert "menu" in menu
    assert data["text"].startswith("What Sauti holds about you:")


async def test_a_superscript_digit_typed_after_a_menu_does_not_stop_the_worker(
    redis_client: Redis,
) -> None:
    """Regression: '²' passed for a number ('²'.isdigit() is True) and int('²') raised in the
    worker, which stopped its shard again on every restart: nobody in it was answered."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "baraka")
    for text in ("help", "²"):
        await runtime.ingestor.ingest(
            runtime.event(chat.pid, Answer(TextReply(text)), "addr-baraka", chat.channel)
        )
    await runtime.drain()
    menu, answer = await chat.received()
    assert "menu" in menu
    assert answer["text"]  # answered like any other text


# The harness's events are sent at 2026-11-18 11:06:4x UTC: "14:07" there is UTC+03:00.


async def test_the_time_command_asks_and_their_answer_sets_their_time_zone(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "sefu")
    [ask] = await chat.say("/time")
    assert ask["text"].startswith("What time is it where you are now? (for example 14:30)")
    [done] = await chat.say("14:07")
    assert done["text"].startswith("Thank you. It is 14:07 where you are")
    assert "UTC+03:00" in done["text"]
    record = await chat.record()
    assert (record[b"tz"], record[b"tzset"], record[b"stg"]) == (b"UTC+03:00", b"1", b"")
    [question] = await chat.say("1")  # the survey goes on: "1" is no time any more
    assert "prompt" in question


async def test_an_unreadable_time_is_asked_again_in_their_language(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "tumaini", "sw")
    [ask] = await chat.say("saa")  # the keyword, in Swahili
    assert ask["text"].startswith("Sasa ni saa ngapi hapo ulipo")
    [again] = await chat.say("saa tatu asubuhi")  # Swahili time: not read six hours off
    assert again["text"].startswith("Samahani, sikuweza kusoma saa hiyo.")
    assert '"anza"' in again["text"]  # how to carry on without it
    assert b"tz" not in await chat.record()
    [done] = await chat.say("2:07 pm")
    assert "UTC+03:00" in done["text"]


async def test_a_second_unreadable_time_goes_to_the_survey_question_waiting(
    redis_client: Redis,
) -> None:
    """Asked again once; after that, what they type answers the survey: they had been stuck
    answering the time question with answers to the survey until they typed "start"."""
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "zawadi")  # asked "what do you use your phone for?"
    await chat.say("time")
    [again] = await chat.say("after lunch")
    assert again["text"].startswith("Sorry, I could not read that time.")
    replies = await chat.say("1, 2")  # calls and SMS: an answer to the survey
    assert replies[-1]["prompt"]["question_id"] != "uses"
    record = await chat.record()
    assert (record[b"stg"], b"tz" in record) == (b"", False)


async def test_a_survey_button_after_the_time_question_goes_to_the_survey(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "wambui")  # asked "what do you use your phone for?"
    await chat.say("time")
    replies = await chat.send(Answer(ChoiceReply("uses", ("calls", "sms"))))
    assert "prompt" in replies[-1]
    assert replies[-1]["prompt"]["question_id"] != "uses"  # answered: the next question
    assert (await chat.record())[b"stg"] == b""


async def test_the_time_in_one_go_with_arabic_digits(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "umm", "ar")
    [done] = await chat.say("/time ٨:٠٧ ص")  # 08:07 in the morning: three hours behind UTC
    assert "UTC-03:00" in done["text"]
    assert (await chat.record())[b"tz"] == b"UTC-03:00"


async def test_the_time_is_item_7_of_the_help_menu_and_shown_in_my_data(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "vumilia")
    [data] = await chat.say("my data")
    unknown = 'your time zone: not known, so we use the survey\'s ("time" tells us yours)'
    assert unknown in data["text"]
    [menu] = await chat.say("help")
    assert _menu(menu)[6] == ("My time", "time", "")
    [ask] = await chat.say("7")
    assert ask["text"].startswith("What time is it where you are now?")
    await chat.say("14:37")  # 11:06 UTC: UTC+03:30
    [data] = await chat.say("my data")
    told = 'your time zone: UTC+03:30, from the time you told us ("time" changes it)'
    assert told in data["text"]


async def test_updates_without_an_argument_asks_rather_than_turning_news_off(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "xavier")  # said yes when joining; now asked "uses"
    [asked] = await chat.press("updates")  # "/updates" typed, or the keyword: no argument
    assert asked["text"] == "Would you like us to tell you what comes of your answers?"
    assert [(cmd, arg) for _, cmd, arg in _menu(asked)] == [("updates", "yes"), ("updates", "no")]
    record = await chat.record()
    assert (record[f"u:{CAMPAIGN}".encode()][:1], record[b"stg"]) == (b"1", b"updates")

    [off] = await chat.say("2")  # the menu's second item, not option 2 of the survey question
    assert off["text"].startswith("We will not send you news about the outcome.")
    assert '"updates"' in off["text"]  # how to change it back
    record = await chat.record()
    assert (record[f"u:{CAMPAIGN}".encode()][:1], record[b"stg"]) == (b"0", b"")
    answers: Any = await runtime.redis.hgetall(runtime.schema.answers(chat.pid, CAMPAIGN))
    assert b"uses" not in answers

    [again] = await chat.say("matokeo")  # the Swahili keyword counts whatever their language
    assert again["text"] == "Would you like us to tell you what comes of your answers?"
    [unclear] = await chat.say("perhaps")
    assert unclear["text"] == again["text"]  # asked again until it is answered
    [on] = await chat.say("yes")
    assert on["text"] == "We will tell you what comes of your answers."
    assert (await chat.record())[f"u:{CAMPAIGN}".encode()][:1] == b"1"
    [off] = await chat.say("/updates no")  # or in one go
    assert off["text"].startswith("We will not send you news")
    assert (await chat.record())[f"u:{CAMPAIGN}".encode()][:1] == b"0"


async def test_a_number_typed_after_the_language_command_picks_a_language_not_an_answer(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    chat = await _joined(runtime, "yusuf")  # asked "uses": "2" would answer "Text messages"
    [menu] = await chat.say("language")
    assert menu["text"] == "Please choose your language."
    assert _menu(menu)[0] == ("✓ English", "language", "en")
    assert (await chat.record())[b"stg"] == b"lang"
    changed = await chat.say("2")
    assert changed[-1]["prompt"]["question_id"] == "uses"  # asked again, in French
    assert changed[-1]["prompt"]["language"] == "fr"
    record = await chat.record()
    assert (record[b"lang"], record[b"stg"]) == (b"fr", b"")
    answers: Any = await runtime.redis.hgetall(runtime.schema.answers(chat.pid, CAMPAIGN))
    assert b"uses" not in answers

    # From the help menu (its item 2), then a language typed by number: not help item 4.
    await chat.say("help")
    [menu] = await chat.say("2")
    assert [arg for _, _, arg in _menu(menu)] == ["en", "fr", "ar", "sw"]
    changed = await chat.say("4")
    assert changed[-1]["prompt"]["language"] == "sw"

    # What is no language goes on to the survey, as after the help menu.
    await chat.say("lugha")
    answered = await chat.say("1,2")
    assert answered[-1]["prompt"]["question_id"] != "uses"
    assert (await chat.record())[b"stg"] == b""
