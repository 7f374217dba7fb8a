"""What a message is, read before anything is loaded for it: a command, a menu pick or an
answer, and which campaign it is about (that decides which session the worker loads)."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.case_view import REOPEN
from bot.conversation.chat_commands import as_command
from bot.conversation.inbound import Answer, Command, InboundEvent, Join
from bot.conversation.menus import menu_pick
from bot.conversation.participants import ParticipantRecord, Stage
from bot.conversation.quick_exit import EXIT
from dialogues.inbound import TextReply


def normalise(
    event: InboundEvent, participant: ParticipantRecord | None, campaign_ids: tuple[str, ...]
) -> InboundEvent:
    """Typed commands, keywords and join codes become `Command`s before anything is loaded (a
    join code decides which campaign's session the worker needs). While a participant is
    writing feedback, only slash commands count: their message may well say "stop"."""
    action = event.action
    if not isinstance(action, Answer):
        return event
    command = as_command(action, campaign_ids) or menu_pick(
        action, participant, campaign_ids, event.channel
    )
    if command is None:
        return event
    writing = participant is not None and participant.stage.writing
    # The quick exit counts even inside their own words: leaving fast comes first. Asked why a
    # resolution did not satisfy them, "reopen <reference>" is what they were told to send.
    if writing and not _is_slash(action) and command.name not in (EXIT, *_reopening(participant)):
        return event
    return replace(event, action=command)


def campaign_of(event: InboundEvent, participant: ParticipantRecord | None) -> str | None:
    """The campaign an event is about: the one joined, or the participant's current one."""
    action = event.action
    if isinstance(action, Join):
        return action.campaign_id
    if isinstance(action, Command) and action.name == "start" and action.argument:
        return action.argument
    if participant is None:
        return None
    if participant.stage is Stage.RESUME and participant.topic and _answers_resume(action):
        return participant.topic  # "Start again?" after a join code sent while stopped
    return participant.campaign_id


def _answers_resume(action: object) -> bool:
    return isinstance(action, Answer) or (isinstance(action, Command) and action.name == "resume")


def _reopening(participant: ParticipantRecord | None) -> tuple[str, ...]:
    return (REOPEN,) if participant is not None and participant.stage is Stage.WHY else ()


def _is_slash(action: Answer) -> bool:
    return isinstance(action.input, TextReply) and action.input.text.lstrip().startswith("/")
