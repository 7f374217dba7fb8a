"""Joining a campaign, or coming back to it, and the language it is spoken in.

A deep link, a join code or `/start`: the language (when they have not chosen one and the
survey speaks several), then consent (`consent`), then the survey. The web chat asks language
and consent on its join page and sends a `Join`. The language can be changed any time.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.conversation.campaign import Campaign
from bot.conversation.consent import ask_consent, asks_first, record
from bot.conversation.consents import Consent, current_version, is_current
from bot.conversation.exchange import Exchange, spoken
from bot.conversation.inbound import Answer, Join
from bot.conversation.menus import offer_campaigns
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord, Stage
from bot.conversation.turns import answer, begin_survey, closed, new_participant
from dialogues import Session
from dialogues.inbound import ChangeLanguage, TextReply
from dialogues.normalize import ascii_digits, fold
from dialogues.session import SessionStatus


def join(exchange: Exchange, request: Join) -> None:
    """The web chat's join: the language was chosen on the join page, under the data notice;
    its start button is the yes to taking part, its tick boxes the other consents. The yes is
    to the notice the page showed: if that is not the one in force when the join is taken (it
    changed meanwhile, or the page was from before it said which), nothing is recorded and
    the chat asks with the notice in force."""
    turn = exchange.turn
    if turn.participant is None:
        new_participant(turn, exchange.event, request.language, exchange.crypto)
        turn.reply_address = None
    campaign = exchange.context.campaign
    if campaign is None or not campaign.is_open:
        turn.notice(closed(request.language))
        return
    taking_part = exchange.participant().consent(Consent.TAKE_PART, campaign.id)
    if not is_current(taking_part, Consent.TAKE_PART, campaign):
        shown = request.version
        if shown is not None and shown != current_version(Consent.TAKE_PART, campaign):
            participant = exchange.turn.update(
                exchange.participant(), campaign_id=campaign.id, language=request.language
            )
            ask_consent(exchange, campaign)
            return
        # Tapping start twice sends the same choices: only the first join records them.
        record(exchange, Consent.TAKE_PART, True)
        for kind, agreed in (
            (Consent.OUTCOMES, request.updates),
            (Consent.QUOTE, request.quote),
            (Consent.CONTACT, request.contact),
        ):
            if agreed is not None:
                record(exchange, kind, agreed)
    participant = exchange.participant()
    begin_survey(
        turn,
        participant,
        campaign,
        session=exchange.context.session,
        language=request.language,
        now=exchange.now,
    )


def start(exchange: Exchange, code: str) -> None:
    participant = exchange.participant()
    campaign, session = exchange.context.campaign, exchange.context.session
    if not code:
        in_progress = session is not None and session.status is not SessionStatus.COMPLETED
        if campaign is not None and campaign.is_open and session is not None and in_progress:
            _carry_on(exchange, participant, campaign, session)
        else:
            offer_campaigns(exchange)
        return
    if campaign is None or not campaign.is_open:
        exchange.turn.notice(closed(exchange.language))
        return
    if session is not None:  # back to a campaign already started
        _carry_on(exchange, participant, campaign, session)
        return
    if not participant.language_chosen and len(campaign.survey.languages) > 1:
        language = exchange.hinted_language() if exchange.event.locale else participant.language
        participant = exchange.turn.update(
            participant, campaign_id=campaign.id, stage=Stage.LANGUAGE, language=language
        )
        ask_language(exchange)
        return
    language = spoken(campaign, participant.language)
    exchange.turn.update(participant, campaign_id=campaign.id, language=language)
    ask_consent(exchange, campaign)


def _carry_on(
    exchange: Exchange, participant: ParticipantRecord, campaign: Campaign, session: Session
) -> None:
    if asks_first(exchange):  # a consent missing or given to an older text
        return
    begin_survey(
        exchange.turn,
        participant,
        campaign,
        session=session,
        language=session.language,
        now=exchange.now,
    )


def choose_language(exchange: Exchange, code: str) -> None:
    participant = exchange.participant()
    campaign, session = exchange.context.campaign, exchange.context.session
    if code not in _languages(exchange):
        ask_language(exchange)
        return
    joining = _being_joined(exchange)
    if joining is not None:
        exchange.turn.update(participant, language=code, language_chosen=True, stage=Stage.CONSENT)
        ask_consent(exchange, joining)
        return
    if participant.stage is not Stage.NONE:  # the language menu answered, or another left
        participant = exchange.turn.update(participant, stage=Stage.NONE)
    if campaign is not None and session is not None:
        exchange.turn.update(participant, language_chosen=True)
        answer(exchange.turn, Answer(ChangeLanguage(code)), exchange.context, exchange.now)
        return
    exchange.turn.update(participant, language=code, language_chosen=True)
    exchange.say("notice.language_changed", language=exchange.catalog.language_name(code))


def _being_joined(exchange: Exchange) -> Campaign | None:
    """The campaign whose language is being chosen to join it: `start` set it and the language
    stage, and it has no session yet. None: the language menu is a change of language."""
    participant, campaign = exchange.turn.participant, exchange.context.campaign
    if participant is None or participant.stage is not Stage.LANGUAGE:
        return None
    return campaign if exchange.context.session is None else None


def _languages(exchange: Exchange) -> tuple[str, ...]:
    campaign = exchange.context.campaign
    if campaign is not None:
        return tuple(campaign.survey.languages)
    return tuple(exchange.catalog.language_names)


def ask_language(exchange: Exchange) -> None:
    """The language menu: a button, or the language's name, code or number typed, picks one
    (`language_reply`), at joining as at any other time."""
    participant = exchange.participant()
    if participant.stage is not Stage.LANGUAGE:
        exchange.turn.update(participant, stage=Stage.LANGUAGE)
    current = exchange.language
    menu = tuple(
        MenuItem(
            ("✓ " if code == current else "") + exchange.catalog.language_name(code),
            "language",
            code,
        )
        for code in _languages(exchange)
    )
    exchange.say("join.choose_language", menu)


def language_reply(exchange: Exchange, action: Answer) -> bool:
    """What they said after the language menu. At joining anything that is no language gets
    the menu again; at any other time it is not taken (False): the survey has it, as after
    the help menu."""
    chosen = _pick_language(action, _languages(exchange), exchange.catalog.language_names)
    if chosen is not None:
        choose_language(exchange, chosen)
        return True
    if _being_joined(exchange) is not None:
        ask_language(exchange)
        return True
    return False


def _pick_language(action: Answer, spoken: tuple[str, ...], names: Mapping[str, str]) -> str | None:
    """A language typed by code ("sw"), name ("kiswahili", "Français") or menu number, or
    picked on the web chat page's own row of languages."""
    if isinstance(action.input, ChangeLanguage):
        return action.input.language if action.input.language in spoken else None
    if not isinstance(action.input, TextReply):
        return None
    typed = fold(ascii_digits(action.input.text))  # "৪" or "٤" is the menu's 4th language too
    for place, code in enumerate(spoken, start=1):
        if typed in {code, str(place), fold(names.get(code, code))}:
            return code
    return None
