"""A participant's own grievance cases, from the chat: "my cases" (each open or recently
resolved case's reference, status and the desk's last message), their answer to "are you
satisfied?" after a resolution (a button, or a typed yes or no) and, after a no, what is still
wrong in their words, and "reopen <reference>" within SAUTI_CASE_REOPEN_DAYS of the resolution.
"My data" lists their cases too.

The worker loads their cases (`Context.cases`) only for the events that need them; what they
answer goes into the turn (`Turn.case_answer`) for the commit to record on the case.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.conversation.case_view import (
    REOPEN,
    SATISFIED,
    UNSATISFIED,
    WHY,
    CaseAnswer,
    CaseStatus,
    CaseSummary,
    desk_message_aad,
)
from bot.conversation.exchange import Exchange, yes_or_no
from bot.conversation.feedback import organisation_name
from bot.conversation.inbound import Answer
from bot.conversation.participants import Stage
from bot.conversation.turns import DAY_MS
from bot.privacy import DecryptionError, decrypt_field
from dialogues.inbound import TextReply

CASES, SATISFACTION = "cases", "satisfied"  # the Command names (and REOPEN, "reopen")
# Commands whose turn needs the participant's cases loaded.
NEEDS_CASES = frozenset({CASES, REOPEN, SATISFACTION, "mydata"})
REFERENCE = re.compile(r"^[FC]-[A-Z2-7]{6}$")  # F-… feedback, C-… a concern (base32)
_SHOWN = 5  # cases "my cases" shows: one chat message
_MESSAGE_CHARS = 300  # how much of the desk's last message it quotes
_WHY_CHARS = 2000  # how much of "what is still wrong" is kept (one chat message, or two)
# How long a typed yes or no answers "are you satisfied?" (the buttons work as long as the case
# stays resolved).
SATISFACTION_DAYS = 7


def my_cases(exchange: Exchange, _: str = "") -> None:
    """Their open and recently resolved cases, newest first."""
    exchange.participant()
    recent = [case for case in exchange.context.cases if _recent(exchange, case)][:_SHOWN]
    if not recent:
        exchange.say("cases.none", feedback=exchange.quote("feedback"))
        return
    lines = [exchange.label("cases.header"), *(case_line(exchange, case) for case in recent)]
    if any(_reopenable(exchange, case) for case in recent):
        lines.append(
            exchange.catalog.message(
                "cases.reopen_hint",
                exchange.language,
                reopen=exchange.quote(REOPEN),
                days=exchange.context.reopen_days,
            )
        )
    exchange.turn.notice("\n\n".join(lines))


def my_data_lines(exchange: Exchange) -> list[str]:
    """Their cases, for "my data" (nothing when they raised none)."""
    cases = exchange.context.cases
    if not cases:
        return []
    return [exchange.label("cases.header"), *(case_line(exchange, case) for case in cases)]


def case_line(exchange: Exchange, case: CaseSummary) -> str:
    day = dt.datetime.fromtimestamp(case.created_ms / 1000, dt.UTC).date().isoformat()
    line = exchange.catalog.message(
        "cases.line",
        exchange.language,
        reference=case.reference,
        date=day,
        status=exchange.label(f"cases.status.{case.status.value}"),
    )
    said = _desk_message(exchange, case)
    if said:
        last = exchange.catalog.message("cases.last_message", exchange.language, message=said)
        line += "\n" + last
    return line


def reopen(exchange: Exchange, argument: str) -> None:
    """ "reopen <reference>", or the button under a resolution: within the reopen time the
    case is open again, for the desk to answer anew; after it, how to raise it again."""
    exchange.participant()
    reference = argument.strip().upper()
    case = _theirs(exchange, reference)
    if case is None:
        _not_found(exchange, reference)
        return
    _leave_the_question(exchange)
    if case.status is not CaseStatus.RESOLVED:
        exchange.say("cases.still_open", reference=case.reference)
        return
    if not _reopenable(exchange, case):
        exchange.say(
            "cases.reopen_too_late",
            reference=case.reference,
            days=exchange.context.reopen_days,
            feedback=exchange.quote("feedback"),
        )
        return
    days = exchange.context.response_days
    due_ms = _now_ms(exchange) + days * DAY_MS
    exchange.turn.case_answer = CaseAnswer(case.reference, REOPEN, due_ms)
    exchange.say("cases.reopened", reference=case.reference, days=days)


def satisfied(exchange: Exchange, argument: str) -> None:
    """A button under a resolution: "yes:<reference>" or "no:<reference>"."""
    exchange.participant()
    answer, _, reference = argument.partition(":")
    case = _theirs(exchange, reference.strip().upper())
    if answer not in (SATISFIED, UNSATISFIED) or case is None:
        _not_found(exchange, reference.strip().upper())
        return
    _answered(exchange, case, answer == SATISFIED)


def satisfaction_reply(exchange: Exchange, action: Answer) -> bool:
    """A typed yes or no after a resolution asked "are you satisfied?"; anything else is not an
    answer to it, and goes on to the survey. Only the words count, not a menu's 1 or 2, and
    only while no survey question waits and the resolution is recent: a reply meant for the
    survey is never taken (and lost) as their verdict on a case."""
    participant = exchange.participant()
    case = _theirs(exchange, participant.topic)
    said = _typed_yes_or_no(action, exchange.language)
    if case is None or said is None or _survey_waits(exchange) or not _asked_lately(exchange, case):
        exchange.turn.update(participant, stage=Stage.NONE, topic="")
        return False
    _answered(exchange, case, said)
    return True


def _typed_yes_or_no(action: Answer, language: str) -> bool | None:
    """Yes or no in words: a survey's menus are answered with numbers."""
    if not isinstance(action.input, TextReply) or action.input.text.strip().isdigit():
        return None
    return yes_or_no(action, language)


