"""Linking rules: which responses informed a decision.

A rule is a condition over one participant's stored answers in the decision's campaign
(question/answer conditions, themes tagged on free-text answers) combined with all / any / not.
The same rule runs in two places that must agree: here in Python (the feeder, /mydata, tests)
and compiled to a small JSON program for the planner's Lua script, which evaluates a million
participants inside Redis (`bot.loop.scripts.PLAN`). A test checks that both agree.

Stored answers are the commit's JSON (`bot.runtime.commit._answer_json`):
`{"o": outcome, "t": epoch s, "v": value}`, free text as `"x"` (sealed). Skipped or declined
answers satisfy no condition except `answered: false`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogues.checking import Checker, did_you_mean, join_path
from dialogues.events import AnswerOutcome
from dialogues.model import NUMERIC_KINDS, QuestionKind, Survey

THEME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
THEME_RULE = "theme (lower-case letters, digits, - or _, at most 40 characters)"
_YES_NO = ("yes", "no")
_OPERATORS = ("is", "includes", "includes_all", "equals", "at_least", "at_most", "answered")
_QUESTION_KEYS = ("question", "theme", *_OPERATORS)


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
class StoredAnswer:
    outcome: str
    value: str | float | tuple[str, ...] | None  # None: skipped, declined or free text
    at: int  # epoch seconds
    free_text: bool = False

    @property
    def answered(self) -> bool:
        return self.outcome == AnswerOutcome.ANSWERED.value


def stored_answer(raw: bytes | str) -> StoredAnswer | None:
    """One field of an answers hash; None when it cannot be read."""
    try:
        plain = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(plain, dict):
        return None
    value = plain.get("v")
    if isinstance(value, list):
        value = tuple(str(item) for item in value)
    elif not isinstance(value, str | int | float) or isinstance(value, bool):
        value = None
    return StoredAnswer(str(plain.get("o", "")), value, int(plain.get("t", 0)), "x" in plain)


@dataclass(frozen=True, slots=True)
class Facts:
    """What a rule is evaluated on: one participant's answers and the themes tagged on them."""

    answers: Mapping[str, StoredAnswer]
    themes: Mapping[str, frozenset[str]]  # question id -> themes


def facts_from_redis(
    answers: Mapping[bytes, bytes], themes: Mapping[bytes, bytes] | None = None
) -> Facts:
    parsed = {}
    for question, raw in answers.items():
        answer = stored_answer(raw)
        if answer is not None:
            parsed[question.decode()] = answer
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
    """The rule as the planner script reads it (see `bot.loop.scripts.PLAN`)."""
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


# -- reading rules from a decision file --------------------------------------------------------


def read_rule(check: Checker, path: str, raw: Any, survey: Survey | None) -> Rule | None:
    """A rule from YAML, every mistake recorded with its place; None when unusable."""
    node = check.mapping(path, raw, "a rule")
    if node is None:
        return None
    groups = [key for key in ("all", "any", "not") if key in node]
    if groups:
        if len(node) != 1:
            extra = sorted(set(node) - {groups[0]})[0]
            check.problem(
                join_path(path, extra),
                f"'{groups[0]}' stands alone; put '{extra}' in a rule of its own inside it",
            )
            return None
        return _group(check, path, groups[0], node[groups[0]], survey)
    check.keys(path, node, (*_QUESTION_KEYS, "all", "any", "not"), what="a rule")
    if "question" not in node and "theme" in node:
        return _theme(check, path, node, None, survey)
    if "question" not in node:
        check.problem(
            path, "a rule needs 'question' (with a condition), 'theme', 'all', 'any' or 'not'"
        )
        return None
    return _condition(check, path, node, survey)


def _group(check: Checker, path: str, kind: str, raw: Any, survey: Survey | None) -> Rule | None:
    where = join_path(path, kind)
    if kind == "not":
        inner = read_rule(check, where, raw, survey)
        return Not(inner) if inner is not None else None
    if not isinstance(raw, list) or not raw:
        check.problem(where, f"'{kind}' takes a list of rules")
        return None
    parts = [
        read_rule(check, join_path(where, index), item, survey) for index, item in enumerate(raw)
    ]
    if any(part is None for part in parts):
        return None
    rules = tuple(part for part in parts if part is not None)
    if len(rules) == 1:
        return rules[0]
    return AllOf(rules) if kind == "all" else AnyOf(rules)


