"""WhatsApp: the settings that point Sauti at the loopback fake Graph API, and Sauti as
`sauti run` runs it (web server, worker, sender, real Redis) on the fake; participants are phone
numbers that write and tap through the fake's webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App
from bot.channels.whatsapp.template_file import load_templates
from bot.channels.whatsapp.templates import TemplateBook
from bot.conversation.inbound import Channel
from bot.settings.limits import WhatsAppLimits
from dialogues.localization import builtin_catalog
from tests.fakes import whatsapp_api as wa
from tests.fakes.whatsapp_api import FakeGraphAPI, Sent
from tests.kit.example import CAMPAIGN
from tests.kit.running import Roles, background, base_url, built, web_server
from tests.kit.settings import deployment_settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "config" / "whatsapp_templates.toml"
APP_SECRET = "test-app-secret-0123456789"
VERIFY_TOKEN = "test-verify-token"


def approved_templates(path: Path = TEMPLATES) -> TemplateBook:
    """The templates Meta approved, as the fake knows them: those of Sauti's own file."""
    return load_templates(path, WhatsAppLimits())


@contextlib.asynccontextmanager
async def graph_api(templates: TemplateBook | None = None) -> AsyncIterator[FakeGraphAPI]:
    """The fake Graph API on a loopback port (its address: `fake.url`), approving
    `templates`."""
    fake = FakeGraphAPI(app_secret=APP_SECRET, templates=templates)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def whatsapp_environment(fake: FakeGraphAPI) -> dict[str, str]:
    """The settings of a WhatsApp number on the started `fake`, with the templates of Sauti's
    own file."""
    return {
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": fake.app_secret,
        "WHATSAPP_ACCESS_TOKEN": fake.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_API_BASE": fake.url,
        "WHATSAPP_TEMPLATES_FILE": str(TEMPLATES),
        "WHATSAPP_DISPLAY_NUMBER": fake.display_number,
    }


@dataclass
class World:
    app: App
    fake: FakeGraphAPI
    base_url: str  # Sauti's web server
    roles: Roles  # its worker and sender

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/webhooks/whatsapp"

    def pid(self, wa_id: str) -> str:
        return self.app.crypto.participant_id(Channel.WHATSAPP.value, wa_id)

    async def say(self, wa_id: str, body: str) -> int:
        return await self.fake.post_webhook(wa.envelope(self.fake, messages=[wa.text(wa_id, body)]))

    async def tap(self, wa_id: str, sent: Sent, title: str) -> int:
        """Tap the button or list row titled `title` on a message Sauti sent, or the quick-reply
        button titled so on a template."""
        matches = [rid for rid, shown in sent.reply_ids if shown == title]
        assert matches, f"no {title!r} among {[shown for _, shown in sent.reply_ids]}"
        if sent.type == "template":
            context = (self.fake.display_number, sent.wamid)
            message = wa.template_button(wa_id, matches[0], title, context=context)
        else:
            reply = wa.button_reply if sent.interactive["type"] == "button" else wa.list_reply
            message = reply(wa_id, matches[0], title)
        return await self.fake.post_webhook(wa.envelope(self.fake, messages=[message]))

    async def join(self, wa_id: str, language: str, *, updates: bool = True) -> list[Sent]:
        """What a click-to-chat link does: the join code as a first message; then the language
        from the list, "Yes, I agree" to take part and the answer to "tell you what comes of
        it?". Returns the messages that follow (the survey's start)."""
        choose = await self.next_messages(wa_id, self.say(wa_id, CAMPAIGN))
        name = builtin_catalog().language_name(language)
        titles = [title for _, title in choose[-1].reply_ids]
        title = next(t for t in titles if t.removeprefix("✓ ") == name)
        notice = await self.next_messages(wa_id, self.tap(wa_id, choose[-1], title))
        agree = next(title for _, title in notice[-1].reply_ids)  # "Yes, I agree"
        consent = await self.next_messages(wa_id, self.tap(wa_id, notice[-1], agree))
        buttons = [title for _, title in consent[-1].reply_ids]
        return await self.next_messages(
            wa_id, self.tap(wa_id, consent[-1], buttons[0 if updates else 1])
        )

    async def join_and_answer(self, wa_id: str, language: str, *answers: str) -> None:
        """Join (wanting to hear back), then answer each of `answers` in turn."""
        await self.join(wa_id, language)
        for text in answers:
            await self.next_messages(wa_id, self.say(wa_id, text))

    async def record(self, wa_id: str) -> dict[bytes, bytes]:
        """Their participant record, a field absent reading as empty (as Sauti reads it: an
        emptied field is removed)."""
        fields: Any = await self.app.redis.hgetall(self.app.schema.participant(self.pid(wa_id)))
        return defaultdict(bytes, fields)

    def messages_to(self, wa_id: str) -> list[Sent]:
        return [sent for sent in self.fake.sent if sent.to == wa_id]

    async def wait_for(self, wa_id: str, count: int, seconds: float = 10.0) -> list[Sent]:
        """The messages sent to `wa_id` once there are at least `count` and no more arrive
        for a moment (a reply is often several messages)."""
        deadline = time.monotonic() + seconds
        seen = -1
        while time.monotonic() < deadline:
            now = len(self.messages_to(wa_id))
            if now >= count and now == seen:
                return self.messages_to(wa_id)
            seen = now
            await asyncio.sleep(0.15)
        raise AssertionError(
            f"{wa_id}: expected {count} messages, got {len(self.messages_to(wa_id))}: "
            + repr([s.text[:60] for s in self.messages_to(wa_id)])
        )

    async def next_messages(
        self, wa_id: str, action: Awaitable[int], seconds: float = 10.0
    ) -> list[Sent]:
        """Do `action` (an awaitable) and return the messages it caused for `wa_id`."""
        before = len(self.messages_to(wa_id))
        status = await action
        assert status == 200, status
        return (await self.wait_for(wa_id, before + 1, seconds))[before:]


@contextlib.asynccontextmanager
async def running_world(redis_url: str, tmp_path: Path, **settings: str) -> AsyncIterator[World]:
    """Sauti and the fake, which approves the templates of the file Sauti is given."""
    templates_file = Path(settings.get("WHATSAPP_TEMPLATES_FILE", TEMPLATES))
    async with graph_api(approved_templates(templates_file)) as fake:
        environ = {**whatsapp_environment(fake), **settings}
        async with (
            built(deployment_settings(redis_url, tmp_path, **environ)) as app,
            web_server(app) as server,
        ):
            sauti_url = base_url(server)
            fake.webhook_url = f"{sauti_url}/webhooks/whatsapp"  # before anything is sent
            workers = app.worker("test-worker"), app.sender(app.push_clients(), "test-sender")
            async with background(*workers) as roles:
                yield World(app, fake, sauti_url, roles)
