"""Web chat over plain HTTP forms: works without JavaScript on any phone browser.

- `GET /j/<campaign>`: the campaign's public join page (intro, promise, language choice).
- `POST /j/<campaign>`: creates a participant with an unguessable link and sends them there.
- `GET /c/<token>`: the participant's own chat: their messages and the current question.
- `POST /c/<token>`: an answer. It is stored (deduplicated on the form's one-time nonce, so a
  double tap or a browser resend counts once), then the page reloads once it is processed.

The token in the link is the participant's platform identity on this channel: it is never
stored or logged; their participant id is an HMAC of it, as on every channel.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import web
from redis.exceptions import RedisError

from bot.app import App
from bot.channels.webchat.ids import event_id, token_from
from bot.privacy import DecryptionError, ParticipantId, decrypt_field, field_aad
from bot.runtime.campaigns import Campaign
from bot.runtime.events import Answer, Channel, InboundEvent, Join
from dialogues import from_dict
from dialogues.events import Prompt
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    Decline,
    GoBack,
    Inbound,
    Skip,
    TextReply,
)
from dialogues.localization import builtin_catalog, direction
from dialogues.prompts import build_prompt

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_MAX_TEXT = 4000
_SHOWN_MESSAGES = 80  # keeps the page well under 50 KB on a cheap data plan
_WAIT_SECONDS = 3.0
_MAX_REFRESHES = 15  # a page waiting on a slow answer stops refreshing after ~30 s
_PAGE_TEXT_BUDGET = 36 * 1024  # message text per page; with markup the page stays < 50 KB


class WebChat:
    def __init__(self, app: App) -> None:
        self._app = app
        self._catalog = builtin_catalog()
        self._templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.channels.webchat", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/j/{campaign}", self.join_page),
            web.post("/j/{campaign}", self.join),
            web.get("/c/{token}", self.chat_page),
            web.post("/c/{token}", self.chat_post),
        ]

    # -- joining ---------------------------------------------------------------------------

    async def join_page(self, request: web.Request) -> web.Response:
        campaign = await self._open_campaign(request.match_info["campaign"])
        survey = campaign.survey
        language = _preferred(request, survey.languages, survey.default_language)
        return self._render(
            "join.html",
            language,
            title=survey.text(survey.title, language),
            introduction=survey.text(survey.intro, language) if survey.intro else None,
            promise=survey.text(survey.promise, language),
            languages=[(code, self._catalog.language_name(code)) for code in survey.languages],
            action=f"/j/{survey.id}",
            nonce=secrets.token_urlsafe(12),
        )

    async def join(self, request: web.Request) -> web.Response:
        _same_site_only(request)
        campaign = await self._open_campaign(request.match_info["campaign"])
        form = await request.post()
        nonce = str(form.get("n", ""))
        if not _NONCE.match(nonce):  # a form of ours always has one; others get a fresh link
            nonce = secrets.token_urlsafe(12)
        language = str(form.get("lang", ""))
        if language not in campaign.survey.languages:
            language = campaign.survey.default_language
        # The link is derived from the form's nonce: tapping Start twice opens one chat.
        token = token_from(self._app.id_secret, nonce)
        pid = self._app.participant_id(Channel.WEBCHAT, token)
        event = self._event(pid, "join", Join(campaign.id, language))
        return await self._store_and_show(event, "join", token, language)

    # -- chatting --------------------------------------------------------------------------

    async def chat_page(self, request: web.Request) -> web.Response:
        token = self._token(request)
        pid = self._app.participant_id(Channel.WEBCHAT, token)
        awaited = request.query.get("w", "")
        try:
            view = await self._load_view(pid)
            awaitable = awaited == "join" or bool(_NONCE.match(awaited))
            marker = self._app.keys.event(self._app.keys.shard_of(pid), event_id(pid, awaited))
            pending = awaitable and await self._app.redis.get(marker) != b"1"
        except RedisError as error:
            raise self._unavailable(None) from error
        refreshes = _refresh_count(request)
        again = f"2;url=/c/{token}?w={awaited}&r={refreshes + 1}"
        if view is None:
            if pending and refreshes < _MAX_REFRESHES:  # joined, not processed yet
                return self._render(
                    "notice.html",
                    "en",
                    title="Sauti",
                    text=self._catalog.message("web.still_working", "en"),
                    refresh=again,
                )
            raise self._not_found()
        language, campaign_id, messages = view
        campaign = await self._app.campaigns.get(campaign_id) if campaign_id else None
        survey = campaign.survey if campaign else None
        prompt = await self._current_prompt(pid, campaign, messages)
        waiting = pending and refreshes < _MAX_REFRESHES
        return self._render(
            "chat.html",
            language,
            title=survey.text(survey.title, language) if survey else "Sauti",
            messages=_fitting(messages),
            prompt=prompt,
            notice=self._catalog.message("web.still_working", language) if waiting else None,
            refresh=again if waiting else None,
            nonce=secrets.token_urlsafe(12),
            languages=[
                (code, self._catalog.language_name(code))
                for code in (survey.languages if survey else ())
            ],
            action=f"/c/{token}",
        )

    async def chat_post(self, request: web.Request) -> web.Response:
        _same_site_only(request)
        token = self._token(request)
        form = await request.post()
        nonce = str(form.get("n", ""))
        if not _NONCE.match(nonce):
            raise web.HTTPBadRequest(text="missing form nonce")
        inbound = _inbound_from(form)
        if inbound is None:
            raise web.HTTPSeeOther(f"/c/{token}#last")
        pid = self._app.participant_id(Channel.WEBCHAT, token)
        language = str(form.get("lang", "")) or None  # for an error page in their language
        try:
            known = await self._app.redis.hexists(self._app.keys.participant(pid), "wk")
        except RedisError as error:
            raise self._unavailable(language) from error
        if not known:  # a made-up link stores nothing
            raise self._not_found()
        event = self._event(pid, nonce, Answer(inbound))
        return await self._store_and_show(event, nonce, token, language)

    # -- helpers ---------------------------------------------------------------------------

    async def _store_and_show(
        self, event: InboundEvent, nonce: str, token: str, language: str | None
    ) -> web.Response:
        """Store the event, wait (briefly) until it is processed, then show the chat."""
        try:
            await self._app.ingestor.ingest(event)
            done = await self._wait_until_done(event)
        except RedisError as error:
            raise self._unavailable(language) from error
        suffix = "" if done else f"?w={nonce}"
        raise web.HTTPSeeOther(f"/c/{token}{suffix}#last")

    async def _wait_until_done(self, event: InboundEvent) -> bool:
        key = self._app.ingestor.marker_key(event)
        deadline = time.monotonic() + _WAIT_SECONDS
        while time.monotonic() < deadline:
            if await self._app.redis.get(key) == b"1":
                return True
            await asyncio.sleep(0.02)
        return False

    async def _current_prompt(
        self, pid: str, campaign: Campaign | None, messages: list[dict[str, Any]]
    ) -> Prompt | None:
        """The form for the question the last message asked, if it is still the one awaiting
        an answer (rebuilt now: it shows what is ticked so far and the earlier answer)."""
        last = messages[-1] if messages else None
        if campaign is None or last is None or last["mine"] or "q" not in last:
            return None
        raw = await self._app.redis.get(self._app.keys.session(pid, campaign.id))
        session = from_dict(json.loads(raw)) if raw else None
        if session is None or session.current != last["q"]:
            return None
        question = campaign.survey.question(last["q"])
        if question is None:
            return None
        return build_prompt(campaign.survey, question, session, self._catalog)

    async def _load_view(self, pid: str) -> tuple[str, str | None, list[dict[str, Any]]] | None:
        keys = self._app.keys
        pipe = self._app.redis.pipeline(transaction=False)
        pipe.hmget(keys.participant(pid), ["wk", "lang", "cid"])
        pipe.lrange(keys.webchat_inbox(pid), -_SHOWN_MESSAGES, -1)
        (wrapped, language, campaign), sealed = await pipe.execute()
        if wrapped is None:
            return None
        try:
            key = self._app.participant_keys.unwrap(wrapped)
        except DecryptionError:  # erased: their messages are unreadable, as they asked
            return None
        aad = field_aad(ParticipantId(pid), "webchat")
        messages = []
        for item in sealed:
            plain = json.loads(decrypt_field(key, item, aad))
            plain["mine"] = plain.get("from") == "me"
            messages.append(plain)
        return language.decode(), campaign.decode() if campaign else None, messages

    async def _open_campaign(self, campaign_id: str) -> Any:
        try:
            campaign = await self._app.campaigns.get(campaign_id)
        except RedisError as error:
            raise self._unavailable(None) from error
        if campaign is None or not campaign.is_open:
            language = campaign.survey.default_language if campaign else "en"
            raise web.HTTPNotFound(
                text=self._page(
                    "notice.html",
                    language,
                    title="Sauti",
                    text=self._catalog.message("notice.campaign_closed", language),
                ),
                content_type="text/html",
            )
        return campaign

    def _event(self, pid: str, nonce: str, action: Join | Answer) -> InboundEvent:
        return InboundEvent(
            event_id=event_id(pid, nonce),
            channel=Channel.WEBCHAT,
            participant_id=pid,
            received_at_ms=int(time.time() * 1000),
            action=action,
        )

    def _token(self, request: web.Request) -> str:
        token = request.match_info["token"]
        if not _TOKEN.match(token):
            raise self._not_found()
        return token

    def _not_found(self) -> web.HTTPNotFound:
        text = self._page(
            "notice.html", "en", title="Sauti", text=self._catalog.message("web.invalid_link", "en")
        )
        return web.HTTPNotFound(text=text, content_type="text/html")

    def _unavailable(self, language: str | None) -> web.HTTPServiceUnavailable:
        if language is None or language not in self._catalog.language_names:
            language = "en"
        text = self._page(
            "notice.html",
            language,
            title="Sauti",
            text=self._catalog.message("web.unavailable", language),
        )
        return web.HTTPServiceUnavailable(text=text, content_type="text/html")

    def _render(self, template: str, language: str, **context: Any) -> web.Response:
        return web.Response(
            text=self._page(template, language, **context),
            content_type="text/html",
            headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        )

    def _page(self, template: str, language: str, **context: Any) -> str:
        words = {
            name: self._catalog.message(f"web.{name}", language)
            for name in ("start", "send", "type_here", "choose_language", "keep_link")
        }
        return self._templates.get_template(template).render(
            language=language, direction=direction(language), t=words, **context
        )


def _same_site_only(request: web.Request) -> None:
    """Refuse forms posted from other sites (a page elsewhere cannot answer for someone)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise web.HTTPForbidden(text="cross-site form")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="cross-site form")


