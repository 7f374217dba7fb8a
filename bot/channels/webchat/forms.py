"""What a web chat form posted: an answer to the survey, or a press on a menu button.

The page's forms (templates/chat.html) post plain fields: `text`, `choice`, `pick` with
`action=submit`, `action=back|skip|decline`, `language`, each with the question `q` they answer;
a menu button under a notice posts `cmd` = "<command> <argument>". Anything a form of ours
could not have posted means nothing (None): no event is stored for it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.conversation.inbound import COMMANDS, Answer, Command
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    Decline,
    GoBack,
    Inbound,
    Skip,
    TextReply,
)

_MAX_TEXT = 4000
# The longest argument a menu button carries is a campaign id (32 characters); as on Telegram
# (64 bytes of button data), anything longer is no button of ours.
_MAX_ARGUMENT = 64


async def read_form(request: web.Request) -> MultiDictProxy[Any]:
    """The posted form, or 400 for a body that is none: multipart without its boundary, bytes
    not in the declared charset, a charset that does not exist (anyone can post anything)."""
    try:
        return await request.post()
    except (ValueError, LookupError) as error:  # UnicodeDecodeError is a ValueError
        raise web.HTTPBadRequest(text="unreadable form") from error


def action_from(form: Any) -> Answer | Command | None:
    if "cmd" in form:
        return _pressed(str(form["cmd"]))
    inbound = _inbound_from(form)
    return Answer(inbound) if inbound is not None else None


def _pressed(button: str) -> Command | None:
    """A menu button's "<command> <argument>": one of Sauti's commands, with an argument no
    longer than a menu ever holds; None for anything else."""
    name, _, argument = button.partition(" ")
    if name not in COMMANDS or len(argument) > _MAX_ARGUMENT:
        return None
    return Command(name, argument)


def _inbound_from(form: Any) -> Inbound | None:
    question = str(form.get("q", "")) or None
    action = str(form.get("action", ""))
    if "language" in form:
        return ChangeLanguage(str(form["language"]))
    if action == "back":
        return GoBack(question)
    if action == "skip":
        return Skip(question)
    if action == "decline":
        return Decline(question)
    if action == "submit":
        return ChoiceReply(question, tuple(str(v) for v in form.getall("pick", [])))
    if "choice" in form:
        return ChoiceReply(question, (str(form["choice"]),))
    text = str(form.get("text", "")).strip()
    return TextReply(text[:_MAX_TEXT], question) if text else None
