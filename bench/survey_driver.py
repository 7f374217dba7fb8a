"""Virtual Telegram participants who answer the example survey through a bot's webhook, for the
benches that compare bots (`bench/versus_aiogram.py`).

The fake Bot API (`tests/fakes/telegram_api.py`) tells each participant at once what the bot
sent or edited in their chat (`WatchedTelegram`). A participant posts an update to the bot's
webhook (with the secret header, as Telegram does), notes when the answer came (the ack), and
waits for the bot's next message that asks something: a survey question (recognised by its
text, in any of the survey's languages), any other message with buttons (a menu), or the
survey's thanks. Then it answers, the same way for every bot:

- a choice, yes/no or scale: tap the first button, with the callback_data the bot sent;
- a multiple choice: tap the first button, wait for the bot's edit, tap the Done button;
- a number: type 1 (or the lowest allowed, if 1 is not); a text: type a short sentence;
- an info text or a message without buttons: wait for the next;
- a menu (a message with buttons, no question): tap its first button.

Participants know the bot only through the Bot API, never through its Redis. What they answer
is remembered (`expected`) so that the bench can check every answer was stored. No message
text is logged or printed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from dialogues import Question, QuestionKind, Survey
from dialogues.localization import builtin_catalog
from tests.fakes.telegram_api import ChatMessage, FakeTelegram
from tests.fakes.telegram_limits import FakeLimits

TYPED_TEXT = "Better coverage in the villages, please."
REPLY_TIMEOUT = 30.0
# Telegram opens at most this many connections to a webhook at once (its default).
WEBHOOK_CONNECTIONS = 40


@dataclass(frozen=True)
class Delivery:
    at: float  # time.perf_counter() when the fake took the call
    edit: bool  # an edit of an earlier message, not a new one
    message: ChatMessage


class WatchedTelegram(FakeTelegram):
    """The fake Bot API, handing each chat's new and edited bot messages to its participant."""

    def __init__(self, token: str, limits: FakeLimits) -> None:
        super().__init__(token, limits)
        self._inboxes: dict[int, asyncio.Queue[Delivery]] = {}

    def inbox(self, chat_id: int) -> asyncio.Queue[Delivery]:
        return self._inboxes.setdefault(chat_id, asyncio.Queue())

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._send_message(params)
        chat_id = int(params["chat_id"])
        self.inbox(chat_id).put_nowait(
            Delivery(time.perf_counter(), False, self.chats[chat_id][-1])
        )
        return result

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._edit_message_text(params)
        self._edited(params)
        return result

    async def _edit_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._edit_reply_markup(params)
        self._edited(params)
        return result

    def _edited(self, params: dict[str, Any]) -> None:
        message = self._own_message(params)
        self.inbox(message.chat_id).put_nowait(Delivery(time.perf_counter(), True, message))


@dataclass(frozen=True)
class SurveyKnowledge:
    """What a participant can tell from the survey file: which text asks which question, the
    thanks, and the label of the Done button, in every language."""

    questions: tuple[tuple[str, Question], ...]
    thanks: tuple[str, ...]
    done_labels: tuple[str, ...]
    campaign: str

    @classmethod
    def of(cls, survey: Survey) -> SurveyKnowledge:
        catalog = builtin_catalog()
        texts = tuple(
            (text, question) for question in survey.questions for text in question.text.values()
        )
        thanks = tuple(survey.thanks.values()) if survey.thanks else ()
        done = tuple(catalog.message("button.done", language) for language in survey.languages)
        return cls(texts, thanks, done, survey.id)

    def asked(self, text: str) -> Question | None:
        for shown, question in self.questions:
            if shown in text:
                return question
        return None

    def is_thanks(self, text: str) -> bool:
        return any(thanks in text for thanks in self.thanks)


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Tap:
    message: ChatMessage
    data: str
    toggle: bool = False  # a multiple choice tick: the bot answers with an edit


Action = Say | Tap


@dataclass
class Timings:
    ack: list[float] = field(default_factory=list)  # seconds, webhook POST → HTTP answer
    reply: list[float] = field(default_factory=list)  # seconds, POST → the bot's next message
    updates: int = 0
    failed_posts: int = 0
    no_reply: int = 0


class Webhook:
    """Posts updates to a bot's webhook as Telegram does, over at most 40 connections, and
    runs the method a reply names (the fake's own delivery retries, which a bench must not)."""

    def __init__(self, fake: FakeTelegram) -> None:
        assert fake.webhook is not None, "the bot has not set its webhook"
        self.fake = fake
        self.url = fake.webhook.url
        self.headers = {"Content-Type": "application/json"}
        if fake.webhook.secret is not None:
            self.headers["X-Telegram-Bot-Api-Secret-Token"] = fake.webhook.secret
        self._http: ClientSession | None = None

    async def __aenter__(self) -> Webhook:
        connector = TCPConnector(limit=WEBHOOK_CONNECTIONS)
        self._http = ClientSession(connector=connector, timeout=ClientTimeout(total=30))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._http is not None:
            await self._http.close()

    async def post(self, update: dict[str, Any]) -> tuple[float, float, int]:
        """(when posted, when answered, HTTP status) — times by time.perf_counter()."""
        assert self._http is not None
        body = json.dumps(update)
        began = time.perf_counter()
        try:
            async with self._http.post(self.url, data=body, headers=self.headers) as response:
                status = response.status
                if 200 <= status < 300:  # a method named in the reply runs, as on Telegram
                    await self.fake._run_webhook_reply(response)
                else:
                    await response.read()
        except (TimeoutError, OSError):
            status = 0
        return began, time.perf_counter(), status


