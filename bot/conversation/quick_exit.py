"""Quick exit: for someone whose phone is being watched, one word ("exit", "quitter", "خروج",
"toka"...) or one button ends the conversation at once.

- The survey is paused (as `stop` pauses it), without the engine's "paused" line.
- They get one neutral line ("OK.") that says nothing of surveys, companies or data.
- The chat is cleared where the platform allows it: on Telegram an entry of the outbox deletes
  the recent messages of both sides (bot.channels.telegram.history); the web chat link shows
  a neutral page (bot.channels.webchat.routes); WhatsApp cannot delete anything.
- They are *hidden* from the exit's time on (`hid` holds it): nothing is sent to them any
  more (replies queued before, decision notices, case answers), until they come back.

Messages are not ordered (WhatsApp webhooks, Telegram retries): anything they sent at or before
the exit that arrives after it is taken in and answered with nothing. Coming back is asking to
carry on: `start`, joining (or, on the web chat, the recovery code). Whatever else they write
later is not taken as an answer and shows nothing of the survey: it gets a neutral greeting that
tells how to carry on ("start"), and they stay hidden, since whoever writes may not be the
participant (a watcher typing "hi" must not turn the notices back on).

Two things need no coming back, so that nothing of the survey shows on a watched phone on the
way: `delete` (its confirmation, which names Sauti and not the survey, and the yes or no to it)
and `stop`. They are answered as usual while they stay hidden (`lets_out` marks those answers).
"""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.exchange import Exchange
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent, Join, Reachability
from bot.conversation.outgoing import Outgoing
from bot.conversation.participants import ParticipantRecord, Stage
from bot.conversation.turns import Turn
from dialogues import advance
from dialogues.inbound import Pause, TextReply
from dialogues.session import SessionStatus

EXIT = "exit"
# Commands answered while hidden, without coming back: they show nothing of the survey.
KEPT_WHILE_HIDDEN = frozenset({"delete", "stop"})


def quick_exit(exchange: Exchange, _: str = "") -> None:
    turn = exchange.turn
    participant = turn.participant
    channel = exchange.event.channel
    if participant is not None:
        campaign, session = exchange.context.campaign, exchange.context.session
        if campaign is not None and session is not None and session.status is SessionStatus.ACTIVE:
            # Only the session: the engine's "paused, send resume" line must not be sent.
            step = advance(campaign.survey, session, Pause(), exchange.now)
            turn.campaign_id, turn.session = campaign.id, step.session
        # At least 1 ms: 0 means not hidden.
        left_ms = max(exchange.event.received_at_ms, 1)
        turn.update(participant, hidden_ms=left_ms, stage=Stage.NONE, topic="")
        if channel is Channel.TELEGRAM:
            clearing = Outgoing("", quick_exit=True, clear_chat=True, clear_until_ms=left_ms)
            turn.notices.append(clearing)
    if channel is not Channel.WEBCHAT:  # the web chat page leaves for a neutral page instead
        turn.notices.append(Outgoing(exchange.label("exit.done"), quick_exit=True))


def comes_back(exchange: Exchange) -> bool:
    """An event from a hidden participant. True when it is fully answered here: sent at or
    before the exit (nothing at all), or anything but carrying on (the neutral greeting alone,
    still hidden). `start` or a join un-hides them and goes on (False)."""
    participant = exchange.turn.participant
    event = exchange.event
    if participant is None or not participant.hidden or not _their_words(event):
        return False
    if event.received_at_ms <= participant.hidden_ms:
        exchange.turn.inbound_ms = None  # written before they left: nothing to answer
        return True
    if _carries_on(event):
        exchange.turn.update(participant, hidden_ms=0)
        exchange.turn.came_back = True
        return False  # "start" or a join: they asked to go on, and go on
    if _kept_while_hidden(participant, event):
        return False  # answered as usual; they stay hidden (`lets_out`)
    # Goes out although they stay hidden: it names nothing and tells how to carry on.
    text = exchange.catalog.message("exit.back", exchange.language, start=exchange.quote("start"))
    exchange.turn.notices.append(Outgoing(text, quick_exit=True))
    return True


def lets_out(turn: Turn) -> None:
    """After a turn taken while they stay hidden (`delete`, `stop`, another exit): its answers
    go out although they are hidden. Only notices: none of these turns shows the survey."""
    turn.notices[:] = [replace(message, quick_exit=True) for message in turn.notices]


def _kept_while_hidden(participant: ParticipantRecord, event: InboundEvent) -> bool:
    action = event.action
    if isinstance(action, Command):
        return action.name in KEPT_WHILE_HIDDEN
    # A typed yes or no to the delete confirmation asked while hidden. A survey button or
    # form (a question id) would cancel it and be taken as an answer: not while hidden.
    reply = action.input if isinstance(action, Answer) else None
    return (
        participant.stage is Stage.DELETE
        and isinstance(reply, TextReply)
        and reply.question_id is None
    )


def _their_words(event: InboundEvent) -> bool:
    """Their own doing, other than another quick exit."""
    action = event.action
    if isinstance(action, Reachability):
        return False
    return not (isinstance(action, Command) and action.name == EXIT)


def _carries_on(event: InboundEvent) -> bool:
    action = event.action
    return isinstance(action, Join) or (isinstance(action, Command) and action.name == "start")
