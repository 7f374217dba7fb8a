"""Participants answer the example campaign on (fake) Telegram, through `sauti run` over HTTP:
long polling and webhook, four languages at once, buttons and typed answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.texts import telegram_texts
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import FakeUser
from tests.kit.telegram import SECRET, Stack, question, running, telegram_api
from tests.kit.waiting import until


@dataclass(frozen=True)
class Step:
    question: str
    tap: tuple[str, ...] = ()  # labels tapped in order (a multiple choice ends with Done)
    type: str | None = None


THANKS = {
    "en": "Thank you for your time",
    "fr": "Merci pour votre temps",
    "ar": "شكرًا لك على وقتك",
    "sw": "Asante kwa muda wako",
}

SCRIPTS: dict[str, tuple[list[Step], dict[str, Any]]] = {
    "en": (
        [
            Step("uses", tap=("Calls", "Mobile money", "Done")),
            Step("money_safe", tap=("2",)),
            Step("worry", tap=("2. Scams",)),
            Step("unsafe", tap=("Yes",)),
            Step("unsafe_what", type="An agent told others my balance."),
            Step("sim_id", type="no"),
            Step("outages", type="3"),
            Step("cut_effect", type="1, 2"),
            Step("trust", tap=("7",)),
            Step("share", tap=("2. Only if a judge asks",)),
            Step("change", tap=("Skip",)),
            Step("area", tap=("4. Camp",)),
        ],
        {
            "uses": ["calls", "money"], "money_safe": 2, "worry": "scams", "unsafe": "yes",
            "unsafe_what": "encrypted", "sim_id": "no", "outages": 3,
            "cut_effect": ["help", "family"], "trust": 7, "share": "judge", "change": "skipped",
            "area": "camp",
        },
    ),
    "fr": (
        [
            Step("uses", type="4"),
            Step("unsafe", tap=("Ne pas répondre",)),
            Step("sim_id", tap=("Oui",)),
            Step("outages", type="0"),
            Step("trust", tap=("10",)),
            Step("share", tap=("1. Toujours refuser",)),
            Step("change", type="Plus d'antennes, s'il vous plaît."),
            Step("area", tap=("Passer",)),
        ],
        {
            "uses": ["internet"], "unsafe": "declined", "sim_id": "yes", "outages": 0,
            "trust": 10, "share": "refuse", "change": "encrypted", "area": "skipped",
        },
    ),
    "ar": (
        [
            Step("uses", tap=("المكالمات", "تمّ")),
            Step("unsafe", tap=("لا",)),
            Step("sim_id", type="نعم"),
            Step("outages", type="0"),
            Step("trust", tap=("5",)),
            Step("share", tap=("5. لا أعرف",)),
            Step("change", tap=("تخطّي",)),
            Step("area", tap=("3. قرية",)),
        ],
        {
            "uses": ["calls"], "unsafe": "no", "sim_id": "yes", "outages": 0, "trust": 5,
            "share": "unsure", "change": "skipped", "area": "village",
        },
    ),
    "sw": (
        [
            Step("uses", type="1,3"),
            Step("money_safe", tap=("5",)),
            Step("unsafe", tap=("Hapana",)),
            Step("sim_id", tap=("Ndiyo",)),
            Step("outages", type="2"),
            Step("cut_effect", tap=("Kupigia familia", "Pesa kwa simu", "Nimemaliza")),
            Step("trust", type="3"),
            Step("share", tap=("Jaji akiagiza tu",)),
            Step("change", type="Mtandao bora vijijini"),
            Step("area", tap=("Kijiji",)),
        ],
        {
            "uses": ["calls", "money"], "money_safe": 5, "unsafe": "no", "sim_id": "yes",
            "outages": 2, "cut_effect": ["family", "money"], "trust": 3, "share": "judge",
            "change": "encrypted", "area": "village",
        },
    ),
}  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with telegram_api() as server:
        yield server


async def answer(user: FakeUser, step: Step) -> None:
    message = await question(user, step.question)
    if step.type is not None:
        await user.say(step.type)
    for label in step.tap:
        await user.tap(message, label)


def recorded(answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Stored answers as the scripts write them: values, outcomes, or "encrypted" for text."""
    shown: dict[str, Any] = {}
    for question_id, stored in answers.items():
        if stored["o"] != "answered":
            shown[question_id] = stored["o"]
        else:
            shown[question_id] = "encrypted" if "x" in stored else stored["v"]
    return shown


async def complete_survey(stack: Stack, user: FakeUser, language: str) -> None:
    steps, _ = SCRIPTS[language]
    await stack.join(user, language, deep_link=language != "fr")
    for step in steps:
        await answer(user, step)
    await user.wait_for_text(THANKS[language])


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_four_participants_complete_the_survey_in_their_languages(
    redis_url: str, tmp_path: Path, fake: FakeTelegram, webhook: bool
) -> None:
    users = {lang: fake.user(2000 + n, lang) for n, lang in enumerate(SCRIPTS)}
    async with running(redis_url, tmp_path, fake, webhook=webhook) as stack:
        await asyncio.gather(*(complete_survey(stack, u, lang) for lang, u in users.items()))
        for language, user in users.items():
            assert recorded(await stack.answers(user)) == SCRIPTS[language][1], language
        assert await stack.counters() == {
            "started": 4,
            "completed": 4,
            "answers": sum(len(expected) for _, expected in SCRIPTS.values()),
        }
        await until(lambda: not fake.unanswered_callbacks())

        async def question_memory_freed() -> bool:
            keys = [stack.app.schema.telegram_questions(stack.pid(u)) for u in users.values()]
            return not await stack.app.redis.exists(*keys)

        # Once every answer shows in its question's message, nothing is kept to edit any more.
        await until(question_memory_freed)
    # The questions answered by tapping now show the answer, and no buttons to tap twice.
    english = users["en"]
    uses = next(m for m in english.messages if m.text.startswith("Question 1 of"))
    assert uses.keyboard == ()
    assert uses.text.endswith("✓ Your answer: Calls, Mobile money")
    assert all(m.keyboard == () for m in english.messages[:-1])
    arabic = next(m for m in users["ar"].messages if "إجابتك: المكالمات" in m.text)
    assert arabic.keyboard == ()
    # Plain text: no parse mode, so nothing a survey author or participant writes is markup.
    assert all("parse_mode" not in call.params for call in fake.calls)
    assert fake.rate_limited_by_sauti == 0
    # Registered on start: the webhook with its secret (or none, for polling) and the menu of
    # commands in every built-in language.
    if webhook:
        assert fake.webhook is not None
        assert (fake.webhook.secret, fake.webhook.max_connections) == (SECRET, 40)
        assert fake.webhook.allowed_updates == ["message", "callback_query", "my_chat_member"]
    else:
        assert fake.calls_to("deleteWebhook", ok=True)
    # the default menu ("") and one per built-in language, Pashto and Burmese among them
    assert sorted(fake.commands) == sorted(["", *telegram_texts().languages])
    assert {"ps", "my", "am"} <= set(fake.commands)
    assert [c["command"] for c in fake.commands["sw"]] == [
        "start", "help", "language", "stop", "updates", "mydata", "delete", "feedback", "cases",
        "reopen", "time", "exit",
    ]  # fmt: skip