class Participant:
    """One person on the fake Telegram working through the survey, one update at a time."""

    def __init__(
        self, user_id: int, fake: WatchedTelegram, knowledge: SurveyKnowledge, webhook: Webhook
    ) -> None:
        self.user_id = user_id
        self.fake = fake
        self.knowledge = knowledge
        self.webhook = webhook
        self.inbox = fake.inbox(user_id)
        self.expected: dict[str, str | int | tuple[str, ...]] = {}  # question id → answer
        self.next: Action | None = Say(f"/start {knowledge.campaign}")
        self.done = False  # nothing more to post: thanked, or gave up waiting
        self.thanked = False
        fake.open_chat(user_id)

    async def step(self, timings: Timings) -> None:
        """Post the next action, then wait for the bot's answer and decide the one after."""
        action = self.next
        assert action is not None
        posted, acked, status = await self.webhook.post(self._update(action))
        timings.updates += 1
        if not 200 <= status < 300:
            timings.failed_posts += 1
        timings.ack.append(acked - posted)
        try:
            replied, self.next = await asyncio.wait_for(self._answer_to(action), REPLY_TIMEOUT)
        except TimeoutError:
            timings.no_reply += 1
            self.next, self.done = None, True
            return
        timings.reply.append(replied - posted)
        self.done = self.thanked = self.next is None

    async def _answer_to(self, action: Action) -> tuple[float, Action | None]:
        if isinstance(action, Tap) and action.toggle:
            return await self._after_toggle(action)
        while True:
            delivery = await self.inbox.get()
            if delivery.edit:
                continue
            message = delivery.message
            if self.knowledge.is_thanks(message.text):
                return delivery.at, None
            question = self.knowledge.asked(message.text)
            if question is not None and question.kind is QuestionKind.INFO:
                continue
            if question is not None:
                return delivery.at, self._answer(question, message)
            if message.keyboard:  # a menu: the first choice
                return delivery.at, Tap(message, message.keyboard[0][0].data)

    async def _after_toggle(self, toggle: Tap) -> tuple[float, Action]:
        while True:
            delivery = await self.inbox.get()
            message = delivery.message
            if delivery.edit and message.message_id == toggle.message.message_id:
                done = next(
                    b for b in message.buttons() if b.text.startswith(self.knowledge.done_labels)
                )
                return delivery.at, Tap(message, done.data)

    def _answer(self, question: Question, message: ChatMessage) -> Action:
        kind = question.kind
        if kind is QuestionKind.TEXT:
            self.expected[question.id] = TYPED_TEXT
            return Say(TYPED_TEXT)
        if kind is QuestionKind.NUMBER:
            low, high = question.min_value or 0, question.max_value or 1
            number = 1 if low <= 1 <= high else int(low)
            self.expected[question.id] = number
            return Say(str(number))
        first = message.keyboard[0][0]
        if kind is QuestionKind.SCALE:
            self.expected[question.id] = int(question.min_value or 0)
        elif kind is QuestionKind.YES_NO:
            self.expected[question.id] = "yes"
        elif kind is QuestionKind.MULTIPLE_CHOICE:
            self.expected[question.id] = (question.options[0].id,)
            return Tap(message, first.data, toggle=True)
        else:
            self.expected[question.id] = question.options[0].id
        return Tap(message, first.data)

    # -- updates, as Telegram sends them ---------------------------------------------------------

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": "P", "language_code": "en"}

    def _update(self, action: Action) -> dict[str, Any]:
        fake = self.fake
        if isinstance(action, Say):
            message = {
                "message_id": fake.new_message_id(self.user_id),
                "from": self._user(),
                "chat": {"id": self.user_id, "type": "private", "first_name": "P"},
                "date": int(time.time()),
                "text": action.text,
            }
            return {"update_id": fake.new_update_id(), "message": message}
        query_id = fake.new_callback_id()
        fake.callbacks_pushed.append(query_id)
        query = {
            "id": query_id,
            "from": self._user(),
            "message": fake.message_json(action.message),
            "chat_instance": f"ci{self.user_id}",
            "data": action.data,
        }
        return {"update_id": fake.new_update_id(), "callback_query": query}


async def closed_loop(participants: list[Participant], timings: Timings) -> None:
    """Every participant at once, each posting its next update as soon as the bot answered."""

    async def through(participant: Participant) -> None:
        while not participant.done:
            await participant.step(timings)

    await asyncio.gather(*(through(p) for p in participants))


async def open_loop(
    make: Callable[[], Participant], rate: float, seconds: float, timings: Timings
) -> list[Participant]:
    """Updates at a fixed rate whatever the bot's pace: each tick posts the next update of a
    participant whose previous one was answered, or /start of a new participant if none is
    waiting. Returns the participants, once every posted update was answered (or timed out)."""
    ready: deque[Participant] = deque()
    everyone: list[Participant] = []
    running: set[asyncio.Task[None]] = set()

    async def fire(participant: Participant) -> None:
        await participant.step(timings)
        if not participant.done:
            ready.append(participant)

    loop = asyncio.get_running_loop()
    began = loop.time()
    for tick in itertools.count():
        due = began + tick / rate
        if due - began >= seconds:
            break
        await asyncio.sleep(max(0.0, due - loop.time()))
        if ready:
            participant = ready.popleft()
        else:
            participant = make()
            everyone.append(participant)
        task = asyncio.create_task(fire(participant))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        await asyncio.gather(*running)
    return everyone


def percentile(samples: list[float], share: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
