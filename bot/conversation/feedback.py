"""What participants write to the company outside the survey: feedback (`/feedback`), and the
buttons under a decision notice with the concern that may follow them
(`bot.conversation.decisions.replies`).
Each written message becomes a case with a reference and a promised answer time."""

from __future__ import annotations

import base64
import hashlib

from bot.conversation.decisions.replies import concern_written, react
from bot.conversation.exchange import Exchange
from bot.conversation.inbound import Answer
from bot.conversation.participants import Stage
from bot.conversation.turns import DAY_MS, Feedback
from dialogues.inbound import TextReply


def feedback(exchange: Exchange, text: str) -> None:
    participant = exchange.participant()
    if not text.strip():
        exchange.turn.update(participant, stage=Stage.FEEDBACK)
        exchange.say("feedback.ask", organisation=organisation_name(exchange))
        return
    reference = feedback_reference(exchange.event.event_id)
    campaign = exchange.context.campaign
    campaign_id = campaign.id if campaign else None
    due_ms = answer_due_ms(exchange)
    org = campaign.org if campaign else ""
    exchange.turn.feedback = Feedback(reference, campaign_id, text.strip(), due_ms, org)
    exchange.turn.update(participant, stage=Stage.NONE)
    exchange.say("feedback.received", reference=reference, days=exchange.context.response_days)


def feedback_reply(exchange: Exchange, action: Answer) -> None:
    if isinstance(action.input, TextReply) and action.input.text.strip():
        feedback(exchange, action.input.text)
    else:
        feedback(exchange, "")


def react_to_decision(exchange: Exchange, argument: str) -> None:
    """A button under a decision notice (bot.conversation.decisions.replies)."""
    context = exchange.context
    react(exchange.turn, exchange.participant(), argument, context.loop, exchange.language)


def concern_reply(exchange: Exchange, action: Answer) -> None:
    participant = exchange.participant()
    if isinstance(action.input, TextReply) and action.input.text.strip():
        text, view = action.input.text, exchange.context.loop
        event_id = exchange.event.event_id
        concern_written(
            exchange.turn,
            participant,
            text,
            event_id=event_id,
            view=view,
            language=exchange.language,
            due_ms=answer_due_ms(exchange),
        )
    else:
        react(
            exchange.turn,
            participant,
            f"concerns:{participant.topic}",
            exchange.context.loop,
            exchange.language,
        )


def answer_due_ms(exchange: Exchange) -> int:
    """When a case raised now is promised an answer (what the participant is told)."""
    return int(exchange.now.timestamp() * 1000) + exchange.context.response_days * DAY_MS


def organisation_name(exchange: Exchange) -> str:
    """Who they write to, in their language: the campaign's organisation, or the team."""
    campaign = exchange.context.campaign
    if campaign is None:
        return exchange.label("feedback.team")
    return campaign.survey.text(campaign.survey.organisation, exchange.language)


def feedback_reference(event_id: str) -> str:
    """A short case reference a person can read out on the phone, the same on every replay."""
    digest = hashlib.sha256(f"sauti/feedback/{event_id}".encode()).digest()
    return "F-" + base64.b32encode(digest).decode()[:6]
