"""Sender processes SIGKILLed again and again while a Bot API call is under way: before Telegram
took the message, and after it took it but before Sauti recorded that.

Regression: the send claim was taken before the platform call, so a kill between the two lost
the message; over 33 kills 5 of 4,816 messages were never sent, each of them a question the
participant then waited for in silence. The trade now (bot.runtime.claims): a reply in a
conversation whose send was cut short goes again, a bulk notice never goes twice.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.conversation.inbound import Channel
from bot.runtime.message_codec import message_from_plain
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from tests.fakes.telegram_api import FakeTelegram
from tests.kit.running import outbox_pending, send_until_acknowledged
from tests.kit.sender_process import start_sender
from tests.kit.settings import deployment_environment, settings_from
from tests.kit.telegram import (
    QUICK_FAKE,
    TOKEN,
    make_participants,
    notify,
    telegram_environment,
)
from tests.kit.waiting import until

KILLS = 6
SENDS_BETWEEN_KILLS = 5


async def _converse(
    app: App, pids: list[str], users: list[int], rounds: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Queue replies as the worker does after each answer: a line that asks nothing ("noted"),
    then the next question, which waits for the participant (buttons to press)."""
    asking: list[tuple[int, str]] = []
    plain: list[tuple[int, str]] = []
    for n in range(rounds):
        for pid, user in zip(pids, users, strict=True):
            for kind in ("noted", "question"):
                text = f"{kind} {n} for {user}"
                message: dict[str, Any] = {"text": text, "from": "sauti"}
                if kind == "question":
                    message["menu"] = [{"label": "Yes", "cmd": "updates", "arg": "yes"}]
                key = f"reply:{pid[:12]}:{n}:{kind}"
                entry = OutboxEntry(
                    key, pid, Channel.TELEGRAM.value, message_from_plain(message), 0
                )
                await enqueue(app.redis, app.schema, app.crypto, entry, Priority.REPLY)
                (asking if kind == "question" else plain).append((user, text))
    return asking, plain


def _sent(fake: FakeTelegram) -> int:
    return len(fake.calls_to("sendMessage"))


async def _sent_more(fake: FakeTelegram, before: int, more: int) -> None:
    await until(lambda: _sent(fake) >= before + more, 30, waiting_for="the sender process")


async def _why(app: App, waiting: list[tuple[int, str]]) -> str:
    """What the successor did with the messages, for a failure to explain itself."""
    outcomes = {
        sample.labels["outcome"]: sample.value
        for metric in app.metrics.sends.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    }
    dead = [await app.redis.xlen(app.schema.outbox_dead(s)) for s in range(app.schema.shards)]
    return (
        f"left waiting: {waiting}; sends by outcome: {outcomes}; "
        f"still pending: {await outbox_pending(app)}; dead letters per shard: {dead}"
    )


async def test_sender_kills_in_a_loop_leave_nobody_without_their_question_and_no_notice_twice(
    redis_url: str, tmp_path: Path
) -> None:
    fake = FakeTelegram(TOKEN, QUICK_FAKE)
    await fake.start()
    env = deployment_environment(redis_url, tmp_path, **telegram_environment(fake.base_url))
    app = await build_app(settings_from(env))
    try:
        users = list(range(4401, 4421))
        for user in users:
            fake.open_chat(user)
        pids = await make_participants(app, users)
        questions, noted = await _converse(app, pids, users, rounds=2)
        await notify(app, pids, ["first notice", "second notice"])
        notices = [(user, text) for user in users for text in ("first notice", "second notice")]
        cut_short: list[tuple[bool, tuple[int, str]]] = []  # (Telegram took it, message)
        for kill in range(KILLS):
            process = await start_sender(env)
            try:
                await _sent_more(fake, _sent(fake), SENDS_BETWEEN_KILLS)
                took_it = kill % 2 == 1  # every other kill lands before Telegram got it
                held = fake.hold_next("sendMessage", before_effect=not took_it)
                await asyncio.wait_for(held.received.wait(), timeout=30)
            finally:
                process.send_signal(signal.SIGKILL)
                await asyncio.wait_for(process.wait(), timeout=10)
            await asyncio.sleep(0.1)  # the fake sees the connection go
            held.release.set()
            assert held.call is not None
            cut_short.append((took_it, (held.call.params["chat_id"], held.call.params["text"])))

        successor = app.sender(app.push_clients(), consumer="successor")
        await send_until_acknowledged(app, successor)

        delivered = Counter(
            (chat, m.text) for chat, ms in fake.chats.items() for m in ms if m.from_bot
        )
        waiting = [question for question in questions if not delivered[question]]
        assert not waiting, await _why(app, waiting)  # nobody left waiting
        assert all(delivered[message] <= 1 for message in notices + noted)  # never twice
        # The held call itself: a question Telegram never got was sent again; a notice or a
        # line Telegram took was not. (Other recipients' calls were under way at each kill
        # too: a question of theirs may have come twice, a notice of theirs may be missing.)
        for took_it, message in cut_short:
            if message in questions:
                assert delivered[message] >= 1
            else:
                assert delivered[message] == int(took_it)
        twice = sum(delivered[q] - 1 for q in questions)
        missing = sum(1 for message in notices + noted if delivered[message] == 0)
        print(  # the figures for the record (pytest -s)
            f"{KILLS} kills; {len(questions)} questions: 0 missing, {twice} repeated; "
            f"{len(notices) + len(noted)} other messages: 0 twice, {missing} missing"
        )
    finally:
        await app.close()
        await fake.close()
