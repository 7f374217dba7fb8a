"""Reading a linking rule from a decision file, checked against the campaign's survey: every
mistake is recorded with its place, as survey files report theirs."""

from __future__ import annotations

from typing import Any

from bot.conversation.decisions.rules import (
    THEME,
    THEME_RULE,
    AllOf,
    Answered,
    AnswerIn,
    AnyOf,
    Not,
    NumberBetween,
    Rule,
    Tagged,
)
from dialogues.checking import Checker, did_you_mean, join_path, suggested
from dialogues.model import NUMERIC_KINDS, QuestionKind, Survey
from dialogues.problem_codes import ProblemCode

_YES_NO = ("yes", "no")
_OPERATORS = ("is", "includes", "includes_all", "equals", "at_least", "at_most", "answered")
_QUESTION_KEYS = ("question", "theme", *_OPERATORS)


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
                ProblemCode.GROUP_NOT_ALONE,
                group=groups[0],
                key=extra,
            )
            return None
        return _group(check, path, groups[0], node[groups[0]], survey)
    check.keys(path, node, (*_QUESTION_KEYS, "all", "any", "not"), what="a rule")
    if "question" not in node and "theme" in node:
        return _theme(check, path, node, None, survey)
    if "question" not in node:
        check.problem(
            path,
            "a rule needs 'question' (with a condition), 'theme', 'all', 'any' or 'not'",
            ProblemCode.RULE_NEEDS_SUBJECT,
        )
        return None
    return _condition(check, path, node, survey)


def _group(check: Checker, path: str, kind: str, raw: Any, survey: Survey | None) -> Rule | None:
    where = join_path(path, kind)
    if kind == "not":
        inner = read_rule(check, where, raw, survey)
        return Not(inner) if inner is not None else None
    if not isinstance(raw, list) or not raw:
        check.problem(
            where, f"'{kind}' takes a list of rules", ProblemCode.GROUP_NEEDS_LIST, group=kind
        )
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
        check.problem(where, "must be a question id", ProblemCode.NOT_A_QUESTION_ID)
        return None
    question = survey.question(question_id) if survey is not None else None
    if survey is not None and question is None:
        known = [q.id for q in survey.questions if q.answerable]
        check.problem(
            where,
            f"the campaign has no question '{question_id}'{did_you_mean(question_id, known)}",
            ProblemCode.NO_SUCH_QUESTION,
            question=question_id,
            **suggested(question_id, known),
        )
        return None
    if question is not None and not question.answerable:
        check.problem(
            where,
            f"'{question_id}' is an info message: it has no answers",
            ProblemCode.RULE_ON_INFO,
            question=question_id,
        )
        return None
    if "theme" in node:
        return _theme(check, path, node, question_id, survey)
    operators = [key for key in _OPERATORS if key in node]
    if not operators:
        check.problem(
            path,
            f"say what the answer to '{question_id}' must be: {', '.join(_OPERATORS)}",
            ProblemCode.CONDITION_NEEDED,
            question=question_id,
            expected=", ".join(_OPERATORS),
        )
        return None
    if len(operators) > 1 and set(operators) != {"at_least", "at_most"}:
        check.problem(
            join_path(path, operators[1]),
            f"one condition per rule ('{operators[0]}' is here); combine rules with all/any",
            ProblemCode.ONE_CONDITION,
            operator=operators[0],
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
            ProblemCode.NOT_NUMERIC,
            question=question_id,
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
        check.problem(
            join_path(path, "at_most"),
            f"is below at_least ({low}): nobody could match",
            ProblemCode.AT_MOST_BELOW_AT_LEAST,
            at_least=low,
        )
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
        check.problem(
            where, "must be an option id or a list of option ids", ProblemCode.NOT_OPTION_IDS
        )
        return None
    question = survey.question(question_id) if survey is not None else None
    if question is not None:
        kind = question.kind
        multiple = kind is QuestionKind.MULTIPLE_CHOICE
        if operator == "is" and multiple:
            check.problem(
                where,
                f"'{question_id}' takes several answers: use 'includes' or 'includes_all'",
                ProblemCode.USE_INCLUDES,
                question=question_id,
            )
            return None
        if operator != "is" and not multiple:
            check.problem(
                where,
                f"'{question_id}' takes one answer: use 'is'",
                ProblemCode.USE_IS,
                question=question_id,
            )
            return None
        if kind not in (
            QuestionKind.SINGLE_CHOICE,
            QuestionKind.MULTIPLE_CHOICE,
            QuestionKind.YES_NO,
        ):
            check.problem(
                where,
                f"'{question_id}' has no options; use equals/at_least/at_most or a theme",
                ProblemCode.NO_OPTIONS,
                question=question_id,
            )
            return None
        known = list(_YES_NO) if kind is QuestionKind.YES_NO else [o.id for o in question.options]
        for index, value in enumerate(values):
            if value not in known:
                spot = join_path(where, index) if isinstance(raw, list) else where
                check.problem(
                    spot,
                    f"'{question_id}' has no option '{value}'{did_you_mean(value, known)}",
                    ProblemCode.NO_SUCH_OPTION,
                    question=question_id,
                    option=value,
                    **suggested(value, known),
                )
                return None
    return AnswerIn(question_id, frozenset(values), every=operator == "includes_all")


def _theme(
    check: Checker, path: str, node: dict[str, Any], question_id: str | None, survey: Survey | None
) -> Rule | None:
    extra = [key for key in node if key not in ("theme", "question")]
    if extra:
        check.problem(
            join_path(path, extra[0]),
            "a theme rule takes only 'theme' and 'question'",
            ProblemCode.THEME_RULE_KEYS,
        )
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
                ProblemCode.THEME_NOT_TEXT,
                question=question_id,
            )
            return None
    return Tagged(theme, question_id)
