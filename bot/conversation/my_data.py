"""`mydata`: what Sauti holds about a participant, as they can read it — the code number
instead of a name, language, news wanted, time zone, each campaign with its answers (their
own free text opened with their key) and the decisions linked to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.conversation.campaign import Campaign
from bot.conversation.consents import Consent, honoured
from bot.conversation.decisions.replies import decision_lines
from bot.conversation.exchange import Exchange
from bot.conversation.local_time import my_data_zone_line
from bot.conversation.my_cases import my_data_lines
from bot.conversation.my_consents import consent_lines, consent_menu
from bot.conversation.participants import Stage
from bot.conversation.stored_answers import StoredAnswer, read_answers
from bot.privacy import DecryptionError, decrypt_field, field_aad
from dialogues import Session
from dialogues.events import AnswerOutcome
from dialogues.prompts import display_answer
from dialogues.session import SessionStatus

_MYDATA_ANSWER_CHARS = 80  # keep "my data" within one chat message
_CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "webchat": "web chat"}


def my_data(exchange: Exchange, _: str = "") -> None:
    participant = exchange.participant()
    language = exchange.language
    campaign = exchange.context.campaign
    wanted = campaign is not None and honoured(
        participant.consent(Consent.OUTCOMES, campaign.id), Consent.OUTCOMES, campaign
    )  # what the loop acts on, not the last answer: an outdated yes tells nothing
    lines = [
        exchange.catalog.message(
            "mydata.header",
            language,
            channel=_CHANNEL_NAMES.get(participant.channel, participant.channel),
            language=exchange.catalog.language_name(language),
            updates=exchange.label("option.yes" if wanted else "option.no"),
        )
        + "\n"
        + my_data_zone_line(participant, language, exchange.catalog, command=exchange.quote("time"))
        + "\n"
        + _shared_line(exchange, participant.shared_phone, language)
    ]
    history = exchange.context.history
    if not history:
        lines.append(exchange.label("mydata.nothing"))
    for campaign_id, (joined, session, answers) in sorted(history.items()):
        lines += _campaign_lines(exchange, campaign_id, joined, session, answers)
    lines += decision_lines(exchange.context.loop, language) or [
        exchange.label("mydata.no_decisions")
    ]
    lines += my_data_lines(exchange)
    lines.append(consent_lines(exchange, participant, campaign))
    # While a consent question of a join waits, it keeps waiting: no menu to take its answer.
    joining = participant.stage is Stage.CONSENT
    menu = () if joining else consent_menu(exchange, participant, campaign)
    if menu and _question_waits(exchange):
        # A number typed next answers the survey question, as it did before "my data": only
        # the buttons change a consent.
        lines.append(exchange.label("mydata.change_consent_tap"))
    elif menu:
        exchange.turn.update(participant, stage=Stage.MYDATA_MENU)
        lines.append(exchange.label("mydata.change_consent"))
    exchange.turn.notice("\n\n".join(lines), menu)


def _question_waits(exchange: Exchange) -> bool:
    """A survey question waits for their answer (not while stopped: nothing is taken then)."""
    campaign, session = exchange.context.campaign, exchange.context.session
    return (
        campaign is not None
        and campaign.is_open
        and session is not None
        and session.status is SessionStatus.ACTIVE
        and not exchange.participant().opted_out
    )


def _campaign_lines(
    exchange: Exchange,
    campaign_id: str,
    campaign: Campaign | None,
    session: Session | None,
    answers: Mapping[bytes, bytes],
) -> list[str]:
    language = exchange.language
    stored = read_answers(answers)
    completed = session is not None and session.status is SessionStatus.COMPLETED
    status = exchange.label("mydata.completed" if completed else "mydata.in_progress")
    if campaign is None:
        return [f"{campaign_id}: {status}"]
    survey = campaign.survey
    header = exchange.catalog.message(
        "mydata.campaign",
        language,
        title=survey.text(survey.title, language),
        organisation=survey.text(survey.organisation, language),
        count=len(stored),
        status=status,
    )
    details = []
    for question in survey.questions:
        answer = stored.get(question.id)
        if answer is None:
            continue
        shown = _shown_answer(exchange, campaign, question.id, answer)
        asked = _shorten(survey.text(question.text, language), _MYDATA_ANSWER_CHARS)
        details.append(f"• {asked}\n  → {_shorten(shown, _MYDATA_ANSWER_CHARS)}")
    kept = _kept_until(exchange, campaign)
    header = f"{header}\n{kept}" if kept else header
    return [header, "\n".join(details)] if details else [header]


def _kept_until(exchange: Exchange, campaign: Campaign) -> str:
    """Once the campaign closed: until when its answers are kept (retention), as a UTC date."""
    until = campaign.kept_until_ms
    if until is None:
        return ""
    date = dt.datetime.fromtimestamp(until / 1000, dt.UTC).date().isoformat()
    return exchange.catalog.message("mydata.kept_until", exchange.language, date=date)


def _shown_answer(
    exchange: Exchange, campaign: Campaign, question_id: str, stored: StoredAnswer
) -> str:
    outcome = AnswerOutcome(stored.outcome)
    if outcome is AnswerOutcome.SKIPPED:
        return exchange.label("answer.skipped")
    if outcome is AnswerOutcome.DECLINED:
        return exchange.label("answer.declined")
    question = campaign.survey.question(question_id)
    if stored.free_text:  # theirs to read, with their own key
        return _open_text(exchange, campaign.id, question_id, stored.sealed)
    if question is None or stored.value is None:
        return "?"
    return display_answer(
        campaign.survey, question, stored.value, exchange.language, exchange.catalog
    )


def _open_text(exchange: Exchange, campaign_id: str, question_id: str, sealed: bytes | None) -> str:
    participant, key = exchange.turn.participant, exchange.turn.data_key
    if participant is None or key is None or sealed is None:
        return "?"
    aad = field_aad(participant.participant_id, f"answer:{campaign_id}:{question_id}")
    try:
        return decrypt_field(key, sealed, aad)
    except DecryptionError:
        return "?"


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _shared_line(exchange: Exchange, chosen: bool, language: str) -> str:
    """Their shared-phone mode: on for the whole survey when its campaign asks it for everyone
    (they cannot turn it off), else their own choice."""
    campaign = exchange.context.campaign
    if campaign is not None and campaign.survey.shared_phones and not chosen:
        return exchange.catalog.message("mydata.shared_survey", language)
    return exchange.catalog.message(
        "mydata.shared",
        language,
        state=exchange.label("option.yes" if chosen else "option.no"),
        shared=exchange.quote("shared"),
    )
