"""A loopback fake of the WhatsApp Cloud API (Graph API) that Sauti's real client talks to over
HTTP, and that plays WhatsApp's side of the webhook.

Sends (`POST /<version>/<phone_number_id>/messages`): checked like the real API checks them
(token, shape, the 3-button / 10-row / 20- and 24-character limits, approved templates, their
body parameters and their quick-reply button components), paced like the real API paces them
(80 messages/s per number and one per 6 s per recipient with a burst of 45, as token buckets:
error 130429 / 131056), and recorded with realistic `wamid.…` ids. Scripted failures: error
codes, 5xx, hanging answers; recipients whose window is closed (131047) or who are not on
WhatsApp (131026), answered at once or, as WhatsApp mostly does, accepted and then reported
in a `failed` status webhook.

Webhooks: signed like Meta signs them (X-Hub-Signature-256 over the raw body), posted to
Sauti's webhook URL: status updates of sent messages, and whatever inbound payload a test
builds with the helpers at the bottom (text, button and list replies, template quick replies,
media).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from bot.channels.whatsapp.signature import HEADER, sign
from bot.channels.whatsapp.templates import TemplateBook, Translation

WABA_ID = "102290129340398"
_PLACEHOLDER = re.compile(r"\{\{\s*\d+\s*\}\}")


@dataclass
class Sent:
    """One message the fake accepted."""

    wamid: str
    to: str
    type: str  # text | interactive | template
    request: dict[str, Any]
    at: float
    template_buttons: tuple[str, ...] = ()  # an approved template's button titles, as shown

    @property
    def text(self) -> str:
        """What the person reads first: the text, the interactive body, or template params."""
        if self.type == "text":
            return str(self.request["text"]["body"])
        if self.type == "interactive":
            return str(self.request["interactive"]["body"]["text"])
        parts = [p.get("text", "") for p in _body_parameters(self.request["template"])]
        return " ".join(parts)

    @property
    def interactive(self) -> dict[str, Any]:
        return dict(self.request.get("interactive", {}))

    @property
    def reply_ids(self) -> list[tuple[str, str]]:
        """(id, title) of every button or list row, in order; for a template, (payload,
        title) of each quick-reply button (with no payload set, WhatsApp sends the title)."""
        if self.type == "template":
            payloads = {
                c["index"]: c["parameters"][0]["payload"]
                for c in self.request["template"].get("components", [])
                if c.get("type") == "button"
            }
            return [
                (payloads.get(str(index), title), title)
                for index, title in enumerate(self.template_buttons)
            ]
        interactive = self.interactive
        if interactive.get("type") == "button":
            buttons = interactive["action"]["buttons"]
            return [(b["reply"]["id"], b["reply"]["title"]) for b in buttons]
        if interactive.get("type") == "list":
            return [
                (row["id"], row["title"])
                for section in interactive["action"]["sections"]
                for row in section["rows"]
            ]
        return []


@dataclass
class Refusal:
    code: int
    to: str | None
    at: float


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class FakeGraphAPI:
    app_secret: str
    access_token: str = "fake-access-token"
    phone_number_id: str = "106540352242922"
    display_number: str = "15550783881"
    templates: TemplateBook | None = None  # approved templates; None: none approved
    throughput: float = 80.0
    throughput_burst: float = 10.0  # Meta publishes none; a small jitter allowance
    pair_interval: float = 6.0
    pair_burst: float = 45.0
    webhook_url: str | None = None  # Sauti's /webhooks/whatsapp, for status webhooks
    auto_statuses: bool = False  # after each send: "sent" then "delivered" webhooks
    closed_windows: set[str] = field(default_factory=set)  # → 131047 on free-form
    not_on_whatsapp: set[str] = field(default_factory=set)  # → 131026
    async_failures: bool = False  # report 131047 / 131026 in a failed status, as Meta does
    script: deque[tuple[str, Any]] = field(default_factory=deque)  # next answers, see answer()
    sent: list[Sent] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    webhook_answers: list[int] = field(default_factory=list)  # Sauti's HTTP status per webhook
    versions: list[str] = field(default_factory=list)  # the Graph version of each send's URL

    def __post_init__(self) -> None:
        now = time.monotonic()
        self._number = _Bucket(self.throughput_burst, self.throughput, self.throughput_burst, now)
        self._pairs: dict[str, _Bucket] = {}
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> str:
        """Serve on a free loopback port; returns the API base to configure (any version)."""
        app = web.Application()
        app.router.add_post("/{version}/{number}/messages", self._messages)
        app.router.add_get("/_fake/report", self._report)  # for a fake in another process
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def settle(self) -> None:
        """Wait for the status webhooks already scheduled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def report(self) -> dict[str, Any]:
        """What the fake saw, as JSON-ready data (benchmarks read it across processes)."""
        return {
            "sent": [
                {"wamid": s.wamid, "to": s.to, "type": s.type, "text": s.text, "at": s.at}
                for s in self.sent
            ],
            "refused": [{"code": r.code, "to": r.to, "at": r.at} for r in self.refused],
            "webhook_answers": self.webhook_answers,
        }

    async def _report(self, request: web.Request) -> web.Response:
        return web.json_response(self.report())

    # -- the send endpoint -------------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        self.versions.append(request.match_info["version"])
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._error(401, 190, "Invalid OAuth access token", None)
        if request.match_info["number"] != self.phone_number_id:
            return self._error(400, 100, "Unsupported post request: unknown phone number", None)
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, 100, "Invalid JSON", None)
        to = body.get("to") if isinstance(body, dict) else None
        hang = 0.0
        if self.script:
            kind, value = self.script.popleft()
            if kind == "hang":
                hang = float(value)
            else:
                return self._scripted(kind, value, to)
        problem = validate(body, self.templates)
        if problem is not None:
            code, detail = problem
            return self._error(400, code, detail, to)
        answer = self._accept_or_refuse(body, str(to))
        if hang:  # the message is out; only the answer is late
            await asyncio.sleep(hang)
        return answer

    def _accept_or_refuse(self, body: dict[str, Any], to: str) -> web.Response:
        now = time.monotonic()
        free_form = body["type"] != "template"
        if not self.async_failures:
            if to in self.not_on_whatsapp:
                return self._error(400, 131026, "Message undeliverable", to)
            if free_form and to in self.closed_windows:
                return self._error(400, 131047, "Re-engagement message", to)
        pair = self._pairs.setdefault(
            to, _Bucket(self.pair_burst, 1 / self.pair_interval, self.pair_burst, now)
        )
        if not self._number.take(now):
            return self._error(400, 130429, "Rate limit hit", to)
        if not pair.take(now):
            self._number.tokens += 1  # not sent: the number's quota is not spent
            return self._error(400, 131056, "Pair rate limit hit", to)
        approved = _approved(body.get("template", {}), self.templates)
        buttons = approved.buttons if approved is not None else ()
        sent = Sent(_wamid(to), to, str(body["type"]), body, now, buttons)
        self.sent.append(sent)
        if self.async_failures and to in self.not_on_whatsapp:
            self._later(self.emit_status(sent, "failed", 131026))
        elif self.async_failures and free_form and to in self.closed_windows:
            self._later(self.emit_status(sent, "failed", 131047))
        elif self.auto_statuses:
            self._later(self._sent_then_delivered(sent))
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": sent.wamid, "message_status": "accepted"}],
            }
        )

    def _scripted(self, kind: str, value: Any, to: Any) -> web.Response:
        """A scripted refusal: ("error", code) or ("http", status). A third kind, ("hang",
        seconds), accepts the message and answers only that much later (see _messages)."""
        if kind == "error":
            return self._error(400, int(value), "scripted", to)
        assert kind == "http", kind
        return self._error(int(value), 131000 if value < 500 else 2, "Service unavailable", to)

    def _error(self, status: int, code: int, title: str, to: Any) -> web.Response:
        self.refused.append(Refusal(code, str(to) if to else None, time.monotonic()))
        return web.json_response(
            {
                "error": {
                    "message": f"({'#'}{code}) {title}",
                    "type": "OAuthException",
                    "code": code,
                    "error_data": {"messaging_product": "whatsapp", "details": title},
                    "fbtrace_id": base64.b64encode(os.urandom(9)).decode(),
                }
            },
            status=status,
        )

    # -- webhooks back to Sauti --------------------------------------------------------------

    async def emit_status(self, sent: Sent, status: str, error_code: int | None = None) -> int:
        item: dict[str, Any] = {
            "id": sent.wamid,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": sent.to,
        }
        if status in ("sent", "delivered"):
            item["conversation"] = {"id": os.urandom(16).hex(), "origin": {"type": "service"}}
            item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
        if error_code is not None:
            item["errors"] = [
                {"code": error_code, "title": "failed", "error_data": {"details": "scripted"}}
            ]
        return await self.post_webhook(envelope(self, statuses=[item]))

    async def post_webhook(
        self, payload: dict[str, Any] | bytes, *, signature: str | None = "valid"
    ) -> int:
        """POST a webhook body to Sauti, signed with the app secret ("valid"), with a given
        header value, or with none (None). Returns Sauti's HTTP status."""
        assert self.webhook_url, "set webhook_url first"
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers[HEADER] = sign(raw, self.app_secret)
        elif signature is not None:
            headers[HEADER] = signature
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=30))
        async with self._session.post(self.webhook_url, data=raw, headers=headers) as response:
            await response.read()
            self.webhook_answers.append(response.status)
            return response.status

    async def _sent_then_delivered(self, sent: Sent) -> None:
        await self.emit_status(sent, "sent")
        await self.emit_status(sent, "delivered")

    def _later(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


# -- what the real API refuses -------------------------------------------------------------------


def validate(body: Any, templates: TemplateBook | None) -> tuple[int, str] | None:
    """(error code, why) for a message the Graph API would refuse, else None."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return 100, "messaging_product must be whatsapp"
    if not str(body.get("to", "")).isdigit():
        return 100, "to: not a phone number"
    kind = body.get("type")
    if kind == "text":
        text = body.get("text", {}).get("body", "")
        return None if 0 < len(text) <= 4096 else (100, "text.body: 1 to 4096 characters")
    if kind == "interactive":
        return _interactive(body.get("interactive", {}))
    if kind == "template":
        return _template(body.get("template", {}), templates)
    return 100, f"unsupported type {kind!r}"


def _interactive(interactive: dict[str, Any]) -> tuple[int, str] | None:
    text = interactive.get("body", {}).get("text", "")
    if not 0 < len(text) <= 1024:
        return 131009, "body.text: 1 to 1024 characters"
    if len(interactive.get("footer", {}).get("text", "")) > 60:
        return 131009, "footer.text: at most 60 characters"
    action = interactive.get("action", {})
    if interactive.get("type") == "button":
        buttons = [b.get("reply", {}) for b in action.get("buttons", [])]
        titles = [b.get("title", "") for b in buttons]
        ids = [b.get("id", "") for b in buttons]
        if not 1 <= len(buttons) <= 3:
            return 131009, "buttons: 1 to 3"
        if any(not 0 < len(t) <= 20 for t in titles) or len(set(titles)) < len(titles):
            return 131009, "button titles: 1 to 20 characters, unique"
        if any(not 0 < len(i) <= 256 for i in ids) or len(set(ids)) < len(ids):
            return 131009, "button ids: 1 to 256 characters, unique"
        return None
    if interactive.get("type") == "list":
        if not 0 < len(action.get("button", "")) <= 20:
            return 131009, "action.button: 1 to 20 characters"
        sections = action.get("sections", [])
        rows = [row for section in sections for row in section.get("rows", [])]
        if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
            return 131009, "sections 1 to 10, rows 1 to 10 in total"
        ids = [row.get("id", "") for row in rows]
        if any(not 0 < len(row.get("title", "")) <= 24 for row in rows):
            return 131009, "row title: 1 to 24 characters"
        if any(len(row.get("description", "")) > 72 for row in rows):
            return 131009, "row description: at most 72 characters"
        if any(not 0 < len(i) <= 200 for i in ids) or len(set(ids)) < len(ids):
            return 131009, "row ids: 1 to 200 characters, unique"
        return None
    return 131009, "interactive.type: button or list"


def _template(template: dict[str, Any], templates: TemplateBook | None) -> tuple[int, str] | None:
    approved = _approved(template, templates)
    if approved is None:
        return 132001, "Template name does not exist in the translation"
    components = template.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        return 100, "components: expected a list of objects"
    for component in components:
        if component.get("type") not in ("header", "body", "button"):
            return 100, f"components: unknown type {component.get('type')!r}"
    params = _body_parameters(template)
    if len(params) != len(_PLACEHOLDER.findall(approved.body)):
        return 132000, "Number of parameters does not match the expected number of params"
    for param in params:
        text = param.get("text")
        if param.get("type") != "text" or not isinstance(text, str) or not text:
            return 131008, "body parameters: type text with a non-empty text"
        if "\n" in text or "\t" in text or "    " in text:
            return 132018, "Param text cannot have new-line/tab characters or more than 4 spaces"
    buttons = [c for c in components if c.get("type") == "button"]
    return _quick_replies(buttons, len(approved.buttons))


def _quick_replies(buttons: list[dict[str, Any]], approved: int) -> tuple[int, str] | None:
    """Button components as the Graph API takes them: sub_type quick_reply, index a string
    naming one of the approved buttons (each at most once), and one payload parameter."""
    seen: set[str] = set()
    for button in buttons:
        index = button.get("index")
        if button.get("sub_type") != "quick_reply":
            return 131009, "button sub_type: this template's buttons are quick replies"
        if not isinstance(index, str) or not index.isdigit():
            return 100, "button index: expected a string of digits"
        if int(index) >= approved or index in seen:
            return 131009, f"button index {index}: no such button, or given twice"
        seen.add(index)
        parameters = button.get("parameters")
        only = parameters[0] if isinstance(parameters, list) and len(parameters) == 1 else None
        if not isinstance(only, dict):
            return 131008, "quick_reply: expected one parameter"
        payload = only.get("payload")
        if only.get("type") != "payload" or not isinstance(payload, str) or not payload:
            return 131008, "quick_reply parameter: type payload with a non-empty payload"
    return None


def _approved(template: dict[str, Any], templates: TemplateBook | None) -> Translation | None:
    """The approved translation a template message names (its name and language), if any."""
    name = template.get("name")
    code = template.get("language", {}).get("code")
    found = next(
        (t for t in (templates.templates.values() if templates else ()) if t.name == name), None
    )
    return found.languages.get(code) if found is not None else None


def _body_parameters(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        parameter if isinstance(parameter, dict) else {}
        for component in template.get("components", [])
        if component.get("type") == "body"
        for parameter in component.get("parameters", [])
    ]


def _wamid(to: str) -> str:
    """Like WhatsApp's: base64 of a structure that holds the recipient's number."""
    raw = b"\x15\x02\x00\x11\x18\x12" + to.encode() + os.urandom(9)
    return "wamid.HBgL" + base64.b64encode(raw).decode()


# -- inbound payloads, as WhatsApp sends them ----------------------------------------------------


def envelope(
    api: FakeGraphAPI,
    *,
    messages: Sequence[dict[str, Any]] = (),
    statuses: Sequence[dict[str, Any]] = (),
    phone_number_id: str | None = None,
) -> dict[str, Any]:
    """One webhook body with one entry and one change."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": api.display_number,
            "phone_number_id": phone_number_id or api.phone_number_id,
        },
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": "Test Person"}, "wa_id": m["from"]} for m in messages
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def merged(*bodies: dict[str, Any]) -> dict[str, Any]:
    """Several webhook bodies as one, with one entry each (Meta batches like this)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [entry for body in bodies for entry in body["entry"]],
    }


def _message(wa_id: str, kind: str, **content: Any) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": _wamid(wa_id),
        "timestamp": str(int(time.time())),
        "type": kind,
        **content,
    }


def text(wa_id: str, body: str) -> dict[str, Any]:
    return _message(wa_id, "text", text={"body": body})


def button_reply(wa_id: str, reply_id: str, title: str) -> dict[str, Any]:
    return _message(
        wa_id,
        "interactive",
        interactive={"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    )


def list_reply(wa_id: str, reply_id: str, title: str) -> dict[str, Any]:
    return _message(
        wa_id,
        "interactive",
        interactive={"type": "list_reply", "list_reply": {"id": reply_id, "title": title}},
    )


def template_button(
    wa_id: str, payload: str, title: str, *, context: tuple[str, str] | None = None
) -> dict[str, Any]:
    """A tap on a template's quick-reply button; `context`: (business number, wamid) of the
    template message tapped, which WhatsApp includes."""
    message = _message(wa_id, "button", button={"payload": payload, "text": title})
    if context is not None:
        message["context"] = {"from": context[0], "id": context[1]}
    return message


def media(wa_id: str, kind: str) -> dict[str, Any]:
    """An image, audio, sticker, location, reaction...: what Sauti cannot answer with."""
    content = {"id": os.urandom(8).hex(), "mime_type": "application/octet-stream"}
    if kind == "location":
        content = {"latitude": -1.95, "longitude": 30.06}  # type: ignore[dict-item]
    if kind == "reaction":
        content = {"message_id": _wamid(wa_id), "emoji": "\N{THUMBS UP SIGN}"}
    return _message(wa_id, kind, **{kind: content})