def _refresh_count(request: web.Request) -> int:
    return int(request.query.get("r", "0")) if request.query.get("r", "").isdigit() else 0


def _fitting(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest messages that fit the page budget, so the page stays small on any script."""
    kept: list[dict[str, Any]] = []
    size = 0
    for message in reversed(messages[-_SHOWN_MESSAGES:]):
        size += len(str(message.get("text", "")).encode()) + 64
        if kept and size > _PAGE_TEXT_BUDGET:
            break
        kept.append(message)
    return kept[::-1]


def _inbound_from(form: Any) -> Inbound | None:
    question = str(form.get("q", "")) or None
    action = str(form.get("action", ""))
    if "language" in form:
        return ChangeLanguage(str(form["language"]))
    if action == "back":
        return GoBack(question)
    if action == "skip":
        return Skip(question)
    if action == "decline":
        return Decline(question)
    if action == "submit":
        return ChoiceReply(question, tuple(str(v) for v in form.getall("pick", [])))
    if "choice" in form:
        return ChoiceReply(question, (str(form["choice"]),))
    text = str(form.get("text", "")).strip()
    return TextReply(text[:_MAX_TEXT], question) if text else None


def _preferred(request: web.Request, offered: tuple[str, ...], default: str) -> str:
    """The survey language the browser asks for first (?lang= wins), else the default."""
    asked = request.query.get("lang")
    if asked in offered:
        return str(asked)
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in offered:
            return code
    return default
