"""Web chat over plain HTTP forms: works without JavaScript on any phone browser.

- `GET /j/<campaign>`: the campaign's public join page (intro, promise, language choice).
- `POST /j/<campaign>`: creates a participant with an unguessable link and sends them there
  (a limited number per client address and window: bot.channels.webchat.joins).
- `GET /c/<token>`: the participant's own chat: the conversation so far (rebuilt from survey,
  session and answers, plus their notices) and the current question.
- `GET /away`: the blank page a quick exit leaves for (bot.channels.webchat.leaving).
- `POST /c/<token>`: an answer, or a press on a menu button under a notice (a command). It is
  stored (deduplicated on the form's one-time nonce, so a double tap or a browser resend counts
  once), then the page reloads once it is processed. When processing it erased the participant
  ("delete everything", confirmed), the answer is the goodbye page itself: their link no longer
  leads anywhere, and nothing is kept to show it from.
- `POST /c/<token>/code`: a recovery code, shown once; `POST /j/<campaign>/recover`: the code
  entered, their conversation on a new link (bot.channels.webchat.recovery).

The token in the link is the participant's platform identity on this channel: it is never
stored or logged; their participant id is an HMAC of it, as on every channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import sys
import time
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web
from markupsafe import escape
from redis.asyncio import Redis

from bot.channels.webchat.commits import CommitWatch
from bot.channels.webchat.conversation import Chat, Line, load_chat
from bot.channels.webchat.forms import action_from, read_form
from bot.channels.webchat.ids import event_id, token_from
from bot.channels.webchat.joins import JoinLimit
from bot.channels.webchat.leaving import AWAY_PATH, away_page, is_exit, leave
from bot.channels.webchat.origin import from_our_page, refuse_other_sites
from bot.channels.webchat.recovery import (
    MAX_LIVE_CODES,
    asking_link,
    code_digest,
    is_link,
    link_digest,
    link_holds,
    new_code,
    new_link,
    participant_of,
    typed_code,
)
from bot.conversation.chat_commands import keyword
from bot.conversation.consents import Consent, current_version
from bot.conversation.data_notice import data_notice
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent, Join
from bot.conversation.participants import Stage, hidden_since
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.runtime.ingest import Ingestor
from bot.runtime.markers import is_committed, marker_member
from bot.settings import HttpSettings, WebChatSettings
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema
from bot.storage.scripts import WEBCHAT_HIDE, WEBCHAT_RECOVERY_CODE, WEBCHAT_RELINK
from dialogues import SessionStatus
from dialogues.events import Prompt
from dialogues.localization import builtin_catalog, direction
from dialogues.overrides import campaign_catalog
from dialogues.prompts import build_prompt

_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_VERSION = re.compile(r"^c?[0-9a-f]{8}$")  # a data notice's version, as the join page sends it
_REFRESHES = re.compile(r"[0-9]{1,4}")
_RECOVERY_WORDS = ("recovery_button", "recovery_offer", "recovery_have", "recovery_open")
_SHOWN_MESSAGES = 80  # keeps the page well under 50 KB on a cheap data plan
_WAIT_SECONDS = 3.0
# A quick exit leaves at once: storing it may take this long at most (it is stored anyway by the
# worker, or not at all when Redis is down: leaving comes first).
_EXIT_STORE_SECONDS = 0.5
_MAX_REFRESHES = 15  # a page waiting on a slow answer stops refreshing after ~30 s
# What the messages may take per page, their markup and buttons included; with the rest of
# the page (style, answer form, languages) it stays < 50 KB.
_PAGE_TEXT_BUDGET = 36 * 1024
# Markup bytes (at most) around a message, a menu's form and each of its buttons (chat.html).
_MESSAGE_MARKUP = 64
_MENU_MARKUP = 190
_BUTTON_MARKUP = 80

# On every page: none is kept by a shared phone's browser or shown by a search engine.
_COMMON_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

log = logging.getLogger(__name__)


class WebChat:
    def __init__(
        self,
        settings: WebChatSettings,
        *,
        http: HttpSettings,
        redis: Redis,
        schema: KeySchema,
        crypto: ParticipantCrypto,
        ingestor: Ingestor,
        campaigns: CampaignStore,
    ) -> None:
        self._public_url = http.public_url
        self._exit_url = settings.exit_url
        # The browser's tab and history show this, never the survey's title (a watched phone).
        self._page_title = settings.page_title
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._ingestor = ingestor
        self._campaigns = campaigns
        self._catalog = builtin_catalog()
        self._commits = CommitWatch(redis)
        self._recovery_seconds = settings.recovery_days * 86400
        self._joins = JoinLimit(
            redis,
            schema,
            crypto,
            limit=settings.join_limit,
            window_seconds=settings.join_window_seconds,
            trusted_proxies=http.trusted_proxies,
        )
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
            web.post("/c/{token}/code", self.recovery_code),
            web.post("/j/{campaign}/recover", self.recover),
            web.get(AWAY_PATH, away_page),
        ]

    # -- joining ---------------------------------------------------------------------------

    async def join_page(self, request: web.Request) -> web.Response:
        campaign = await self._open_campaign(request.match_info["campaign"], request)
        return await self._join_page(request, campaign)

    async def _join_page(
        self, request: web.Request, campaign: Any, *, wrong_code: bool = False
    ) -> web.Response:
        survey = campaign.survey
        catalog = campaign_catalog(survey)  # Sauti's texts as this campaign words them
        language = _preferred(request, survey.languages, survey.default_language)
        wrong = catalog.message("web.recovery_wrong", language) if wrong_code else None
        return self._render(
            "join.html",
            language,
            title=survey.text(survey.title, language),
            introduction=survey.text(survey.intro, language) if survey.intro else None,
            promise=survey.text(survey.promise, language),
            languages=[(code, catalog.language_name(code)) for code in survey.languages],
            action=f"/j/{survey.id}",
            nonce=secrets.token_urlsafe(12),
            recover_action=f"/j/{survey.id}/recover?lang={language}",
            recovery_error=wrong,
            organisation=survey.text(survey.organisation, language),
            notice=data_notice(
                campaign,
                language,
                mydata=keyword("mydata", language),
                delete=keyword("delete", language),
            ),
            # What the chat apps say right after the notice, as its last paragraph here.
            retention=catalog.message("join.retention", language, days=campaign.retention_days),
            take_part=catalog.message("consent.take_part", language),
            agree=catalog.message("button.agree", language),
            heading=catalog.message("web.data_notice", language),
            # The notice's version as shown: the yes is to this one (`Join.version`).
            version=current_version(Consent.TAKE_PART, campaign),
            consents=[(field, catalog.message(key, language)) for field, key in _JOIN_CONSENTS],
        )

    async def join(self, request: web.Request) -> web.Response:
        refuse_other_sites(request, self._public_url)
        campaign = await self._open_campaign(request.match_info["campaign"], request)
        await self._admit_join(request, campaign)
        form = await read_form(request)
        nonce = str(form.get("n", ""))
        if not _NONCE.match(nonce):  # a form of ours always has one; others get a fresh link
            nonce = secrets.token_urlsafe(12)
        language = str(form.get("lang", ""))
        if language not in campaign.survey.languages:
            language = campaign.survey.default_language
        # The link is derived from the form's nonce: tapping Start twice opens one chat.
        token = token_from(self._crypto, nonce)
        pid = self._crypto.participant_id(Channel.WEBCHAT.value, token)
        # Asked once, in plain words, under the data notice; unticked means no. Sending the
        # form is the yes to taking part (its button says "Yes, I agree").
        ticked = {field: form.get(field) == "1" for field, _ in _JOIN_CONSENTS}
        shown = str(form.get("tv", ""))
        join = Join(
            campaign.id,
            language,
            ticked["upd"],
            quote=ticked["quote"],
            contact=ticked["contact"],
            # A page from before it said which notice it showed: a yes to no known notice.
            version=shown if _VERSION.match(shown) else "",
        )
        event = self._event(pid, "join", join)
        done = await self._store(event, language)
        raise web.HTTPSeeOther(_chat_link(token, "join", done, language))

    async def _admit_join(self, request: web.Request, campaign: Any) -> None:
        """Past its client's join limit, a join makes no participant: 429, and a page that
        says when to try again."""
        survey = campaign.survey
        language = _preferred(request, survey.languages, survey.default_language)
        try:
            wait = await self._joins.wait_seconds(request)
        except STORAGE_FAILURE as error:
            raise self._unavailable(language) from error
        if wait:
            message = self._catalog.message("web.too_many_joins", language)
            raise web.HTTPTooManyRequests(
                text=self._page("notice.html", language, title="Sauti", text=message),
                content_type="text/html",
                headers={"Retry-After": str(wait)},
            )

    # -- chatting --------------------------------------------------------------------------

    async def chat_page(self, request: web.Request) -> web.Response:
        token = self._token(request)
        pid = self._participant(request, token)
        awaited = request.query.get("w", "")
        # Only while a post is awaited: the language of the page it was posted from, for the
        # pages shown when there is no participant to read it from (yet, or any more).
        posted_in = self._known_language(request.query.get("l"))
        try:
            if not await self._link_holds(pid, token):  # a link a recovery code replaced
                raise self._not_found(request)
            chat = await self._load_chat(pid)
            awaitable = awaited == "join" or bool(_NONCE.match(awaited))
            pending = awaitable and not await self._committed(pid, awaited)
        except STORAGE_FAILURE as error:
            raise self._unavailable(None) from error
        refreshes = _refresh_count(request)
        again = f"2;url={_awaiting(token, awaited, posted_in)}&r={refreshes + 1}"
        if chat is None:
            if pending and refreshes < _MAX_REFRESHES:  # joined, not processed yet
                return self._render(
                    "notice.html",
                    posted_in,
                    title="Sauti",
                    text=self._catalog.message("web.still_working", posted_in),
                    refresh=again,
                )
            if awaitable and not pending:  # what they posted was processed, and erased them
                return self._goodbye(posted_in)
            raise self._not_found(request)
        if chat.hidden:  # after a quick exit the link shows only the neutral page
            raise leave(self._exit_url)
        language, campaign = chat.language, chat.campaign
        survey = campaign.survey if campaign else None
        waiting = pending and refreshes < _MAX_REFRESHES
        if chat.stage is Stage.DELETE and not waiting:
            return self._confirm_delete(token, language)
        return self._render(
            "chat.html",
            language,
            title=survey.text(survey.title, language) if survey else "Sauti",
            messages=_fitting(chat.lines),
            prompt=self._prompt(chat),
            closed=self._closed_notice(chat),
            notice=self._catalog.message("web.still_working", language) if waiting else None,
            refresh=again if waiting else None,
            nonce=secrets.token_urlsafe(12),
            languages=[
                (code, self._catalog.language_name(code))
                for code in (survey.languages if survey else ())
            ],
            action=f"/c/{token}",
            exit_action=f"/c/{token}",
        )

    async def chat_post(self, request: web.Request) -> web.Response:
        token = self._token(request)
        form = await read_form(request)
        nonce = str(form.get("n", ""))
        action = action_from(form)
        if action is not None and is_exit(action):
            # Leaving first: before the nonce and where-from checks, so that nothing (a form
            # from an old page, a privacy setting that drops Origin) keeps the page on screen.
            # The link valid now always hides the chat, whatever the browser says of where the
            # post comes from (old browsers and strict privacy settings send nothing): the link
            # is the proof, and whoever can forge this post already holds it. Only a post from
            # one of our pages also ends the conversation.
            pid = participant_of(self._crypto, token)
            if pid is not None:
                nonce = nonce if _NONCE.match(nonce) else secrets.token_urlsafe(12)
                ours = from_our_page(request, self._public_url)
                await self._quick_exit(token, pid, nonce, action, end=ours)
            raise leave(self._exit_url)
        refuse_other_sites(request, self._public_url)
        if not _NONCE.match(nonce):
            raise web.HTTPBadRequest(text="missing form nonce")
        if action is None:  # nothing typed, or a command Sauti does not have: nothing is stored
            raise web.HTTPSeeOther(f"/c/{token}#last")
        pid = self._participant(request, token)
        participant = self._schema.participant(pid)
        try:
            fields = ["wk", "lang", "stg", "lk", "hid"]
            stored: Any = await self._redis.hmget(participant, fields)
        except STORAGE_FAILURE as error:  # an error page in the language of the page they are on
            raise self._unavailable(str(form.get("lang", ""))) from error
        wrapped_key, stored_language, stage, link, hidden = stored
        # A made-up link, or one a recovery code replaced, stores nothing.
        if wrapped_key is None or not link_holds(self._crypto, token, link):
            raise self._not_found(request)
        if hidden_since(hidden):
            # After a quick exit, a page still open (another tab, the back button) brings
            # nothing back: only the recovery code does. Nothing is stored.
            raise leave(self._exit_url)
        # Theirs, read now: the pages shown after this post may have no record to read it from.
        language = self._known_language((stored_language or b"").decode())
        event = self._event(pid, nonce, action)
        done = await self._store(event, language)
        # Only "delete" or an answer to "delete everything?" can erase them: no extra read
        # for every other answer.
        confirming = stage == Stage.DELETE.value.encode() or (
            isinstance(action, Command) and action.name == "delete"
        )
        try:
            erased = done and confirming and not await self._redis.hexists(participant, "wk")
        except STORAGE_FAILURE as error:
            raise self._unavailable(language) from error
        if erased:  # their link leads nowhere now: this answer is the last page they see
            return self._goodbye(language)
        raise web.HTTPSeeOther(_chat_link(token, nonce, done, language))

    # -- a lost link: recovery codes (bot.channels.webchat.recovery) ---------------------------

    async def recovery_code(self, request: web.Request) -> web.Response:
        """A new recovery code, shown on this answer only. Earlier codes stay good; past
        `MAX_LIVE_CODES` live ones, none is made and the page says why."""
        refuse_other_sites(request, self._public_url)
        token = self._token(request)
        pid = self._participant(request, token)
        participant = self._schema.participant(pid)
        code = new_code()
        digest = code_digest(self._crypto, code)
        key = self._schema.webchat_recovery(digest)
        try:
            # The index first, then the record's list (one slot each): an index without its
            # entry in the list opens nothing, and is deleted here when the script refuses.
            await self._redis.set(key, pid, ex=self._recovery_seconds)
            arguments = [
                digest,
                asking_link(self._crypto, token),
                str(int(time.time())),
                str(self._recovery_seconds),
                str(MAX_LIVE_CODES),
            ]
            added = await WEBCHAT_RECOVERY_CODE(self._redis, [participant], arguments)
            if added != 1:
                await self._redis.delete(key)
            stored: Any = await self._redis.hget(participant, "lang")
        except STORAGE_FAILURE as error:
            raise self._unavailable(None) from error
        if added is None:  # no such participant, erased meanwhile, or a link no longer valid
            raise self._not_found(request)
        language = self._known_language((stored or b"").decode())
        if added != 1:
            shown = None
            advice = self._catalog.message("web.recovery_enough", language, count=MAX_LIVE_CODES)
        else:
            shown, advice = code, self._catalog.message("web.recovery_shown", language)
        return self._render(
            "recovery.html",
            language,
            title="Sauti",
            code=shown,
            advice=advice,
            back=f"/c/{token}#last",
            back_label=self._catalog.message("web.recovery_back", language),
        )

    async def recover(self, request: web.Request) -> web.Response:
        """A recovery code entered on the join page: their conversation on a new link, which
        is from now on the only one that opens it (counted like a join: codes are not to be
        guessed by trying)."""
        refuse_other_sites(request, self._public_url)
        campaign = await self._open_campaign(
            request.match_info["campaign"], request, closed_too=True
        )
        await self._admit_join(request, campaign)
        form = await read_form(request)
        code = typed_code(str(form.get("code", "")))
        digest = code_digest(self._crypto, code) if code is not None else ""
        try:
            pid = await self._code_owner(digest)
            link = new_link(self._crypto, pid) if pid is not None else ""
            used: Any = [0]
            if pid is not None:
                used = await WEBCHAT_RELINK(
                    self._redis,
                    [self._schema.participant(pid)],
                    [digest, link_digest(self._crypto, link)],
                )
                # Used: its index goes, with those of the codes it ended. Refused: an index
                # whose code the record does not list (left by a crash) opens nothing; it goes.
                ended = used[1:] if used[0] == 1 else [digest]
                for each in ended:
                    await self._forget_code(each)
        except STORAGE_FAILURE as error:
            raise self._unavailable(None) from error
        if used[0] == 1:
            raise web.HTTPSeeOther(f"/c/{link}#last")
        if not campaign.is_open:
            return self._closed_page(request, campaign, wrong_code=True)
        return await self._join_page(request, campaign, wrong_code=True)

    async def _code_owner(self, digest: str) -> str | None:
        if not digest:
            return None
        owner: Any = await self._redis.get(self._schema.webchat_recovery(digest))
        return owner.decode() if owner else None

    async def _forget_code(self, digest: bytes | str) -> None:
        value = digest.decode() if isinstance(digest, bytes) else digest
        await self._redis.delete(self._schema.webchat_recovery(value))

    async def _quick_exit(
        self, token: str, pid: str, nonce: str, action: Answer | Command, *, end: bool
    ) -> None:
        """Hide them now (one short write: the link shows the neutral page from the very next
        request) and, if `end`, hand the exit to the worker without waiting for it: the page
        leaves at once, whether or not the exit is processed yet, or even stored (Redis down).
        Only the link valid now hides or ends anything (a link a recovery code replaced only
        leaves)."""
        with contextlib.suppress(TimeoutError, *STORAGE_FAILURE):
            async with asyncio.timeout(_EXIT_STORE_SECONDS):
                record = self._schema.participant(pid)
                stored: Any = await self._redis.hmget(record, ["wk", "lk"])
                wrapped_key, link = stored
                if wrapped_key is not None and link_holds(self._crypto, token, link):
                    event = self._event(pid, nonce, action)
                    await WEBCHAT_HIDE(self._redis, [record], [str(event.received_at_ms)])
                    if end:
                        await self._ingestor.ingest(event)

    # -- helpers ---------------------------------------------------------------------------

    async def _store(self, event: InboundEvent, language: str) -> bool:
        """Store the event and wait (briefly) until it is processed: True once it is."""
        try:
            await self._ingestor.ingest(event)
            return await self._commits.wait(self._ingestor.marker(event), _WAIT_SECONDS)
        except STORAGE_FAILURE as error:
            raise self._unavailable(language) from error

    def _confirm_delete(self, token: str, language: str) -> web.Response:
        """While "delete everything?" waits, the page asks only that: no survey question's
        Yes/No beneath it to be mistaken for it, the destructive button marked as such."""
        return self._render(
            "delete.html",
            language,
            title="Sauti",
            question=self._catalog.message("delete.confirm", language),
            warning=self._catalog.message("web.delete_warning", language),
            confirm=self._catalog.message("web.delete_yes", language),
            cancel=self._catalog.message("button.delete_no", language),
            nonce=secrets.token_urlsafe(12),
            action=f"/c/{token}",
            exit_action=f"/c/{token}",
        )

    def _closed_notice(self, chat: Chat) -> str | None:
        """A closed campaign takes no answers: the page says so instead of offering a form,
        unless they were asked to write something (a concern about a decision, say)."""
        if chat.campaign is None or chat.campaign.is_open or chat.stage.asks_for_text:
            return None
        return self._catalog.message("notice.campaign_closed", chat.language)

    def _goodbye(self, language: str) -> web.Response:
        """After an erasure: nothing of theirs is left to show, only that it is done."""
        text = self._catalog.message("delete.done", language)
        return self._render("notice.html", language, title="Sauti", text=text)

    def _known_language(self, language: str | None) -> str:
        """`language` when Sauti speaks it (it comes from a form or a link), else English."""
        if language is None or language not in self._catalog.language_names:
            return "en"
        return language

    async def _committed(self, pid: str, nonce: str) -> bool:
        member = marker_member(event_id(pid, nonce))
        score = await self._redis.zscore(self._schema.event_markers(pid), member)
        if score is None:  # an erasure's own event: its marker moved once it was committed
            shard = self._schema.shard_of(pid)
            score = await self._redis.zscore(self._schema.erased_events(shard), member)
        return is_committed(score)

    def _prompt(self, chat: Chat) -> Prompt | None:
        """The form of the question awaiting an answer (built now: it shows what is ticked so
        far and the earlier answer), unless the survey is paused, over or closed, or the
        participant was asked for typed text (feedback, a concern about a decision, their time
        of day): then the page offers a plain text box, whatever kind of question awaits. Nor
        while a consent question or "start again?" waits: its buttons answer it, and a survey
        button under it would only have it asked again."""
        campaign, session = chat.campaign, chat.session
        if campaign is None or not campaign.is_open or session is None or chat.stage.asks_for_text:
            return None
        if chat.stage in (Stage.CONSENT, Stage.RESUME):
            return None
        if session.status is not SessionStatus.ACTIVE or session.current is None:
            return None
        question = campaign.survey.question(session.current)
        if question is None or not question.answerable:
            return None
        # Choices here are only tapped (buttons, tick boxes): hints say so, not "reply with…".
        return build_prompt(campaign.survey, question, session, self._catalog, tapped=True)

    async def _load_chat(self, pid: str) -> Chat | None:
        return await load_chat(
            pid,
            redis=self._redis,
            schema=self._schema,
            crypto=self._crypto,
            campaigns=self._campaigns,
            catalog=self._catalog,
        )

    async def _open_campaign(
        self, campaign_id: str, request: web.Request, *, closed_too: bool = False
    ) -> Any:
        """The campaign of a join page (a closed one only for `closed_too`: its participants
        may still come back with a recovery code, to read what came of their answers)."""
        try:
            campaign = await self._campaigns.get(campaign_id)
        except STORAGE_FAILURE as error:
            raise self._unavailable(None) from error
        if campaign is None or not (campaign.is_open or closed_too):
            page = self._closed_page(request, campaign)
            raise web.HTTPNotFound(
                text=page.text, content_type="text/html", headers=_COMMON_HEADERS
            )
        return campaign

    def _closed_page(
        self, request: web.Request, campaign: Any, *, wrong_code: bool = False
    ) -> web.Response:
        """A closed (or unknown) campaign's join page: closed, and the way back for those who
        took part and lost their link; in the language the page is asked in, as a join page."""
        if campaign is None:
            language = _preferred(request, tuple(self._catalog.language_names), "en")
            return self._render(
                "notice.html",
                language,
                title="Sauti",
                text=self._catalog.message("notice.campaign_closed", language),
            )
        survey = campaign.survey
        language = _preferred(request, survey.languages, survey.default_language)
        return self._render(
            "notice.html",
            language,
            title="Sauti",
            text=self._catalog.message("notice.campaign_closed", language),
            languages=[(code, self._catalog.language_name(code)) for code in survey.languages],
            here=f"/j/{campaign.id}",
            recover_action=f"/j/{campaign.id}/recover?lang={language}",
            recovery_error=(
                self._catalog.message("web.recovery_wrong", language) if wrong_code else None
            ),
        )

    def _event(self, pid: str, nonce: str, action: Join | Answer | Command) -> InboundEvent:
        return InboundEvent(
            event_id=event_id(pid, nonce),
            channel=Channel.WEBCHAT,
            participant_id=pid,
            received_at_ms=int(time.time() * 1000),
            action=action,
        )

    def _token(self, request: web.Request) -> str:
        token = request.match_info["token"]
        if not is_link(token):
            raise self._not_found(request)
        return token

    def _participant(self, request: web.Request, token: str) -> str:
        """The participant a link names (a new link that Sauti did not make names nobody)."""
        pid = participant_of(self._crypto, token)
        if pid is None:
            raise self._not_found(request)
        return pid

    async def _link_holds(self, pid: str, token: str) -> bool:
        """Whether `token` may show the page: the link valid now, or any link of theirs once
        there is no record (erased: the page awaiting their last post says goodbye, whichever
        of their links they erased from; with nothing awaited it is a dead link all the same)."""
        stored: Any = await self._redis.hmget(self._schema.participant(pid), ["wk", "lk"])
        wrapped_key, current = stored
        return wrapped_key is None or link_holds(self._crypto, token, current)

    def _not_found(self, request: web.Request) -> web.HTTPNotFound:
        """A link that leads nowhere: said in the language the browser asks for (or picked on
        the page: nothing is known about whose link it was), with the way back."""
        languages = tuple(self._catalog.language_names)
        language = _preferred(request, languages, "en")
        text = self._page(
            "notice.html",
            language,
            title="Sauti",
            text=self._catalog.message("web.invalid_link", language),
            languages=[(code, self._catalog.language_name(code)) for code in languages],
            here=_page_of(request),
        )
        return web.HTTPNotFound(text=text, content_type="text/html", headers=_COMMON_HEADERS)

    def _unavailable(self, language: str | None) -> web.HTTPServiceUnavailable:
        # Its type only: a script error or a wrongly typed key must not pass as an outage
        # unseen, and a message could quote what a participant wrote.
        log.warning("web chat answered 503: %s", _cause_name())
        language = self._known_language(language)
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
            headers=_COMMON_HEADERS,
        )

    def _page(self, template: str, language: str, **context: Any) -> str:
        words = {
            name: self._catalog.message(f"web.{name}", language)
            for name in (
                "start",
                "send",
                "type_here",
                "choose_language",
                "keep_link",
                "menu",
                *_RECOVERY_WORDS,
                "exit",
            )
        }
        return self._templates.get_template(template).render(
            language=language,
            direction=direction(language),
            t=words,
            exit_to=self._exit_url or AWAY_PATH,
            page_title=self._page_title,
            **context,
        )


# The optional consents ticked on the join page: form field, question.
_JOIN_CONSENTS = (
    ("upd", "join.updates_question"),
    ("quote", "consent.quote"),
    ("contact", "consent.contact"),
)


def _chat_link(token: str, nonce: str, done: bool, language: str) -> str:
    """Where a post leads: the chat, or, while its event is not processed yet, the chat waiting
    for it (it refreshes until it is)."""
    return f"/c/{token}#last" if done else f"{_awaiting(token, nonce, language)}#last"


def _awaiting(token: str, nonce: str, language: str) -> str:
    return f"/c/{token}?w={nonce}&l={language}"


def _page_of(request: web.Request) -> str:
    """The page a dead link's language choices lead to, as an absolute path: the chat page
    of the link (a GET there says the same), also after a POST to it or to its code."""
    token = request.match_info.get("token")
    if token is None:
        return request.path
    return "/c/" + quote(token, safe="")


def _refresh_count(request: web.Request) -> int:
    """How often a waiting page refreshed itself (its own refresh link counts up `r`); any
    other value is a first view. ASCII digits only: '²'.isdigit() is True, int('²') fails."""
    given = request.query.get("r", "")
    return int(given) if _REFRESHES.fullmatch(given) else 0


def _fitting(lines: list[Line]) -> list[Line]:
    """The latest lines that fit the page budget, so the page stays small on any script."""
    kept: list[Line] = []
    size = 0
    for message in reversed(lines[-_SHOWN_MESSAGES:]):
        size += _page_bytes(message)
        if kept and size > _PAGE_TEXT_BUDGET:
            break
        kept.append(message)
    return kept[::-1]


def _page_bytes(line: Line) -> int:
    """What a line adds to the page: its text, its markup and its buttons (chat.html)."""
    size = _escaped_bytes(line.text) + _MESSAGE_MARKUP
    if line.menu:
        size += _MENU_MARKUP
    for item in line.menu:
        size += _escaped_bytes(f"{item.label}{item.command} {item.argument}") + _BUTTON_MARKUP
    return size


def _escaped_bytes(text: str) -> int:
    """Its size once on the page: the template escapes it (a quote or & grows to 5 bytes)."""
    return len(str(escape(text)).encode())


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


def _cause_name() -> str:
    """The type of the storage failure being handled (called inside its `except`)."""
    error = sys.exc_info()[1]
    return type(error).__name__ if error is not None else "unknown"
