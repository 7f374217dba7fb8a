"""Recognising commands in what people type, the same on every channel.

"/help", "/start safe-connect-2026", a keyword in any built-in language ("msaada", "my data"),
or a campaign's join code typed alone (what a WhatsApp click-to-chat link sends) become a
`Command` before the survey sees the text. Only a whole message counts: "help me understand
question 3" stays an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.conversation.inbound import COMMANDS, Answer, Command
from dialogues.inbound import TextReply
from dialogues.localization import builtin_catalog
from dialogues.normalize import fold

# Words that put a join code after them: "join safe-connect-2026", "/start safe-connect-2026".
_JOIN_WORDS = frozenset({"start", "join", "/start", "/join"})
# Slash commands that take what follows them: "/feedback the tower is far", "/time 14:30",
# "/updates no".
_WITH_ARGUMENT = frozenset(
    {
        "start",
        "feedback",
        "language",
        "time",
        "updates",
        "shared",
        "consent",
        "resume",
        "reopen",
        "satisfied",
    }
)
# A case reference typed after a keyword: "reopen F-ABC123", "fungua tena F-ABC123".
_CASE_REFERENCE = re.compile(r"^[FC]-[A-Z2-7]{6}$", re.IGNORECASE)


def keyword(command: str, language: str) -> str:
    """The word to quote for a command in `language` ('Send "msaada"')."""
    return builtin_catalog().command_word(command, language)


def recognise(text: str, campaign_ids: Iterable[str]) -> Command | None:
    """The command a whole message is, or None when it is an ordinary answer."""
    stripped = text.strip()
    if not stripped:
        return None
    head, _, rest = stripped.partition(" ")
    argument = rest.strip()
    codes = {code.casefold(): code for code in campaign_ids}
    if head.startswith("/"):
        name = head[1:].split("@", 1)[0].casefold()  # "/start@SautiBot" in a group
        if name == "start" and argument.casefold() in codes:
            return Command("start", codes[argument.casefold()])
        if name in COMMANDS:
            return Command(name, argument if name in _WITH_ARGUMENT else "")
        return None
    if stripped.casefold() in codes:
        return Command("start", codes[stripped.casefold()])
    if head.casefold() in _JOIN_WORDS and argument.casefold() in codes:
        return Command("start", codes[argument.casefold()])
    command = builtin_catalog().command_of(fold(stripped))
    if command is not None:
        return Command(command)
    words, _, last = stripped.rpartition(" ")
    if _CASE_REFERENCE.match(last) and builtin_catalog().command_of(fold(words)) == "reopen":
        return Command("reopen", last.upper())
    return None


def as_command(action: Answer, campaign_ids: Iterable[str]) -> Command | None:
    """`recognise` for a typed answer; button presses are never commands."""
    if isinstance(action.input, TextReply):
        return recognise(action.input.text, campaign_ids)
    return None
