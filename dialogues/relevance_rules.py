"""Check a question's `relevant` expression against the questions before it: each name an
earlier question, each comparison one its kind can answer (an option it has, a number)."""

from __future__ import annotations

from dialogues.checking import Checker, did_you_mean
from dialogues.expressions import Answered, Compare, Expr, InSet, Selected, references
from dialogues.model import (
    CHOICE_KINDS,
    NUMERIC_KINDS,
    OptionId,
    Question,
    QuestionId,
    QuestionKind,
)


def check_relevance(
    check: Checker, path: str, expr: Expr, earlier: list[Question], broken: set[str]
) -> None:
    by_id = {q.id: q for q in earlier}
    for reference in references(expr):
        target = by_id.get(QuestionId(reference.question))
        if target is None and reference.question in broken:
            continue  # that question's own problem is already reported
        if target is None:
            _unknown_reference(check, path, reference.question, earlier)
            continue
        message = _reference_problem(reference, target)
        if message:
            check.problem(path, message)


def _unknown_reference(check: Checker, path: str, name: str, earlier: list[Question]) -> None:
    later = check.document.value.get("questions", []) if check.document.value else []
    later_ids = {q.get("id") for q in later if isinstance(q, dict)}
    if name in later_ids:
        check.problem(
            path,
            f"refers to '{name}', which is this question or comes after it; "
            "relevant can only use earlier answers",
        )
    else:
        hint = did_you_mean(name, [q.id for q in earlier])
        check.problem(path, f"refers to unknown question '{name}'{hint}")


def _reference_problem(reference: Compare | InSet | Selected | Answered, target: Question) -> str:
    name, kind = target.id, target.kind
    if kind is QuestionKind.INFO:
        return f"'{name}' is an info message and has no answer to test"
    if isinstance(reference, Answered):
        return ""
    if kind is QuestionKind.TEXT:
        return (
            f"'{name}' is a free-text question; its words cannot be compared, use answered({name})"
        )
    if kind is QuestionKind.DATE:
        return f"'{name}' is a date question; only answered({name}) can test it"
    option_ids = [o.id for o in target.options]
    if isinstance(reference, Selected):
        if kind not in CHOICE_KINDS:
            return f"selected() works on choice questions; '{name}' is a {kind.value} question"
        return _unknown_option(name, reference.option, option_ids)
    if isinstance(reference, Compare) and reference.count:
        if kind is not QuestionKind.MULTIPLE_CHOICE:
            return f"count() works on multiple choice questions; '{name}' is a {kind.value}"
        return "" if _is_number(reference.value) else f"count({name}) compares with a number"
    values = reference.values if isinstance(reference, InSet) else (reference.value,)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return f"'{name}' allows several answers: use selected({name}, 'id') or count({name})"
    if kind in NUMERIC_KINDS:
        if not all(_is_number(v) for v in values):
            return f"'{name}' is a {kind.value} question: compare it with numbers, like {name} >= 4"
        return ""
    if isinstance(reference, Compare) and reference.op not in ("=", "!="):
        return f"'{name}' is a {kind.value} question: use = or != with an option id"
    for value in values:
        if not isinstance(value, str):
            return f"'{name}' is a {kind.value} question: compare it with a quoted option id"
        problem = _unknown_option(name, value, option_ids)
        if problem:
            return problem
    return ""


def _unknown_option(name: str, option: str, option_ids: list[OptionId]) -> str:
    if option in option_ids:
        return ""
    hint = did_you_mean(option, option_ids)
    return f"'{name}' has no option '{option}'{hint} (options: {', '.join(option_ids)})"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
