"""The `relevant` expression of a question checked against the questions before it: it names
only earlier questions, and tests each the way its kind can be tested (an option it has, a
number against a number, a free text only for being answered)."""

from __future__ import annotations

from dialogues.checking import Checker, did_you_mean, suggested
from dialogues.expressions import Answered, Compare, Expr, InSet, Selected, references
from dialogues.model import (
    CHOICE_KINDS,
    NUMERIC_KINDS,
    OptionId,
    Question,
    QuestionId,
    QuestionKind,
)
from dialogues.problem_codes import Param, ProblemCode, Said


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
        said = _reference_problem(reference, target)
        if said is not None:
            check.problem(path, said.message, said.code, **said.params)


def _unknown_reference(check: Checker, path: str, name: str, earlier: list[Question]) -> None:
    later = check.document.value.get("questions", []) if check.document.value else []
    later_ids = {q.get("id") for q in later if isinstance(q, dict)}
    if name in later_ids:
        check.problem(
            path,
            f"refers to '{name}', which is this question or comes after it; "
            "relevant can only use earlier answers",
            ProblemCode.REFERS_TO_LATER,
            question=name,
        )
    else:
        hint = did_you_mean(name, [q.id for q in earlier])
        check.problem(
            path,
            f"refers to unknown question '{name}'{hint}",
            ProblemCode.UNKNOWN_QUESTION,
            question=name,
            **suggested(name, [q.id for q in earlier]),
        )


def _reference_problem(
    reference: Compare | InSet | Selected | Answered, target: Question
) -> Said | None:
    name, kind = target.id, target.kind
    if kind is QuestionKind.INFO:
        return Said(
            f"'{name}' is an info message and has no answer to test",
            ProblemCode.TESTS_INFO,
            {"question": name},
        )
    if isinstance(reference, Answered):
        return None
    about: dict[str, Param] = {"question": name, "kind": kind.value}
    if kind is QuestionKind.TEXT:
        return Said(
            f"'{name}' is a free-text question; its words cannot be compared, use answered({name})",
            ProblemCode.COMPARES_TEXT,
            about,
        )
    if kind is QuestionKind.DATE:
        return Said(
            f"'{name}' is a date question; only answered({name}) can test it",
            ProblemCode.COMPARES_DATE,
            about,
        )
    option_ids = [o.id for o in target.options]
    if isinstance(reference, Selected):
        if kind not in CHOICE_KINDS:
            return Said(
                f"selected() works on choice questions; '{name}' is a {kind.value} question",
                ProblemCode.SELECTED_NOT_CHOICE,
                about,
            )
        return _unknown_option(name, reference.option, option_ids)
    if isinstance(reference, Compare) and reference.count:
        if kind is not QuestionKind.MULTIPLE_CHOICE:
            return Said(
                f"count() works on multiple choice questions; '{name}' is a {kind.value}",
                ProblemCode.COUNT_NOT_MULTIPLE,
                about,
            )
        if _is_number(reference.value):
            return None
        return Said(f"count({name}) compares with a number", ProblemCode.COUNT_NOT_NUMBER, about)
    values = reference.values if isinstance(reference, InSet) else (reference.value,)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return Said(
            f"'{name}' allows several answers: use selected({name}, 'id') or count({name})",
            ProblemCode.COMPARES_MULTIPLE,
            about,
        )
    if kind in NUMERIC_KINDS:
        if not all(_is_number(v) for v in values):
            return Said(
                f"'{name}' is a {kind.value} question: compare it with numbers, like {name} >= 4",
                ProblemCode.COMPARES_NUMBER_WITH_TEXT,
                about,
            )
        return None
    if isinstance(reference, Compare) and reference.op not in ("=", "!="):
        return Said(
            f"'{name}' is a {kind.value} question: use = or != with an option id",
            ProblemCode.ORDERS_OPTIONS,
            about,
        )
    for value in values:
        if not isinstance(value, str):
            return Said(
                f"'{name}' is a {kind.value} question: compare it with a quoted option id",
                ProblemCode.COMPARES_OPTION_WITH_NUMBER,
                about,
            )
        said = _unknown_option(name, value, option_ids)
        if said is not None:
            return said
    return None


def _unknown_option(name: str, option: str, option_ids: list[OptionId]) -> Said | None:
    if option in option_ids:
        return None
    hint = did_you_mean(option, option_ids)
    return Said(
        f"'{name}' has no option '{option}'{hint} (options: {', '.join(option_ids)})",
        ProblemCode.UNKNOWN_OPTION,
        {
            "question": name,
            "option": option,
            "options": ", ".join(option_ids),
            **suggested(option, option_ids),
        },
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
