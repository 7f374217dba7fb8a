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
"""

from __future__ import annotations

from bot.conversation.exchange import Exchange
from bot.conversation.inbound import Channel, Command, InboundEvent, Join, Reachability
from bot.conversation.outgoing import Outgoing
from bot.conversation.participants import Stage
from dialogues import advance
from dialogues.inbound import Pause
from dialogues.session import SessionStatus

EXIT = "exit"


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
        return False  # "start" or a join: they asked to go on, and go on
    # Goes out although they stay hidden: it names nothing and tells how to carry on.
    text = exchange.catalog.message("exit.back", exchange.language, start=exchange.quote("start"))
    exchange.turn.notices.append(Outgoing(text, quick_exit=True))
    return True


def _their_words(event: InboundEvent) -> bool:
    """Their own doing, other than another quick exit."""
    action = event.action
    if isinstance(action, Reachability):
        return False
    return not (isinstance(action, Command) and action.name == EXIT)


def _carries_on(event: InboundEvent) -> bool:
    action = event.action
    return isinstance(action, Join) or (isinstance(action, Command) and action.name == "start")