def _condition(
    check: Checker, path: str, node: dict[str, Any], survey: Survey | None
) -> Rule | None:
    question_id = node["question"]
    where = join_path(path, "question")
    if not isinstance(question_id, str):
        check.problem(where, "must be a question id")
        return None
    question = survey.question(question_id) if survey is not None else None
    if survey is not None and question is None:
        known = [q.id for q in survey.questions if q.answerable]
        check.problem(
            where, f"the campaign has no question '{question_id}'{did_you_mean(question_id, known)}"
        )
        return None
    if question is not None and not question.answerable:
        check.problem(where, f"'{question_id}' is an info message: it has no answers")
        return None
    if "theme" in node:
        return _theme(check, path, node, question_id, survey)
    operators = [key for key in _OPERATORS if key in node]
    if not operators:
        check.problem(
            path, f"say what the answer to '{question_id}' must be: {', '.join(_OPERATORS)}"
        )
        return None
    if len(operators) > 1 and set(operators) != {"at_least", "at_most"}:
        check.problem(
            join_path(path, operators[1]),
            f"one condition per rule ('{operators[0]}' is here); combine rules with all/any",
        )
        return None
    kind = question.kind if question is not None else None
    operator = operators[0]
    if operator == "answered":
        wanted = check.boolean(join_path(path, operator), node[operator], True)
        return Answered(question_id, wanted)
    if operator in ("equals", "at_least", "at_most"):
        return _numeric(check, path, node, question_id, kind)
    return _options(check, path, node, operator=operator, question_id=question_id, survey=survey)


def _numeric(
    check: Checker, path: str, node: dict[str, Any], question_id: str, kind: QuestionKind | None
) -> Rule | None:
    if kind is not None and kind not in NUMERIC_KINDS:
        operator = next(key for key in ("equals", "at_least", "at_most") if key in node)
        check.problem(
            join_path(path, operator),
            f"'{question_id}' is not a number or scale question; use 'is' or 'includes'",
        )
        return None
    values = {
        key: check.number(join_path(path, key), node[key])
        for key in ("equals", "at_least", "at_most")
        if key in node
    }
    if any(value is None for value in values.values()):
        return None
    if "equals" in values:
        return NumberBetween(question_id, values["equals"], values["equals"])
    low, high = values.get("at_least"), values.get("at_most")
    if low is not None and high is not None and low > high:
        check.problem(join_path(path, "at_most"), f"is below at_least ({low}): nobody could match")
        return None
    return NumberBetween(question_id, low, high)


def _options(
    check: Checker,
    path: str,
    node: dict[str, Any],
    *,
    operator: str,
    question_id: str,
    survey: Survey | None,
) -> Rule | None:
    where = join_path(path, operator)
    raw = node[operator]
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(isinstance(v, str) for v in values):
        check.problem(where, "must be an option id or a list of option ids")
        return None
    question = survey.question(question_id) if survey is not None else None
    if question is not None:
        kind = question.kind
        multiple = kind is QuestionKind.MULTIPLE_CHOICE
        if operator == "is" and multiple:
            check.problem(
                where, f"'{question_id}' takes several answers: use 'includes' or 'includes_all'"
            )
            return None
        if operator != "is" and not multiple:
            check.problem(where, f"'{question_id}' takes one answer: use 'is'")
            return None
        if kind not in (
            QuestionKind.SINGLE_CHOICE,
            QuestionKind.MULTIPLE_CHOICE,
            QuestionKind.YES_NO,
        ):
            check.problem(
                where, f"'{question_id}' has no options; use equals/at_least/at_most or a theme"
            )
            return None
        known = list(_YES_NO) if kind is QuestionKind.YES_NO else [o.id for o in question.options]
        for index, value in enumerate(values):
            if value not in known:
                spot = join_path(where, index) if isinstance(raw, list) else where
                check.problem(
                    spot, f"'{question_id}' has no option '{value}'{did_you_mean(value, known)}"
                )
                return None
    return AnswerIn(question_id, frozenset(values), every=operator == "includes_all")


def _theme(
    check: Checker, path: str, node: dict[str, Any], question_id: str | None, survey: Survey | None
) -> Rule | None:
    extra = [key for key in node if key not in ("theme", "question")]
    if extra:
        check.problem(join_path(path, extra[0]), "a theme rule takes only 'theme' and 'question'")
        return None
    theme = check.string(join_path(path, "theme"), node["theme"], THEME, THEME_RULE)
    if theme is None:
        return None
    if question_id is not None and survey is not None:
        question = survey.question(question_id)
        if question is not None and question.kind is not QuestionKind.TEXT:
            check.problem(
                join_path(path, "theme"),
                f"themes are tagged on free-text answers; '{question_id}' is not a text question",
            )
            return None
    return Tagged(theme, question_id)
