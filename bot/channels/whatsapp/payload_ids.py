"""What a tap on one of our buttons or list rows means, packed into its id and read back.

Reply button ids may hold 256 characters and list row ids 200; question and option ids are
short by design, so a payload is `<kind>:<question>:<option>` in plain ASCII. A payload we do
not recognise (an old format, a hand-made message) comes back as None and the adapter falls
back to the button's visible title, which the engine reads like typed text.
"""

from __future__ import annotations

from bot.conversation.inbound import COMMANDS, Action, Answer, Command
from bot.conversation.outgoing import MenuItem
from dialogues.inbound import ChoiceReply, Decline, GoBack, Resume, Skip, SubmitSelection

_SEP = ":"
# One letter per kind keeps ids short; never reuse a letter for another meaning: a participant
# may tap a button of a message sent by an older Sauti.
_CHOICE, _SKIP, _DECLINE, _BACK, _SUBMIT, _COMMAND = "a", "s", "d", "b", "f", "c"
RESUME = "resume"  # the quick-reply payload of the "continue" template's button


def choice(question_id: str, option_id: str) -> str:
    return _SEP.join((_CHOICE, question_id, option_id))


def skip(question_id: str) -> str:
    return _SEP.join((_SKIP, question_id))


def decline(question_id: str) -> str:
    return _SEP.join((_DECLINE, question_id))


def command(name: str, argument: str) -> str:
    return _SEP.join((_COMMAND, name, argument))


def menu_item(item: MenuItem) -> str:
    """The id of a menu button."""
    return command(item.command, item.argument)


def action_of(payload: str) -> Action | None:
    """The action a button or row id stands for, or None when it is none of ours."""
    if payload == RESUME:
        return Answer(Resume())
    kind, _, rest = payload.partition(_SEP)
    if not rest:
        return None
    if kind == _CHOICE:
        question, _, option = rest.partition(_SEP)
        return Answer(ChoiceReply(question, (option,))) if question and option else None
    if kind == _COMMAND:
        name, _, argument = rest.partition(_SEP)
        return Command(name, argument) if name in COMMANDS else None
    simple = _SIMPLE.get(kind)
    return Answer(simple(rest)) if simple is not None else None


_SIMPLE: dict[str, type[Skip | Decline | GoBack | SubmitSelection]] = {
    _SKIP: Skip,
    _DECLINE: Decline,
    _BACK: GoBack,
    _SUBMIT: SubmitSelection,
}
