"""Button payloads (`callback_data`, at most 64 bytes): what a tap on an inline button means.

    c|<question>|<option>   choose one option          t|<question>|<option>   tick / untick
    d|<question>            done (submit the ticks)    s|<question>            skip
    n|<question>            prefer not to answer       b|<question>            back
    m|<command>|<argument>  a menu button outside the survey

Question and option ids are short by design (20 characters at most), so a payload fits; one
that would not fit is left out and the participant types the option's number instead.
"""

from __future__ import annotations

from bot.conversation.inbound import COMMANDS, Action, Answer, Command
from dialogues.inbound import (
    ChoiceReply,
    Decline,
    GoBack,
    Skip,
    SubmitSelection,
    ToggleOption,
)

SEPARATOR = "|"
_SIMPLE: dict[str, type[SubmitSelection | Skip | Decline | GoBack]] = {
    "d": SubmitSelection,
    "s": Skip,
    "n": Decline,
    "b": GoBack,
}


def encode(kind: str, *parts: str) -> str:
    return SEPARATOR.join((kind, *parts))


def fits(payload: str, max_bytes: int) -> bool:
    return 1 <= len(payload.encode()) <= max_bytes


def decode(payload: str) -> Action | None:
    """The action a payload stands for; None for anything Sauti did not make (a client can
    send any callback data: a menu button names one of Sauti's commands, or it is none)."""
    kind, _, rest = payload.partition(SEPARATOR)
    if kind == "m":
        command, _, argument = rest.partition(SEPARATOR)
        return Command(command, argument) if command in COMMANDS else None
    if kind in _SIMPLE:
        return Answer(_SIMPLE[kind](rest)) if rest and SEPARATOR not in rest else None
    question, _, option = rest.partition(SEPARATOR)
    if not question or not option:
        return None
    if kind == "c":
        return Answer(ChoiceReply(question, (option,)))
    if kind == "t":
        return Answer(ToggleOption(question, option))
    return None
