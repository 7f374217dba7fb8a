"""Everything a participant says around the survey: joining, commands, consent, erasure.

`take_turn` is the one entry point the worker calls. Survey answers go to the engine
(`turns.answer`); this module handles the rest, the same on every channel:

- joining: language (names in their own script, the platform's hint pre-selected) → what happens
  with the answers, and whether they want to hear what comes of them → the survey;
- commands and keywords: start, help, language, stop, mydata, delete, feedback, updates, time;
- a participant's "stage" (a question outside the survey, such as "delete everything?") decides
  what a typed reply means; an unclear reply gets the same question again.

No Redis, no clock: the worker loads, this decides, the commit writes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.loop.conversation import concern_written, decision_lines, react
from bot.privacy import DecryptionError, decrypt_field, field_aad
from bot.runtime.campaigns import Campaign
from bot.runtime.commands import as_command, keyword
from bot.runtime.events import (
    Answer,
    Channel,
    Command,
    InboundEvent,
    Join,
    Reachability,
    Unsupported,
)
from bot.runtime.local_time import my_data_zone_line, take_zone_hint, zone_from_clock
from bot.runtime.outgoing import MenuItem
from bot.runtime.participants import ParticipantKeys, ParticipantRecord, Stage
from bot.runtime.turns import (
    DAY_MS,
    Context,
    Feedback,
    Turn,
    answer,
    begin_survey,
    closed,
    new_participant,
)
from dialogues import Session, advance
from dialogues.events import AnswerOutcome
from dialogues.inbound import ChangeLanguage, Pause, TextReply
from dialogues.localization import FALLBACK_LANGUAGE, builtin_catalog
from dialogues.normalize import ascii_digits, fold
from dialogues.prompts import display_answer
from dialogues.session import SessionStatus

#: Days within which a company should answer feedback; per campaign once grievances have a desk.
_MYDATA_ANSWER_CHARS = 80  # keep "my data" within one chat message
_CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "webchat": "web chat"}


def normalise(
    event: InboundEvent, participant: ParticipantRecord | None, campaign_ids: tuple[str, ...]
) -> InboundEvent:
    """Typed commands, keywords and join codes become `Command`s before anything is loaded (a
    join code decides which campaign's session the worker needs). While a participant is
    writing feedback, only slash commands count: their message may well say "stop"."""
    action = event.action
    if not isinstance(action, Answer):
        return event
    command = as_command(action, campaign_ids) or _menu_pick(action, participant, campaign_ids)
    if command is None:
        return event
    writing = participant is not None and participant.stage.writing
    if writing and not _is_slash(action):
        return event
    return _with_action(event, command)


# The help menu, in order; the same for everyone so a typed number means the same thing.
# New items go at the end: someone who saw the menu before an upgrade and types its number
# after it must get what they saw.
HELP_MENU = (
    ("start", "menu.continue"),
    ("language", "menu.language"),
    ("mydata", "menu.mydata"),
    ("feedback", "menu.feedback"),
    ("delete", "menu.delete"),
    ("stop", "menu.stop"),
    ("time", "menu.time"),
)


def _menu_pick(
    action: Answer, participant: ParticipantRecord | None, campaign_ids: tuple[str, ...]
) -> Command | None:
    """A number typed right after a menu picks its item (channels without buttons, or people
    who prefer typing). Done before loading, as the pick decides what must be loaded."""
    if not isinstance(action.input, TextReply):
        return None
    typed = ascii_digits(action.input.text.strip())
    if not typed.isdigit():
        return None
    place = int(typed) - 1
    stage = participant.stage if participant is not None else Stage.CAMPAIGN_MENU
    if stage is Stage.CAMPAIGN_MENU and 0 <= place < len(campaign_ids):
        return Command("start", campaign_ids[place])
    if stage is Stage.HELP_MENU and 0 <= place < len(HELP_MENU):
        return Command(HELP_MENU[place][0])
    return None


def campaign_of(event: InboundEvent, participant: ParticipantRecord | None) -> str | None:
    """The campaign an event is about: the one joined, or the participant's current one."""
    action = event.action
    if isinstance(action, Join):
        return action.campaign_id
    if isinstance(action, Command) and action.name == "start" and action.argument:
        return action.argument
    return participant.campaign_id if participant is not None else None


def take_turn(
    event: InboundEvent,
    *,
    participant: ParticipantRecord | None,
    context: Context,
    keys: ParticipantKeys,
    now: dt.datetime,
) -> Turn:
    """Apply one (normalised) event to a participant (None: never seen, or erased)."""
    data_key = keys.data_key(participant) if participant is not None else None
    turn = Turn(participant, data_key, inbound_ms=event.received_at_ms)
    if participant is not None and participant.unreachable and _their_doing(event):
        turn.update(participant, unreachable=False)  # they wrote to us: reachable again
    conversation = _Conversation(turn, event, context, keys, now)
    match event.action:
        case Join(_, language, updates):
            conversation.join(language, updates)
        case Reachability(reachable):
            turn.inbound_ms = None  # a platform notice, not the participant writing
            if participant is not None and participant.unreachable == reachable:
                turn.update(participant, unreachable=not reachable)
        case Unsupported():
            conversation.say("notice.unsupported")
        case Command(name, argument):
            conversation.command(name, argument)
        case Answer() as action:
            conversation.reply(action)
    take_zone_hint(turn, event.zone_hint)
    return turn


class _Conversation:
    def __init__(
        self,
        turn: Turn,
        event: InboundEvent,
        context: Context,
        keys: ParticipantKeys,
        now: dt.datetime,
    ) -> None:
        self.turn = turn
        self.event = event
        self.context = context
        self.keys = keys
        self.now = now
        self.catalog = builtin_catalog()
        if turn.participant is None:
            turn.reply_address = event.address  # answers to someone without a record

    # -- the participant ------------------------------------------------------------------

    @property
    def language(self) -> str:
        if self.turn.participant is not None:
            return self.turn.participant.language
        return self._hinted_language()

    def _hinted_language(self) -> str:
        """The platform's language hint when Sauti speaks it (or the campaign does)."""
        hint = (self.event.locale or "").split("-", 1)[0].casefold()
        campaign = self.context.campaign
        spoken = campaign.survey.languages if campaign is not None else ()
        if hint and (hint in spoken or hint in self.catalog.language_names):
            return hint
        if campaign is not None:
            return campaign.survey.default_language
        return FALLBACK_LANGUAGE

    def participant(self) -> ParticipantRecord:
        """The participant, created on first contact."""
        existing = self.turn.participant
        if existing is not None:
            return existing
        self.turn.reply_address = None
        return new_participant(self.turn, self.event, self._hinted_language(), self.keys)

    def say(self, key: str, menu: tuple[MenuItem, ...] = (), /, **params: object) -> None:
        self.turn.notice(self.catalog.message(key, self.language, **params), menu)

    def quote(self, command: str) -> str:
        """How to write a command on this channel: "/mydata" on Telegram, a keyword elsewhere."""
        if self.event.channel is Channel.TELEGRAM:
            return f"/{command}"
        return keyword(command, self.language)

    # -- actions ----------------------------------------------------------------------------

    def join(self, language: str, updates: bool | None) -> None:
        """The web chat's join: the language was chosen on the join page."""
        if self.turn.participant is None:
            new_participant(self.turn, self.event, language, self.keys)
            self.turn.reply_address = None
        campaign = self.context.campaign
        if campaign is None or not campaign.is_open:
            self.turn.notice(closed(language))
            return
        participant = self.participant()
        if updates is not None and campaign.id not in participant.updates:
            # Asked on the join page; a later change goes through the updates command.
            participant = self.turn.update(
                participant, updates={**participant.updates, campaign.id: updates}
            )
        begin_survey(
            self.turn,
            participant,
            campaign,
            session=self.context.session,
            language=language,
            now=self.now,
        )

    def command(self, name: str, argument: str) -> None:
        handlers: dict[str, Callable[[str], None]] = {
            "start": self.start,
            "help": self.help,
            "language": self.choose_language,
            "stop": self.stop,
            "mydata": self.my_data,
            "delete": self.delete,
            "updates": self.updates,
            "feedback": self.feedback,
            "react": self.react,
            "time": self.time,
        }
        handlers.get(name, self.help)(argument)

    def reply(self, action: Answer) -> None:
        """Something typed or pressed that is not a command (nor a menu pick: `normalise`)."""
        participant = self.turn.participant
        if participant is None:
            self.offer_campaigns()
            return
        stage_replies = {
            Stage.LANGUAGE: self._language_reply,
            Stage.CONSENT: self._consent_reply,
            Stage.DELETE: self._delete_reply,
            Stage.FEEDBACK: self._feedback_reply,
            Stage.CONCERN: self._concern_reply,
            Stage.TIME: self._time_reply,
        }
        if participant.stage in stage_replies:
            stage_replies[participant.stage](action)
            return
        if participant.stage is not Stage.NONE:  # a menu was shown and not picked from
            self.turn.update(participant, stage=Stage.NONE)
        if self.context.campaign is None or self.context.session is None:
            self.offer_campaigns()
            return
        answer(self.turn, action, self.context, self.now)

    # -- joining ----------------------------------------------------------------------------

    def start(self, code: str) -> None:
        participant = self.participant()
        campaign, session = self.context.campaign, self.context.session
        if not code:
            in_progress = session is not None and session.status is not SessionStatus.COMPLETED
            if campaign is not None and campaign.is_open and session is not None and in_progress:
                self._carry_on(participant, campaign, session)
            else:
                self.offer_campaigns()
            return
        if campaign is None or not campaign.is_open:
            self.turn.notice(closed(self.language))
            return
        if session is not None:  # back to a campaign already started
            self._carry_on(participant, campaign, session)
            return
        if not participant.language_chosen and len(campaign.survey.languages) > 1:
            language = self._hinted_language() if self.event.locale else participant.language
            participant = self.turn.update(
                participant, campaign_id=campaign.id, stage=Stage.LANGUAGE, language=language
            )
            self._ask_language()
            return
        language = _spoken(campaign, participant.language)
        self.turn.update(participant, campaign_id=campaign.id, language=language)
        self._ask_consent(campaign)

    def _carry_on(
        self, participant: ParticipantRecord, campaign: Campaign, session: Session
    ) -> None:
        begin_survey(
            self.turn,
            participant,
            campaign,
            session=session,
            language=session.language,
            now=self.now,
        )

    def offer_campaigns(self) -> None:
        """Plain /start, or a message from someone in no campaign: the open campaigns."""
        menu = self._campaign_menu()
        if not menu:
            self.say("start.none_open")
            return
        if self.turn.participant is not None:
            self.turn.update(self.turn.participant, stage=Stage.CAMPAIGN_MENU)
        self.say("start.choose_campaign", menu)

    def _campaign_menu(self) -> tuple[MenuItem, ...]:
        return tuple(
            MenuItem(c.survey.text(c.survey.title, self.language), "start", c.id)
            for c in self.context.open_campaigns
        )

    def choose_language(self, code: str) -> None:
        participant = self.participant()
        campaign = self.context.campaign
        spoken = self._languages()
        if code not in spoken:
            self._ask_language()
            return
        if participant.stage is Stage.LANGUAGE and campaign is not None:
            self.turn.update(participant, language=code, language_chosen=True, stage=Stage.CONSENT)
            self._ask_consent(campaign)
            return
        session = self.context.session
        if campaign is not None and session is not None and participant.stage is Stage.NONE:
            self.turn.update(participant, language_chosen=True)
            answer(self.turn, Answer(ChangeLanguage(code)), self.context, self.now)
            return
        self.turn.update(participant, language=code, language_chosen=True)
        self.say("notice.language_changed", language=self.catalog.language_name(code))

    def _languages(self) -> tuple[str, ...]:
        campaign = self.context.campaign
        if campaign is not None:
            return tuple(campaign.survey.languages)
        return tuple(self.catalog.language_names)

    def _ask_language(self) -> None:
        current = self.language
        menu = tuple(
            MenuItem(
                ("✓ " if code == current else "") + self.catalog.language_name(code),
                "language",
                code,
            )
            for code in self._languages()
        )
        self.say("join.choose_language", menu)

    def _language_reply(self, action: Answer) -> None:
        chosen = _pick_language(action, self._languages(), self.catalog.language_names)
        if chosen is None:
            self._ask_language()
        else:
            self.choose_language(chosen)

    def _ask_consent(self, campaign: Campaign) -> None:
        participant = self.participant()
        self.turn.update(participant, stage=Stage.CONSENT)
        survey, language = campaign.survey, self.language
        self.say(
            "join.consent",
            organisation=survey.text(survey.organisation, language),
            title=survey.text(survey.title, language),
            mydata=self.quote("mydata"),
            delete=self.quote("delete"),
        )
        menu = (
            MenuItem(self.catalog.message("button.updates_yes", language), "updates", "yes"),
            MenuItem(self.catalog.message("button.updates_no", language), "updates", "no"),
        )
        self.say("join.updates_question", menu)

    def _consent_reply(self, action: Answer) -> None:
        choice = _yes_or_no(action, self.language)
        if choice is None:
            campaign = self.context.campaign
            if campaign is None:  # the campaign went away meanwhile
                self.turn.update(self.participant(), stage=Stage.NONE)
                self.offer_campaigns()
            else:
                self._ask_consent(campaign)
            return
        self.updates("yes" if choice else "no")

    def updates(self, choice: str) -> None:
        participant = self.participant()
        wanted = choice.casefold() in {"yes", "1", "true"}
        campaign = self.context.campaign
        if campaign is None:
            self.say("updates.on" if wanted else "updates.off")
            return
        participant = self.turn.update(
            participant, updates={**participant.updates, campaign.id: wanted}
        )
        if participant.stage is Stage.CONSENT:
            if not campaign.is_open:
                self.turn.update(participant, stage=Stage.NONE)
                self.turn.notice(closed(self.language))
                return
            language = _spoken(campaign, participant.language)
            begin_survey(
                self.turn,
                participant,
                campaign,
                session=self.context.session,
                language=language,
                now=self.now,
            )
            return
        self.say("updates.on" if wanted else "updates.off")

    # -- commands ---------------------------------------------------------------------------

    def help(self, _: str = "") -> None:
        participant = self.participant()
        self.turn.update(participant, stage=Stage.HELP_MENU)  # the menu leaves any question
        self.say("help.text", self._help_menu(), help=self.quote("help"))

    def _help_menu(self) -> tuple[MenuItem, ...]:
        return tuple(MenuItem(self._label(label), command) for command, label in HELP_MENU)

    def _label(self, key: str) -> str:
        return self.catalog.message(key, self.language)

    def stop(self, _: str = "") -> None:
        participant = self.participant()
        campaign, session = self.context.campaign, self.context.session
        if campaign is not None and session is not None and session.status is SessionStatus.ACTIVE:
            step = advance(campaign.survey, session, Pause(), self.now)
            self.turn.campaign_id, self.turn.session = campaign.id, step.session
        self.turn.update(participant, opted_out=True, stage=Stage.NONE)
        self.say("stop.done", start=self.quote("start"))

    def delete(self, argument: str) -> None:
        participant = self.turn.participant
        if argument == "confirm":
            self.turn.erase = participant is not None
            if participant is not None:
                self.turn.reply_address = self.event.address or self._stored_address(participant)
            self.say("delete.done")
            return
        if participant is None:
            self.say("delete.done")  # nothing is held about them
            return
        if argument == "cancel":
            self.turn.update(participant, stage=Stage.NONE)
            self.say("delete.cancelled")
            return
        self.turn.update(participant, stage=Stage.DELETE)
        menu = (
            MenuItem(self._label("button.delete_yes"), "delete", "confirm"),
            MenuItem(self._label("button.delete_no"), "delete", "cancel"),
        )
        self.say("delete.confirm", menu)

    def _stored_address(self, participant: ParticipantRecord) -> str | None:
        if self.turn.data_key is None:
            return None
        try:
            return self.keys.address(participant, self.turn.data_key)
        except DecryptionError:
            return None

    def _delete_reply(self, action: Answer) -> None:
        choice = _yes_or_no(action, self.language)
        if choice is None:
            self.delete("")
        else:
            self.delete("confirm" if choice else "cancel")

    def feedback(self, text: str) -> None:
        participant = self.participant()
        if not text.strip():
            self.turn.update(participant, stage=Stage.FEEDBACK)
            self.say("feedback.ask", organisation=self._organisation())
            return
        reference = feedback_reference(self.event.event_id)
        campaign = self.context.campaign
        campaign_id = campaign.id if campaign else None
        due_ms = self._answer_due_ms()
        self.turn.feedback = Feedback(reference, campaign_id, text.strip(), due_ms)
        self.turn.update(participant, stage=Stage.NONE)
        self.say("feedback.received", reference=reference, days=self.context.response_days)

    def _answer_due_ms(self) -> int:
        """When a case raised now is promised an answer (what the participant is told)."""
        return int(self.now.timestamp() * 1000) + self.context.response_days * DAY_MS

    def _feedback_reply(self, action: Answer) -> None:
        if isinstance(action.input, TextReply) and action.input.text.strip():
            self.feedback(action.input.text)
        else:
            self.feedback("")

    def react(self, argument: str) -> None:
        """A button under a decision notice (bot.loop.conversation)."""
        react(self.turn, self.participant(), argument, self.context.loop, self.language)

    def _concern_reply(self, action: Answer) -> None:
        participant = self.participant()
        if isinstance(action.input, TextReply) and action.input.text.strip():
            text, view = action.input.text, self.context.loop
            event_id = self.event.event_id
            concern_written(
                self.turn,
                participant,
                text,
                event_id=event_id,
                view=view,
                language=self.language,
                due_ms=self._answer_due_ms(),
            )
        else:
            react(
                self.turn,
                participant,
                f"concerns:{participant.topic}",
                self.context.loop,
                self.language,
            )

    def time(self, argument: str) -> None:
        """Their local time, for quiet hours: asked, or given at once ("/time 14:30")."""
        if argument.strip():
            self._time_told(argument)
            return
        self.turn.update(self.participant(), stage=Stage.TIME)
        self.say("time.ask")

    def _time_reply(self, action: Answer) -> None:
        if isinstance(action.input, TextReply):
            self._time_told(action.input.text)
            return
        # A button of the survey: they went on without answering; the survey takes it.
        self.turn.update(self.participant(), stage=Stage.NONE)
        self.reply(action)

    def _time_told(self, text: str) -> None:
        participant = self.participant()
        told = zone_from_clock(text, at_ms=self.event.received_at_ms, catalog=self.catalog)
        if told is None:
            self.turn.update(participant, stage=Stage.TIME)  # asked again until it reads
            self.say("time.unclear", start=self.quote("start"))
            return
        self.turn.update(participant, time_zone=told.zone, time_zone_chosen=True, stage=Stage.NONE)
        self.say("time.set", time=told.time, zone=told.zone)

    def _organisation(self) -> str:
        campaign = self.context.campaign
        if campaign is None:
            return self._label("feedback.team")
        return campaign.survey.text(campaign.survey.organisation, self.language)

    def my_data(self, _: str = "") -> None:
        participant = self.participant()
        language = self.language
        campaign = self.context.campaign
        wanted = participant.updates.get(campaign.id) if campaign is not None else None
        lines = [
            self.catalog.message(
                "mydata.header",
                language,
                channel=_CHANNEL_NAMES.get(participant.channel, participant.channel),
                language=self.catalog.language_name(language),
                updates=self._label("option.yes" if wanted else "option.no"),
            )
            + "\n"
            + my_data_zone_line(participant, language, self.catalog, command=self.quote("time"))
        ]
        history = self.context.history
        if not history:
            lines.append(self._label("mydata.nothing"))
        for campaign_id, (joined, session, answers) in sorted(history.items()):
            lines += self._campaign_lines(campaign_id, joined, session, answers)
        lines += decision_lines(self.context.loop, language) or [self._label("mydata.no_decisions")]
        self.turn.notice("\n\n".join(lines))

    def _campaign_lines(
        self,
        campaign_id: str,
        campaign: Campaign | None,
        session: Session | None,
        answers: Mapping[bytes, bytes],
    ) -> list[str]:
        language = self.language
        completed = session is not None and session.status is SessionStatus.COMPLETED
        status = self._label("mydata.completed" if completed else "mydata.in_progress")
        if campaign is None:
            return [f"{campaign_id}: {status}"]
        survey = campaign.survey
        header = self.catalog.message(
            "mydata.campaign",
            language,
            title=survey.text(survey.title, language),
            organisation=survey.text(survey.organisation, language),
            count=len(answers),
            status=status,
        )
        details = []
        for question in survey.questions:
            raw = answers.get(question.id.encode())
            if raw is None:
                continue
            shown = self._shown_answer(campaign, question.id, json.loads(raw))
            asked = _shorten(survey.text(question.text, language), _MYDATA_ANSWER_CHARS)
            details.append(f"• {asked}\n  → {_shorten(shown, _MYDATA_ANSWER_CHARS)}")
        return [header, "\n".join(details)] if details else [header]

    def _shown_answer(self, campaign: Campaign, question_id: str, stored: dict[str, object]) -> str:
        language = self.language
        outcome = AnswerOutcome(str(stored.get("o")))
        if outcome is AnswerOutcome.SKIPPED:
            return self._label("answer.skipped")
        if outcome is AnswerOutcome.DECLINED:
            return self._label("answer.declined")
        question = campaign.survey.question(question_id)
        sealed = stored.get("x")
        if isinstance(sealed, str):  # free text: theirs to read, with their own key
            return self._open_text(campaign.id, question_id, sealed)
        value = stored.get("v")
        if question is None or value is None:
            return "?"
        typed = tuple(map(str, value)) if isinstance(value, list) else value
        return display_answer(campaign.survey, question, typed, language, self.catalog)  # type: ignore[arg-type]

    def _open_text(self, campaign_id: str, question_id: str, sealed: str) -> str:
        participant, key = self.turn.participant, self.turn.data_key
        if participant is None or key is None:
            return "?"
        aad = field_aad(participant.participant_id, f"answer:{campaign_id}:{question_id}")
        try:
            return decrypt_field(key, base64.b64decode(sealed), aad)
        except DecryptionError:
            return "?"


def feedback_reference(event_id: str) -> str:
    """A short case reference a person can read out on the phone, the same on every replay."""
    digest = hashlib.sha256(f"sauti/feedback/{event_id}".encode()).digest()
    return "F-" + base64.b32encode(digest).decode()[:6]


def _spoken(campaign: Campaign, language: str) -> str:
    survey = campaign.survey
    return language if language in survey.languages else survey.default_language


def _pick_language(action: Answer, spoken: tuple[str, ...], names: Mapping[str, str]) -> str | None:
    """A language typed by code ("sw"), name ("kiswahili", "Français") or menu number."""
    if not isinstance(action.input, TextReply):
        return None
    typed = fold(action.input.text)
    for place, code in enumerate(spoken, start=1):
        if typed in {code, str(place), fold(names.get(code, code))}:
            return code
    return None


def _yes_or_no(action: Answer, language: str) -> bool | None:
    """A typed yes/no (any built-in language, or menu number 1/2) outside the survey."""
    if not isinstance(action.input, TextReply):
        return None
    typed = fold(action.input.text)
    if typed == "1":
        return True
    if typed == "2":
        return False
    intent = builtin_catalog().intent_of(typed, (language,))
    return {"yes": True, "no": False}.get(intent or "")


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _their_doing(event: InboundEvent) -> bool:
    return not isinstance(event.action, Reachability)


def _is_slash(action: Answer) -> bool:
    return isinstance(action.input, TextReply) and action.input.text.lstrip().startswith("/")


def _with_action(event: InboundEvent, command: Command) -> InboundEvent:
    return replace(event, action=command)
