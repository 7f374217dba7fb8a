"""Linking rules: which responses informed a decision.

A rule is a condition over one participant's stored answers in the decision's campaign
(question/answer conditions, themes tagged on free-text answers) combined with all / any / not.
The same rule runs in two places that must agree: here in Python (the feeder, /mydata, tests)
and compiled to a small JSON program for the planner's Lua script, which evaluates a million
participants inside Redis (`bot/storage/lua/plan.lua`). A test checks that both agree.

Stored answers are read as `bot.conversation.stored_answers` encodes them (both the compact
format and the JSON written before). Skipped or declined answers satisfy no condition except
`answered: false`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.conversation.stored_answers import StoredAnswer, read_answers

THEME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
THEME_RULE = "theme (lower-case letters, digits, - or _, at most 40 characters)"


# -- the rule model ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerIn:
    """The answer is one of `options` (single choice, yes/no), or — multiple choice — at
    least one of them was selected (`every`: all of them were)."""

    question: str
    options: frozenset[str]
    every: bool = False


@dataclass(frozen=True, slots=True)
class NumberBetween:
    question: str
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Answered:
    question: str
    answered: bool = True


@dataclass(frozen=True, slots=True)
class Tagged:
    """A free-text answer (of `question`, or of any question) tagged with `theme`."""

    theme: str
    question: str | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Not:
    rule: Rule


Rule = AnswerIn | NumberBetween | Answered | Tagged | AllOf | AnyOf | Not


@dataclass(frozen=True, slots=True)
class Facts:
    """What a rule is evaluated on: one participant's answers and the themes tagged on them."""

    answers: Mapping[str, StoredAnswer]
    themes: Mapping[str, frozenset[str]]  # question id -> themes


def facts_from_stored(
    answers: Mapping[bytes, bytes], themes: Mapping[bytes, bytes] | None = None
) -> Facts:
    parsed = read_answers(answers)
    tags = {
        question.decode(): frozenset(t for t in value.decode().split(",") if t)
        for question, value in (themes or {}).items()
    }
    return Facts(parsed, tags)


# -- evaluation --------------------------------------------------------------------------------


def evaluate(rule: Rule, facts: Facts) -> tuple[bool, tuple[str, ...]]:
    """Whether `rule` holds, and the questions whose answers made it hold (for "you told us")."""
    match rule:
        case AnswerIn(question, options, every):
            answer = facts.answers.get(question)
            value = answer.value if answer is not None and answer.answered else None
            chosen = set(value) if isinstance(value, tuple) else {value} if value else set()
            held = options <= chosen if every else bool(options & chosen)
            return held, (question,) if held else ()
        case NumberBetween(question, low, high):
            answer = facts.answers.get(question)
            value = answer.value if answer is not None and answer.answered else None
            held = isinstance(value, int | float) and not isinstance(value, bool)
            held = held and (low is None or value >= low) and (high is None or value <= high)  # type: ignore[operator]
            return held, (question,) if held else ()
        case Answered(question, wanted):
            answer = facts.answers.get(question)
            held = (answer is not None and answer.answered) == wanted
            return held, (question,) if held and wanted else ()
        case Tagged(theme, question):
            found = tuple(
                q for q, tags in facts.themes.items() if theme in tags and question in (None, q)
            )
            return bool(found), found
        case AllOf(rules):
            witnesses: tuple[str, ...] = ()
            for part in rules:
                held, found = evaluate(part, facts)
                if not held:
                    return False, ()
                witnesses += found
            return True, witnesses
        case AnyOf(rules):
            witnesses, held_any = (), False
            for part in rules:
                held, found = evaluate(part, facts)
                if held:
                    held_any, witnesses = True, witnesses + found
            return held_any, witnesses
        case Not(inner):
            return not evaluate(inner, facts)[0], ()
    raise TypeError(f"not a rule: {rule!r}")  # pragma: no cover - exhaustive above


def questions_of(rule: Rule) -> tuple[str, ...]:
    """The questions a rule reads, once each."""
    found: list[str] = []
    match rule:
        case AnswerIn(question=q) | NumberBetween(question=q) | Answered(question=q):
            found.append(q)
        case AllOf(rules) | AnyOf(rules):
            for part in rules:
                found += questions_of(part)
        case Not(inner):
            found += questions_of(inner)
    return tuple(dict.fromkeys(found))


def uses_themes(rule: Rule) -> bool:
    match rule:
        case Tagged():
            return True
        case AllOf(rules) | AnyOf(rules):
            return any(uses_themes(part) for part in rules)
        case Not(inner):
            return uses_themes(inner)
    return False


def to_program(rule: Rule) -> dict[str, Any]:
    """The rule as the planner script reads it (see `bot/storage/lua/plan.lua`)."""
    match rule:
        case AnswerIn(question, options, every):
            return {"k": "all" if every else "in", "q": question, "v": sorted(options)}
        case NumberBetween(question, low, high):
            program: dict[str, Any] = {"k": "num", "q": question}
            if low is not None:
                program["lo"] = low
            if high is not None:
                program["hi"] = high
            return program
        case Answered(question, wanted):
            return {"k": "ans", "q": question, "v": 1 if wanted else 0}
        case Tagged(theme, question):
            return {"k": "tag", "v": theme} | ({"q": question} if question else {})
        case AllOf(rules):
            return {"k": "and", "c": [to_program(part) for part in rules]}
        case AnyOf(rules):
            return {"k": "or", "c": [to_program(part) for part in rules]}
        case Not(inner):
            return {"k": "not", "c": [to_program(inner)]}
    raise TypeError(f"not a rule: {rule!r}")  # pragma: no cover
