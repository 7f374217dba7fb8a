"""A decision composed from a form instead of written as a file: the texts per language and the
linking rule as picked parts (questions with the options chosen, themes, questions answered).

Composing writes the very decision file a person would (docs/decisions.md), which is then
read, checked and stored like any uploaded file: one model, two ways in. The mistakes found
are reported at the form's own fields (`link.picks[1].options[0]`), not at the file's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.conversation.decisions.decision import FORMAT_VERSION, Decision, DecisionStatus
from bot.conversation.decisions.rules import (
    AllOf,
    Answered,
    AnswerIn,
    AnyOf,
    NumberBetween,
    Rule,
    Tagged,
)
from dialogues.errors import Problem
from dialogues.model import NUMERIC_KINDS, QuestionKind, Survey
from dialogues.problem_codes import ProblemCode

ANY, ALL = "any", "all"


@dataclass(frozen=True, slots=True)
class QuestionPick:
    """People whose answer to `question` is one of `options` (multiple choice: includes one of
    them; `every`: all of them), lies between `at_least` and `at_most`, or — `answered` —
    who answered it at all (True) or did not (False)."""

    question: str
    options: tuple[str, ...] = ()
    every: bool = False
    at_least: float | None = None
    at_most: float | None = None
    answered: bool | None = None


@dataclass(frozen=True, slots=True)
class ThemePick:
    """People whose free-text answer (to `question`, or to any) was tagged with `theme`."""

    theme: str
    question: str | None = None


Pick = QuestionPick | ThemePick


@dataclass(frozen=True, slots=True)
class Draft:
    """A decision as a form gives it. Empty texts count as not given."""

    id: str
    campaign_id: str
    status: str
    title: Mapping[str, str]
    message: Mapping[str, str]
    rationale: Mapping[str, str] = field(default_factory=dict)
    changes: Mapping[str, str] = field(default_factory=dict)
    you_told_us: Mapping[str, str] = field(default_factory=dict)
    effective: dt.date | None = None
    picks: Sequence[Pick] = ()
    match: str = ANY  # a participant is linked when any pick holds, or only when all do
    responses: Sequence[str] = ()


def decision_file(draft: Draft, survey: Survey) -> str:
    """The decision file the draft stands for, as `sauti decision load` reads it."""
    document: dict[str, Any] = {
        "spec_version": FORMAT_VERSION,
        "id": draft.id,
        "campaign": draft.campaign_id,
        "status": draft.status,
    }
    for key in ("title", "message", "rationale", "changes", "you_told_us"):
        texts = _given(getattr(draft, key))
        if texts or key in ("title", "message"):
            document[key] = texts
    if draft.effective is not None:
        document["effective"] = draft.effective.isoformat()
    links: dict[str, Any] = {}
    rules = [_rule(pick, survey) for pick in draft.picks]
    if len(rules) == 1:
        links["rule"] = rules[0]
    elif rules:
        links["rule"] = {ALL if draft.match == ALL else ANY: rules}
    if draft.responses:
        links["responses"] = list(draft.responses)
    document["linked_to"] = links
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10_000)


def _given(texts: Mapping[str, str]) -> dict[str, str]:
    return {language: text.strip() for language, text in texts.items() if text.strip()}


def _rule(pick: Pick, survey: Survey) -> dict[str, Any]:
    if isinstance(pick, ThemePick):
        return {"theme": pick.theme} | ({"question": pick.question} if pick.question else {})
    rule: dict[str, Any] = {"question": pick.question}
    question = survey.question(pick.question)
    kind = question.kind if question is not None else None
    if pick.answered is not None:
        rule["answered"] = pick.answered
    elif kind in NUMERIC_KINDS or (kind is None and not pick.options):
        if pick.at_least is not None:
            rule["at_least"] = pick.at_least
        if pick.at_most is not None:
            rule["at_most"] = pick.at_most
        if pick.at_least is None and pick.at_most is None:
            rule["answered"] = True
    elif kind is QuestionKind.MULTIPLE_CHOICE:
        rule["includes_all" if pick.every else "includes"] = list(pick.options)
    else:
        rule["is"] = list(pick.options) if len(pick.options) != 1 else pick.options[0]
    return rule


_PICK = re.compile(r"^linked_to\.rule(?:\.(?:any|all)\[(\d+)\])?")
_OPERATOR = re.compile(r"^\.(?:is|includes|includes_all)(?=\[|$)")


def form_location(path: str, picks: int) -> str:
    """Where a mistake the decision file reader found sits in the form: the file's
    `linked_to.rule.any[1].is[0]` is the form's `link.picks[1].options[0]`."""
    if path == "linked_to":
        return "link"
    if path.startswith("linked_to.responses"):
        return "link.responses" + path[len("linked_to.responses") :]
    found = _PICK.match(path)
    if found is None:
        return path
    index = found.group(1) or ("0" if picks == 1 else None)
    if index is None:
        return "link.picks"
    rest = _OPERATOR.sub(".options", path[found.end() :])
    return f"link.picks[{index}]{rest}"


def incomplete(decision: Decision, languages: Sequence[str]) -> list[Problem]:
    """What the decision still lacks in the campaign's languages, field by field: a title and
    a message in each, and a rationale in each where one is owed (not, or partly, adopted)."""
    needed = ["title", "message"] + (["rationale"] if decision.status.needs_rationale else [])
    problems = []
    for language in languages:
        for key in needed:
            texts: Mapping[str, str] | None = getattr(decision, key)
            if not texts or language not in texts:
                code = ProblemCode.TEXT_LACKING
                params = {"field": key, "language": language}
                problems.append(Problem(f"{key}.{language}", _LACKS[key], code=code, params=params))
    return problems


_LACKS = {
    "title": "no title in this language",
    "message": "no message in this language: its readers would get another language's",
    "rationale": "no rationale in this language: people are owed why it was not "
    f"({DecisionStatus.NOT_ADOPTED.value} or {DecisionStatus.PARTLY_ADOPTED.value}) adopted",
}


def picks_of(rule: Rule | None) -> tuple[list[Pick], str] | None:
    """The picked parts a rule is made of, and whether any or all must hold, for the form to
    show again; None when the rule is more than one any/all of simple parts (a `not`, a
    nested group): the form cannot show it, its file can."""
    if rule is None:
        return [], ANY
    match rule:
        case AnyOf(parts) | AllOf(parts):
            picks = [_pick(part) for part in parts]
            if any(pick is None for pick in picks):
                return None
            match_all = isinstance(rule, AllOf)
            return [pick for pick in picks if pick is not None], ALL if match_all else ANY
    pick = _pick(rule)
    return ([pick], ANY) if pick is not None else None


def _pick(rule: Rule) -> Pick | None:
    match rule:
        case AnswerIn(question, options, every):
            return QuestionPick(question, tuple(sorted(options)), every=every)
        case NumberBetween(question, low, high):
            return QuestionPick(question, at_least=low, at_most=high)
        case Answered(question, answered):
            return QuestionPick(question, answered=answered)
        case Tagged(theme, question):
            return ThemePick(theme, question)
    return None
