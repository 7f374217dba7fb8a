"""A message that says someone may be in danger (a threat, violence, self-harm, someone
watching their phone): a person on the team sees it first. It becomes a case marked `safety`
(first on the grievance desk) with the campaign's safety alert raised, and the participant is
told it was passed on, how to reach help, and how to clear the chat."""

from __future__ import annotations

from bot.conversation.exchange import Exchange
from bot.conversation.feedback import answer_due_ms, feedback_reference
from bot.conversation.inbound import Answer
from bot.conversation.turns import Feedback
from dialogues.inbound import TextReply


def flag(exchange: Exchange, action: Answer) -> None:
    """Flag the typed message of `action` for a person on the team."""
    if not isinstance(action.input, TextReply):
        return
    exchange.participant()  # someone new gets a record: the case needs their key
    campaign = exchange.context.campaign
    reference = feedback_reference(exchange.event.event_id)
    exchange.turn.flagged = Feedback(
        reference,
        campaign.id if campaign is not None else None,
        action.input.text.strip(),
        answer_due_ms(exchange),
        campaign.org if campaign is not None else "",
    )
    exchange.say("safety.flagged", reference=reference, exit=exchange.quote("exit"))