def _survey_waits(exchange: Exchange) -> bool:
    session = exchange.context.session
    return exchange.context.campaign is not None and session is not None and bool(session.current)


def _asked_lately(exchange: Exchange, case: CaseSummary) -> bool:
    """The question is a week old at most: a yes or no days later is about something else."""
    asked = case.resolved_ms
    return asked is not None and _now_ms(exchange) - asked <= SATISFACTION_DAYS * DAY_MS


def _answered(exchange: Exchange, case: CaseSummary, yes: bool) -> None:
    _leave_the_question(exchange)
    if case.status is not CaseStatus.RESOLVED:  # reopened since: the desk is on it again
        exchange.say("cases.still_open", reference=case.reference)
        return
    exchange.turn.case_answer = CaseAnswer(case.reference, SATISFIED if yes else UNSATISFIED)
    if yes:
        exchange.say("cases.thanks")
        return
    # Not satisfied: what is still wrong, in their words, is what the desk learns from.
    exchange.turn.update(exchange.participant(), stage=Stage.WHY, topic=case.reference)
    exchange.say("cases.why_ask", organisation=organisation_name(exchange))


def why_reply(exchange: Exchange, action: Answer) -> None:
    """Their message after "what is still wrong?": kept sealed on the case, for the desk."""
    participant = exchange.participant()
    reference = participant.topic
    exchange.turn.update(participant, stage=Stage.NONE, topic="")
    said = action.input.text.strip() if isinstance(action.input, TextReply) else ""
    if said and reference:
        exchange.turn.case_answer = CaseAnswer(reference, WHY, text=said[:_WHY_CHARS])
    case = _theirs(exchange, reference)
    if case is None or not _reopenable(exchange, case):
        exchange.say("cases.thanks")
        return
    exchange.say(
        "cases.thanks_unsatisfied",
        reopen=exchange.quote(REOPEN),
        reference=case.reference,
        days=exchange.context.reopen_days,
    )


def _leave_the_question(exchange: Exchange) -> None:
    participant = exchange.participant()
    if participant.stage in (Stage.SATISFACTION, Stage.WHY):
        exchange.turn.update(participant, stage=Stage.NONE, topic="")


def _theirs(exchange: Exchange, reference: str) -> CaseSummary | None:
    return next((c for c in exchange.context.cases if c.reference == reference), None)


def _not_found(exchange: Exchange, reference: str) -> None:
    if not reference:
        exchange.say("cases.reopen_which", reopen=exchange.quote(REOPEN))
        return
    exchange.say("cases.not_found", reference=reference[:20], cases=exchange.quote(CASES))


def _reopenable(exchange: Exchange, case: CaseSummary) -> bool:
    if case.status is not CaseStatus.RESOLVED or case.resolved_ms is None:
        return False
    return _now_ms(exchange) <= case.resolved_ms + exchange.context.reopen_days * DAY_MS


def _recent(exchange: Exchange, case: CaseSummary) -> bool:
    """Open, or resolved within the reopen time (escalated cases are still being handled)."""
    return case.status is not CaseStatus.RESOLVED or _reopenable(exchange, case)


def _desk_message(exchange: Exchange, case: CaseSummary) -> str:
    participant, key = exchange.turn.participant, exchange.turn.data_key
    if participant is None or key is None or case.desk_message is None:
        return ""
    aad = desk_message_aad(participant.participant_id, case.reference)
    try:
        said = " ".join(decrypt_field(key, case.desk_message, aad).split())
    except DecryptionError:
        return ""
    return said if len(said) <= _MESSAGE_CHARS else said[: _MESSAGE_CHARS - 1] + "…"


def _now_ms(exchange: Exchange) -> int:
    return int(exchange.now.timestamp() * 1000)
