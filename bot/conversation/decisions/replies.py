"""What participants say back to a decision notice, and the decisions "my data" lists.

Called by `bot.conversation` for the `react` command (the buttons under a notice) and
for the message that follows "still concerned". Pure: the turn records what the commit writes.
"""

from __future__ import annotations

import base64
import hashlib

from bot.conversation.decisions.reaction import (
    CONCERN,
    CONCERNS,
    HELPFUL,
    MORE,
    REACTIONS,
    Reaction,
)
from bot.conversation.decisions.texts import more_text, say, status_name
from bot.conversation.decisions.view import DecisionInContext, LoopView
from bot.conversation.participants import ParticipantRecord, Stage
from bot.conversation.turns import Turn


def react(
    turn: Turn, participant: ParticipantRecord, argument: str, view: LoopView | None, language: str
) -> None:
    """A press on "helpful", "still concerned" or "tell me more" under a notice."""
    kind, _, ref = argument.partition(":")
    known = view.by_ref.get(ref) if view is not None else None
    if kind not in REACTIONS or known is None:
        turn.notice(say("loop.more.unknown", language))
        return
    turn.reaction = Reaction(ref, kind, campaign_id=known.decision.campaign_id)
    if kind != CONCERNS and participant.stage is Stage.CONCERN:
        turn.update(participant, stage=Stage.NONE, topic="")  # another button: not writing
    if kind == HELPFUL:
        turn.notice(say("loop.react.thanks", language))
    elif kind == MORE:
        turn.notice(more_text(known.decision, known.survey, language))
    elif kind == CONCERNS:
        turn.update(participant, stage=Stage.CONCERN, topic=ref)
        turn.notice(say("loop.concern.ask", language, organisation=_organisation(known, language)))


def concern_written(
    turn: Turn,
    participant: ParticipantRecord,
    text: str,
    *,
    event_id: str,
    view: LoopView | None,
    language: str,
    due_ms: int,
) -> None:
    """The message after "still concerned": kept for the company, linked to the decision and
    promised an answer by `due_ms`."""
    ref = participant.topic
    known = view.by_ref.get(ref) if view is not None else None
    turn.update(participant, stage=Stage.NONE, topic="")
    if known is None:
        turn.notice(say("loop.more.unknown", language))
        return
    reference = concern_reference(event_id)
    turn.reaction = Reaction(
        ref,
        CONCERN,
        reference,
        text.strip(),
        campaign_id=known.decision.campaign_id,
        due_ms=due_ms,
        org=known.org,
    )
    turn.notice(
        say(
            "loop.concern.received",
            language,
            organisation=_organisation(known, language),
            reference=reference,
        )
    )


def decision_lines(view: LoopView | None, language: str) -> list[str]:
    """For "my data": each decision linked to their answers, or nothing."""
    if view is None or not view.linked:
        return []
    items = [
        say(
            "loop.mydata.item",
            language,
            title=known.survey.text(known.decision.title, language),
            organisation=_organisation(known, language),
            status=status_name(known.decision.status, language),
        )
        for known in view.linked
    ]
    return ["\n".join([say("loop.mydata.header", language), *items])]


def concern_reference(event_id: str) -> str:
    """A case reference a person can read out on the phone, the same on every replay."""
    digest = hashlib.sha256(f"sauti/concern/{event_id}".encode()).digest()
    return "C-" + base64.b32encode(digest).decode()[:6]


def _organisation(known: DecisionInContext, language: str) -> str:
    return known.survey.text(known.survey.organisation, language)
