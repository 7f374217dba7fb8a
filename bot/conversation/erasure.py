"""Deleting everything Sauti holds about a participant: asked first, then one confirmed erasure
(the commit runs it: `bot.runtime.commit.erase_commands`), with a goodbye that still finds
them although their record, and the address in it, is gone.

Only a clear yes erases: the confirmation's own button, or a yes typed in reply to it. A press
on a survey question's button or form while the confirmation waits (its own "Yes" looks much
like "Yes, delete all"), a text typed in a question's own box included (the web chat's form
names its question: "1" there is an answer, not a yes), means they went back to the survey:
nothing is deleted, they are told so, and the press is taken as their answer. Anything else
typed gets the question again, with a line saying which button does what."""

from __future__ import annotations

from bot.conversation.exchange import Exchange, yes_or_no
from bot.conversation.inbound import Answer, Channel
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord, Stage, stored_address
from bot.privacy import DecryptionError
from dialogues import SessionStatus
from dialogues.inbound import TextReply


def delete(exchange: Exchange, argument: str) -> None:
    turn = exchange.turn
    participant = turn.participant
    if argument == "confirm":
        turn.erase = participant is not None
        if participant is not None:
            turn.reply_address = exchange.event.address or _stored_address(exchange, participant)
        exchange.say("delete.done")
        return
    if participant is None:
        exchange.say("delete.done")  # nothing is held about them
        return
    if argument == "cancel":
        turn.update(participant, stage=Stage.NONE)
        exchange.say("delete.cancelled")
        return
    turn.update(participant, stage=Stage.DELETE)
    menu = (
        MenuItem(exchange.label("button.delete_yes"), "delete", "confirm"),
        MenuItem(exchange.label("button.delete_no"), "delete", "cancel"),
    )
    exchange.say("delete.confirm", menu)


def _stored_address(exchange: Exchange, participant: ParticipantRecord) -> str | None:
    if exchange.turn.data_key is None:
        return None
    try:
        return stored_address(participant, exchange.turn.data_key)
    except DecryptionError:
        return None


def delete_reply(exchange: Exchange, action: Answer) -> bool:
    """The reply to "delete everything?"; False (the confirmation cancelled) hands a survey
    answer on to the survey."""
    reply = action.input
    if not isinstance(reply, TextReply) or reply.question_id is not None:  # the survey's own
        exchange.turn.update(exchange.participant(), stage=Stage.NONE)
        exchange.say(
            "delete.cancelled_by_answer" if _answers_a_question(exchange) else "delete.cancelled"
        )
        return False
    choice = yes_or_no(action, exchange.language)
    if choice is None:
        # The confirmation's buttons as this channel names them (the web chat's is explicit).
        confirm = (
            "web.delete_yes" if exchange.event.channel is Channel.WEBCHAT else "button.delete_yes"
        )
        exchange.say(
            "delete.unclear",
            yes=exchange.label(confirm),
            no=exchange.label("button.delete_no"),
        )
        delete(exchange, "")
    else:
        delete(exchange, "confirm" if choice else "cancel")
    return True


def _answers_a_question(exchange: Exchange) -> bool:
    """Whether a question of the survey waits for the press to answer it: only then are they
    told it was taken as their answer (not with the survey paused, done or never begun)."""
    session = exchange.context.session
    if session is None:
        return False
    return session.status is SessionStatus.ACTIVE and session.current is not None
