"""A loopback fake of the Telegram Bot API, for Sauti's real aiogram client to talk to over HTTP.

    fake = FakeTelegram(TOKEN)
    await fake.start()        # serves http://127.0.0.1:<port>; use fake.base_url as the API base
    user = fake.user(1001, "sw")
    await user.say("/start")  # an update: queued for getUpdates, or POSTed to the webhook

Implemented: getMe, getUpdates (long polling, offsets confirmed by a higher offset, 409 while a
webhook is set or when a newer poll starts), sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setWebhook, deleteWebhook, setMyCommands,
deleteMessage and deleteMessages (as the Bot API: only messages sent less than 48 hours ago;
deleteMessages takes 1-100 ids and skips those it cannot find). Every call is recorded
(`calls`), every chat is kept as a transcript (`chats`),
and the fake enforces Telegram's flood limits itself (`FakeLimits`): a 429 it had to give is
counted in `rate_limited_by_sauti`, as is any call made before a 429's `retry_after` passed.
A method named in the reply to a webhook call is run as Telegram runs it (recorded apart, in
`webhook_replies`, not in `calls`; no flood limits, no faults, its result told to nobody).
`refuse_whole_batch`: a deleteMessages batch holding one id too old is refused as a whole.
Faults on demand: `fail_next` (429 with retry_after, 5xx, 403, timeouts), `hold_next` (the
message arrives, the answer waits), `block` (403 "bot was blocked by the user"), and updates
pushed more than once (`push(..., copies=2)`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientResponse, ClientSession, ClientTimeout, web

from tests.fakes.telegram_limits import FakeLimits, Gcra, Penalties, retry_after_seconds

BOT_ID = 7_000_000_001
MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member")
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "max_connections"})
_JSON_FIELDS = frozenset(
    {"reply_markup", "allowed_updates", "commands", "scope", "link_preview_options", "message_ids"}
)
_BOOL_FIELDS = frozenset(
    {"drop_pending_updates", "show_alert", "disable_notification", "allow_paid_broadcast"}
)
MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
# "A message can only be deleted if it was sent less than 48 hours ago."
DELETE_WINDOW_SECONDS = 48 * 3600
MAX_DELETE_IDS = 100


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    status: int = 200
    description: str = ""


@dataclass(frozen=True)
class Button:
    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass
class ChatMessage:
    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    keyboard: Keyboard = ()
    first_keyboard: Keyboard = ()  # what a phone that missed the edits still shows
    edits: int = 0
    date: int = 0

    def buttons(self) -> list[Button]:
        return [button for row in self.keyboard for button in row]

    def callback_data(self) -> list[str]:
        return [button.data for button in self.buttons()]


@dataclass
class Fault:
    """One scripted answer instead of the normal one."""

    status: int
    description: str
    retry_after: int | None = None
    hang_seconds: float = 0.0  # >0: the call takes effect, then no answer for this long
    chat_id: int | None = None  # only for calls to this chat


@dataclass
class Hold:
    """A call that takes effect, then waits for `release` before it answers. With
    `before_effect`, it waits first, and takes effect only if its client is still there then
    (a sender killed while its request was on the way: the message never arrived)."""

    method: str
    before_effect: bool = False
    received: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    call: ApiCall | None = None


@dataclass
class Webhook:
    url: str
    secret: str | None
    allowed_updates: list[str] | None
    max_connections: int | None


RATE_LIMITED = 429


class FakeTelegram:
    def __init__(
        self,
        token: str,
        limits: FakeLimits | None = None,
        *,
        username: str = "sauti_test_bot",
        webhook_retry_delay: float = 0.2,
        webhook_attempts: int = 5,
    ) -> None:
        self.token = token
        self.username = username
        self.limits = limits or FakeLimits()
        self.calls: list[ApiCall] = []
        self.chats: dict[int, list[ChatMessage]] = {}
        self.deleted: list[ChatMessage] = []  # every message deleted, in order
        self.commands: dict[str, list[dict[str, str]]] = {}  # language ("" = default)
        self.webhook: Webhook | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self.webhook_replies: list[ApiCall] = []  # methods named in replies to webhook calls
        self.blocked: set[int] = set()
        # As TDLib-backed servers do: one id of a deleteMessages batch too old to delete
        # refuses the whole batch (the Bot API's documentation says such ids are skipped).
        self.refuse_whole_batch = False
        self.callbacks_pushed: list[str] = []
        self.callback_answers: dict[str, ApiCall] = {}
        self.rate_limited_by_sauti = 0  # 429s the fake gave on its own limits
        self.retry_after_ignored = 0  # calls made before a 429's retry_after had passed
        self.confirmed_offset = 0
        self.dropped_updates = 0  # pushed while not in the allowed_updates
        self.polls_terminated = 0
        self._faults: dict[str, deque[Fault | None]] = {}
        self._holds: dict[str, deque[Hold]] = {}
        self._queue: list[dict[str, Any]] = []
        self._queue_changed = asyncio.Condition()
        self._poll_generation = 0
        self._allowed: list[str] | None = None
        self._update_ids = itertools.count(100_000)
        self._callback_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._global = Gcra(self.limits.global_rate, self.limits.global_burst)
        self._per_chat = Gcra(self.limits.per_chat_rate, self.limits.per_chat_burst)
        self._penalties = Penalties()
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None
        self._webhook_retry_delay = webhook_retry_delay
        self._webhook_attempts = webhook_attempts
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = _bound_port(self._runner)
        self._http = ClientSession(timeout=ClientTimeout(total=10))

    async def close(self) -> None:
        for holds in self._holds.values():
            for hold in holds:
                hold.release.set()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what a test arranges ------------------------------------------------------------------

    def fail_next(self, method: str, fault: Fault, times: int = 1, after: int = 0) -> None:
        """The next `times` calls of `method` get `fault`, once `after` calls went through."""
        self._faults.setdefault(method, deque()).extend([None] * after + [fault] * times)

    def hold_next(self, method: str, *, before_effect: bool = False) -> Hold:
        hold = Hold(method, before_effect)
        self._holds.setdefault(method, deque()).append(hold)
        return hold

    def block(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def open_chat(self, chat_id: int) -> None:
        """A private chat whose user has started the bot (without a message of theirs)."""
        self.chats.setdefault(chat_id, [])

    def user(self, user_id: int, language: str | None = "en", name: str = "Amina") -> Any:
        from tests.fakes.telegram_users import FakeUser

        return FakeUser(self, user_id, language, name)

    # -- what a test reads ---------------------------------------------------------------------

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        return [
            call
            for call in self.calls
            if call.method == method and (ok is None or (call.status == 200) == ok)
        ]

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.chats.get(chat_id, []) if m.from_bot]

    def unanswered_callbacks(self) -> list[str]:
        return [cid for cid in self.callbacks_pushed if cid not in self.callback_answers]

    def pending_updates(self) -> int:
        return len(self._queue)

    # -- updates ---------------------------------------------------------------------------------

    def new_update_id(self) -> int:
        return next(self._update_ids)

    def new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def new_callback_id(self) -> str:
        return f"cb{next(self._callback_ids)}"

    def record_user_message(self, chat_id: int, message_id: int, text: str) -> None:
        message = ChatMessage(message_id, chat_id, False, text, date=int(time.time()))
        self.chats.setdefault(chat_id, []).append(message)

    async def push(self, update: dict[str, Any], copies: int = 1) -> list[int]:
        """Deliver an update (`copies` times, as Telegram sometimes does). With a webhook set
        it is POSTed, retried on non-2xx like Telegram; the HTTP statuses are returned.
        Otherwise it waits for getUpdates."""
        kind = next((k for k in UPDATE_KINDS if k in update), None)
        allowed = self.webhook.allowed_updates if self.webhook else self._allowed
        if allowed is not None and kind not in allowed:
            self.dropped_updates += 1
            return []
        if "callback_query" in update:
            self.callbacks_pushed.append(update["callback_query"]["id"])
        if self.webhook is not None:
            statuses = []
            for _ in range(copies):
                statuses.append(await self._post_to_webhook(update))
            return statuses
        async with self._queue_changed:
            self._queue += [json.loads(json.dumps(update)) for _ in range(copies)]
            self._queue_changed.notify_all()
        return []

    async def _post_to_webhook(self, update: dict[str, Any]) -> int:
        assert self.webhook is not None
        assert self._http is not None
        headers = {"Content-Type": "application/json"}
        if self.webhook.secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook.secret
        status = 0
        for attempt in range(self._webhook_attempts):
            if attempt:
                await asyncio.sleep(self._webhook_retry_delay)
            try:
                async with self._http.post(
                    self.webhook.url, data=json.dumps(update), headers=headers
                ) as response:
                    status = response.status
                    if 200 <= status < 300:
                        await self._run_webhook_reply(response)
            except (TimeoutError, OSError):
                status = 0
            self.webhook_deliveries.append((update["update_id"], status))
            if 200 <= status < 300:
                break
        return status

    async def _run_webhook_reply(self, response: ClientResponse) -> None:
        """Telegram runs a method the webhook's reply names (JSON is all Sauti sends)."""
        if response.content_type != "application/json":
            return
        body = await response.json()
        if not isinstance(body, dict) or "method" not in body:
            return
        params = {key: value for key, value in body.items() if key != "method"}
        call = ApiCall(str(body["method"]), params, time.monotonic())
        self.webhook_replies.append(call)
        handler = self._methods().get(call.method)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            await handler(params)
        except ApiError as error:
            call.status, call.description = error.status, error.description

    # -- the HTTP API ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params = await _params(request)
        call = ApiCall(method, params, time.monotonic())
        self.calls.append(call)
        handler = self._methods().get(method)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            hanging = self._before(call)
            if await self._held_before_effect(call, request):
                return web.Response(status=499)  # nobody is listening: nothing took effect
            result = await handler(params)
        except ApiError as error:
            call.status, call.description = error.status, error.description
            return _error(error.status, error.description, error.retry_after)
        await self._answer_late(call, hanging)
        return web.json_response({"ok": True, "result": result})

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "setMyCommands": self._set_my_commands,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
        }

    def _before(self, call: ApiCall) -> Fault | None:
        """Scripted faults first, then the fake's own flood control. Returns a fault whose
        call takes effect but whose answer hangs."""
        chat_id = call.params.get("chat_id")
        fault = self._next_fault(call.method, chat_id)
        if fault is not None:
            if fault.hang_seconds:
                return fault
            if fault.status == RATE_LIMITED and fault.retry_after:
                self._penalties.impose(None, fault.retry_after, call.at)
            raise ApiError(fault.status, fault.description, fault.retry_after)
        if call.method not in MESSAGE_METHODS:
            return None
        if isinstance(chat_id, int) and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        remaining = self._penalties.remaining(chat_id, call.at)
        if remaining > 0:
            self.retry_after_ignored += 1
            self.rate_limited_by_sauti += 1
            raise ApiError(RATE_LIMITED, _too_many(remaining), retry_after_seconds(remaining))
        for limiter, key, chat in ((self._per_chat, chat_id, chat_id), (self._global, 0, None)):
            wait = limiter.take(key, call.at)
            if wait > 0:
                self.rate_limited_by_sauti += 1
                self._penalties.impose(chat, wait, call.at)
                raise ApiError(RATE_LIMITED, _too_many(wait), retry_after_seconds(wait))
        return None

    def _next_fault(self, method: str, chat_id: object) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        if fault is not None and fault.chat_id is not None and fault.chat_id != chat_id:
            return None
        queue.popleft()
        return fault

    async def _held_before_effect(self, call: ApiCall, request: web.Request) -> bool:
        """Hold a call before it takes effect; True when its client went away meanwhile."""
        holds = self._holds.get(call.method)
        if not holds or not holds[0].before_effect:
            return False
        hold = holds.popleft()
        hold.call = call
        hold.received.set()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(hold.release.wait(), timeout=60)
        return request.transport is None or request.transport.is_closing()

    async def _answer_late(self, call: ApiCall, hanging: Fault | None) -> None:
        """A held or hanging call has taken effect; its answer comes late (or never)."""
        holds = self._holds.get(call.method)
        if holds and not holds[0].before_effect:
            hold = holds.popleft()
            hold.call = call
            hold.received.set()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(hold.release.wait(), timeout=60)
        if hanging is not None:
            await asyncio.sleep(hanging.hang_seconds)

    # -- methods -----------------------------------------------------------------------------------

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Sauti", "username": self.username}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409, "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )  # fmt: skip
        if "allowed_updates" in params:
            self._allowed = params["allowed_updates"] or None
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        async with self._queue_changed:
            self._poll_generation += 1
            generation = self._poll_generation
            self._queue_changed.notify_all()  # an older poll still waiting ends with 409
            if offset > self.confirmed_offset:
                self.confirmed_offset = offset
                self._queue = [u for u in self._queue if u["update_id"] >= offset]
            deadline = time.monotonic() + timeout
            while True:
                ready = [u for u in self._queue if u["update_id"] >= offset][:limit]
                if ready:
                    return ready
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._queue_changed.wait(), timeout=left)
                if generation != self._poll_generation:
                    self.polls_terminated += 1
                    raise ApiError(
                        409, "Conflict: terminated by other getUpdates request; make sure "
                        "that only one bot instance is running",
                    )  # fmt: skip

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        text = _checked_text(params)
        keyboard = _keyboard(params.get("reply_markup"))
        message = ChatMessage(
            self.new_message_id(chat_id), chat_id, True, text, keyboard, keyboard,
            date=int(time.time()),
        )  # fmt: skip
        self.chats[chat_id].append(message)
        return self.message_json(message)

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(params)
        text = _checked_text(params)
        keyboard = _keyboard(params.get("reply_markup"))
        if text == message.text and keyboard == message.keyboard:
            raise ApiError(400, _NOT_MODIFIED)
        message.text, message.keyboard = text, keyboard
        message.edits += 1
        return self.message_json(message)

    async def _edit_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(params)
        keyboard = _keyboard(params.get("reply_markup"))
        if keyboard == message.keyboard:
            raise ApiError(400, _NOT_MODIFIED)
        message.keyboard = keyboard
        message.edits += 1
        return self.message_json(message)

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = str(params.get("callback_query_id", ""))
        if query not in self.callbacks_pushed:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        self.callback_answers[query] = next(
            call for call in reversed([*self.calls, *self.webhook_replies]) if call.params is params
        )
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if not url:
            self.webhook = None
            return True
        secret = params.get("secret_token")
        self.webhook = Webhook(
            url,
            str(secret) if secret else None,
            params.get("allowed_updates"),
            params.get("max_connections"),
        )
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not 1 <= len(command["command"]) <= 32 or not command["description"]:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if len(command["description"]) > 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[str(params.get("language_code") or "")] = commands
        return True

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._own_message(params, deleting=True)
        if not _deletable(message):
            raise ApiError(400, "Bad Request: message can't be deleted")
        self._remove(message)
        return True

    async def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat_id, ids = params.get("chat_id"), params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        if len(ids) > MAX_DELETE_IDS or not all(isinstance(i, int) for i in ids):
            raise ApiError(400, "Bad Request: too many message identifiers specified")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        wanted = set(ids)
        if self.refuse_whole_batch and any(
            m.message_id in wanted and not _deletable(m) for m in self.chats[chat_id]
        ):
            raise ApiError(400, "Bad Request: message can't be deleted")
        for message in list(self.chats[chat_id]):
            # Ids it cannot find (or may no longer delete) are skipped, as the Bot API says.
            if message.message_id in wanted and _deletable(message):
                self._remove(message)
        return True

    def _remove(self, message: ChatMessage) -> None:
        self.chats[message.chat_id].remove(message)
        self.deleted.append(message)

    # -- helpers -----------------------------------------------------------------------------------

    def _own_message(self, params: dict[str, Any], deleting: bool = False) -> ChatMessage:
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        for message in self.chats.get(chat_id, []) if isinstance(chat_id, int) else []:
            if message.message_id == message_id and (message.from_bot or deleting):
                return message
        what = "delete" if deleting else "edit"
        raise ApiError(400, f"Bad Request: message to {what} not found")

    def message_json(self, message: ChatMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": {"id": message.chat_id, "type": "private", "first_name": "Amina"},
            "date": message.date,
            "text": message.text,
        }
        if message.edits:
            body["edit_date"] = int(time.time())
        if message.keyboard:
            body["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": b.text, "callback_data": b.data} for b in row]
                    for row in message.keyboard
                ]
            }
        return body


def _deletable(message: ChatMessage) -> bool:
    return time.time() - message.date < DELETE_WINDOW_SECONDS


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        return int(address[1])
    raise RuntimeError("the fake Bot API is not listening")


_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def _too_many(wait: float) -> str:
    return f"Too Many Requests: retry after {retry_after_seconds(wait)}"


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


async def _params(request: web.Request) -> dict[str, Any]:
    """Bot API parameters arrive as a query string, a form or JSON; aiogram sends forms whose
    structured fields are JSON strings."""
    if request.content_type == "application/json":
        loaded: dict[str, Any] = await request.json()
        return loaded
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        form = await request.post()
        raw.update({key: value for key, value in form.items() if isinstance(value, str)})
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _INT_FIELDS:
            params[key] = int(value)
        elif key == "timeout":
            params[key] = float(value)
        elif key in _JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in _BOOL_FIELDS:
            params[key] = value in ("true", "True", "1")
        else:
            params[key] = value
    return params


def _checked_text(params: dict[str, Any]) -> str:
    text = str(params.get("text", ""))
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT_UTF16:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _keyboard(markup: Any) -> Keyboard:
    if not markup:
        return ()
    rows = []
    for row in markup.get("inline_keyboard", []):
        buttons = []
        for button in row:
            data = str(button.get("callback_data", ""))
            if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            buttons.append(Button(str(button["text"]), data))
        rows.append(tuple(buttons))
    return tuple(rows)
