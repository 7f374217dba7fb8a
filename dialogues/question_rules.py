"""Validate and build the questions of a survey, including their `relevant` expressions."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import replace as _replace
from typing import Any

from dialogues.checking import Checker, did_you_mean, join_path, suggested
from dialogues.dates import TODAY, parse_bound
from dialogues.expressions import KEYWORDS, Expr, ExpressionError, parse_expression
from dialogues.model import DateBound, Option, OptionId, Question, QuestionId, QuestionKind
from dialogues.problem_codes import ProblemCode
from dialogues.profiles import check_declared_once, profile_attribute
from dialogues.relevance_rules import check_relevance

MAX_QUESTIONS = 200
MAX_OPTIONS = 50
MAX_SCALE_STEPS = 11  # a scale must fit on buttons: 0-10 at most
MAX_TEXT_ANSWER = 4000
QUESTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,19}$")
OPTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,20}$")

_COMMON = ("id", "kind", "text", "optional", "sensitive", "relevant")
# The survey's own words for a refusal; a question that has none keeps Sauti's.
_MESSAGES = ("constraint_message", "required_message")
_KIND_KEYS: Mapping[QuestionKind, tuple[str, ...]] = {
    QuestionKind.SINGLE_CHOICE: ("options", "profile"),
    QuestionKind.MULTIPLE_CHOICE: ("options", "min", "max", "profile"),
    QuestionKind.YES_NO: (),
    QuestionKind.SCALE: ("min", "max", "labels"),
    QuestionKind.NUMBER: ("integer", "min", "max"),
    QuestionKind.TEXT: ("max_length",),
    QuestionKind.DATE: ("min", "max"),
    QuestionKind.INFO: (),
}
_ALL_KEYS = frozenset((*_COMMON, *_MESSAGES)).union(*_KIND_KEYS.values())
YES_NO_OPTIONS = (OptionId("yes"), OptionId("no"))


def build_questions(check: Checker, path: str, raw: Any) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        check.problem(path, "must be a list of at least one question", ProblemCode.NO_QUESTIONS)
        return ()
    if len(raw) > MAX_QUESTIONS:
        check.problem(
            path,
            f"has {len(raw)} questions; the limit is {MAX_QUESTIONS}",
            ProblemCode.TOO_MANY_QUESTIONS,
            count=len(raw),
            limit=MAX_QUESTIONS,
        )
    built: list[Question] = []
    seen: dict[str, str] = {}
    broken: set[str] = set()  # earlier questions with their own problems: no cascade of errors
    for index, item in enumerate(raw):
        item_path = join_path(path, index)
        question = _build_question(check, item_path, item)
        if question is None:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.add(item["id"])
            continue
        if question.id in seen:
            check.problem(
                join_path(item_path, "id"),
                f"duplicate id '{question.id}' (also used at {seen[question.id]})",
                ProblemCode.DUPLICATE_QUESTION_ID,
                id=question.id,
                other=seen[question.id],
            )
            continue
        seen[question.id] = item_path
        if question.relevant is not None:
            relevant_path = join_path(item_path, "relevant")
            check_relevance(check, relevant_path, question.relevant, built, broken)
        built.append(question)
    check_declared_once(check, path, tuple(built))
    if built and not any(q.answerable for q in built):
        check.problem(
            path,
            "has no question that can be answered (only info messages)",
            ProblemCode.NOTHING_TO_ANSWER,
        )
    return tuple(built)


def _build_question(check: Checker, path: str, raw: Any) -> Question | None:
    item = check.mapping(path, raw, "a question")
    if item is None:
        return None
    kind = _kind(check, path, item)
    messages = () if kind is QuestionKind.INFO else _MESSAGES
    allowed = _ALL_KEYS if kind is None else (*_COMMON, *messages, *_KIND_KEYS[kind])
    what = f"a {kind.value} question" if kind is not None else "a question"
    for key in item:
        if key in _ALL_KEYS and key not in allowed and kind is not None:
            check.problem(
                join_path(path, key),
                _misplaced_key(key, kind),
                ProblemCode.KEY_OF_ANOTHER_KIND,
                key=key,
                kind=kind.value,
                kinds=", ".join(k.value for k, keys in _KIND_KEYS.items() if key in keys),
            )
    known = {key: value for key, value in item.items() if key in allowed or key not in _ALL_KEYS}
    check.keys(path, known, allowed, required=("id", "kind", "text"), what=what)
    question_id = _question_id(check, join_path(path, "id"), item.get("id"))
    text = check.text(join_path(path, "text"), item["text"]) if "text" in item else None
    optional = check.boolean(join_path(path, "optional"), item.get("optional"), False)
    sensitive = check.boolean(join_path(path, "sensitive"), item.get("sensitive"), False)
    relevant = _expression(check, join_path(path, "relevant"), item.get("relevant"))
    if kind is None or question_id is None or text is None:
        return None
    if kind is QuestionKind.INFO and (optional or sensitive):
        check.problem(
            path,
            "an info message has no answer, so it cannot be optional or sensitive",
            ProblemCode.INFO_OPTIONAL,
        )
    own = {
        key: _own_message(check, join_path(path, key), item[key])
        for key in _MESSAGES
        if key in item
    }
    base = Question(
        id=QuestionId(question_id),
        kind=kind,
        text=text,
        optional=optional,
        sensitive=sensitive,
        relevant=relevant,
        profile=profile_attribute(check, path, known.get("profile"), kind),
        constraint_message=own.get("constraint_message"),
        required_message=own.get("required_message"),
    )
    return _with_kind_fields(check, path, item, base)


def _own_message(check: Checker, path: str, raw: Any) -> dict[str, str] | None:
    """A refusal in the survey's own words: in some of its languages only, if need be (Sauti's
    own words are said in the others)."""
    if not isinstance(raw, dict) or not check.languages_known:
        return check.text(path, raw)
    every = check.languages
    check.languages = tuple(language for language in every if language in raw) or every
    try:
        return check.text(path, raw)
    finally:
        check.languages = every


def _misplaced_key(key: str, kind: QuestionKind) -> str:
    users = [k.value for k, keys in _KIND_KEYS.items() if key in keys]
    message = (
        f"'{key}' does not apply to a {kind.value} question (it belongs to {', '.join(users)})"
    )
    if kind is QuestionKind.YES_NO and key == "options":
        message += "; for your own answer options use kind: single_choice"
    return message


def _kind(check: Checker, path: str, item: Mapping[str, Any]) -> QuestionKind | None:
    raw = item.get("kind")
    if raw is None:
        return None
    try:
        return QuestionKind(raw)
    except ValueError:
        kinds = [k.value for k in QuestionKind]
        hint = did_you_mean(str(raw), kinds)
        check.problem(
            join_path(path, "kind"),
            f"unknown kind {raw!r}{hint} (kinds: {', '.join(kinds)})",
            ProblemCode.UNKNOWN_KIND,
            kind=str(raw),
            kinds=", ".join(kinds),
            **suggested(str(raw), kinds),
        )
        return None


def _question_id(check: Checker, path: str, raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, str) and raw in KEYWORDS:
        check.problem(
            path,
            f"'{raw}' is a word of the relevant language; choose another id",
            ProblemCode.RESERVED_ID,
            id=raw,
        )
        return None
    rule = "question id (a letter, then letters, digits or _, at most 20 characters)"
    return check.string(path, raw, QUESTION_ID, rule)


def _expression(check: Checker, path: str, raw: Any) -> Expr | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        check.problem(
            path,
            "must be an expression written as text, like q1 = 'yes'",
            ProblemCode.EXPRESSION_NOT_TEXT,
        )
        return None
    try:
        return parse_expression(raw)
    except ExpressionError as error:
        check.problem(
            path,
            f"{error.message} (at column {error.column} of {raw!r})",
            error.code,
            **error.params,
            column=error.column,
            expression=raw,
        )
        return None


def _with_kind_fields(
    check: Checker, path: str, item: Mapping[str, Any], base: Question
) -> Question:
    kind = base.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        options = _options(check, join_path(path, "options"), item.get("options"))
        if kind is QuestionKind.SINGLE_CHOICE:
            return _replace(base, options=options)
        low, high = _selection_bounds(check, path, item, len(options))
        return _replace(base, options=options, min_selections=low, max_selections=high)
    if kind is QuestionKind.YES_NO:
        return _replace(base, options=tuple(Option(oid, {}) for oid in YES_NO_OPTIONS))
    if kind is QuestionKind.SCALE:
        return _scale(check, path, item, base)
    if kind is QuestionKind.NUMBER:
        return _number(check, path, item, base)
    if kind is QuestionKind.DATE:
        return _date(check, path, item, base)
    if kind is QuestionKind.TEXT:
        raw_length = item.get("max_length", 1000)
        length = check.integer(join_path(path, "max_length"), raw_length, 1, MAX_TEXT_ANSWER)
        return _replace(base, max_length=length or 1000)
    return base


def _options(check: Checker, path: str, raw: Any) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        check.problem(path, "must be a list of at least 2 options", ProblemCode.TOO_FEW_OPTIONS)
        return ()
    if len(raw) > MAX_OPTIONS:
        check.problem(
            path,
            f"has {len(raw)} options; the limit is {MAX_OPTIONS}",
            ProblemCode.TOO_MANY_OPTIONS,
            count=len(raw),
            limit=MAX_OPTIONS,
        )
    options: list[Option] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        option_path = join_path(path, index)
        item = check.mapping(option_path, entry, "an option")
        if item is None:
            continue
        check.keys(option_path, item, ("id", "text"), required=("id", "text"), what="an option")
        rule = "option id (letters, digits, _ or -, at most 20 characters)"
        option_id = None
        if "id" in item:
            raw_id = item["id"]
            if isinstance(raw_id, int) and not isinstance(raw_id, bool):
                raw_id = str(raw_id)  # `id: 1` is a fine option id
            option_id = check.string(join_path(option_path, "id"), raw_id, OPTION_ID, rule)
        if option_id is not None and option_id in seen:
            check.problem(
                join_path(option_path, "id"),
                f"duplicate id '{option_id}'",
                ProblemCode.DUPLICATE_OPTION_ID,
                id=option_id,
            )
            option_id = None
        text = check.text(join_path(option_path, "text"), item["text"]) if "text" in item else None
        if option_id is not None and text is not None:
            seen.add(option_id)
            options.append(Option(OptionId(option_id), text))
    return tuple(options)


def _selection_bounds(
    check: Checker, path: str, item: Mapping[str, Any], count: int
) -> tuple[int, int]:
    low = check.integer(join_path(path, "min"), item.get("min", 1), 1, max(count, 1))
    high = check.integer(join_path(path, "max"), item.get("max", count), 1, max(count, 1))
    if low is not None and high is not None and low > high:
        check.problem(
            join_path(path, "min"),
            f"min ({low}) is larger than max ({high})",
            ProblemCode.MIN_ABOVE_MAX,
            min=low,
            max=high,
        )
    return low or 1, high or max(count, 1)


def _scale(check: Checker, path: str, item: Mapping[str, Any], base: Question) -> Question:
    for key in ("min", "max"):
        if key not in item:
            check.problem(
                path,
                f"a scale needs '{key}', like min: 1 and max: 5",
                ProblemCode.SCALE_NEEDS_BOUND,
                key=key,
            )
    low = check.integer(join_path(path, "min"), item.get("min", 1))
    high = check.integer(join_path(path, "max"), item.get("max", 5))
    if low is not None and high is not None and "min" in item and "max" in item:
        if high <= low:
            check.problem(
                join_path(path, "max"),
                f"max ({high}) must be larger than min ({low})",
                ProblemCode.MAX_NOT_ABOVE_MIN,
                min=low,
                max=high,
            )
        elif high - low + 1 > MAX_SCALE_STEPS:
            check.problem(
                join_path(path, "max"),
                f"a scale has at most {MAX_SCALE_STEPS} steps (like 0-10); found {high - low + 1}",
                ProblemCode.SCALE_TOO_LONG,
                limit=MAX_SCALE_STEPS,
                found=high - low + 1,
            )
    labels = item.get("labels")
    min_label = max_label = None
    if labels is not None:
        labels_path = join_path(path, "labels")
        mapping = check.mapping(labels_path, labels, "labels")
        if mapping is not None:
            check.keys(labels_path, mapping, ("min", "max"), what="scale labels")
            if "min" in mapping:
                min_label = check.text(join_path(labels_path, "min"), mapping["min"])
            if "max" in mapping:
                max_label = check.text(join_path(labels_path, "max"), mapping["max"])
    low = 1 if low is None else low
    high = 5 if high is None else high
    options = tuple(Option(OptionId(str(v)), {}) for v in range(low, max(high, low) + 1))
    return _replace(
        base,
        min_value=low,
        max_value=high,
        options=options,
        min_label=min_label,
        max_label=max_label,
    )


def _number(check: Checker, path: str, item: Mapping[str, Any], base: Question) -> Question:
    integer = check.boolean(join_path(path, "integer"), item.get("integer"), True)
    low = high = None
    if "min" in item:
        low = check.number(join_path(path, "min"), item["min"])
    if "max" in item:
        high = check.number(join_path(path, "max"), item["max"])
    if low is not None and high is not None and high <= low:
        check.problem(
            join_path(path, "max"),
            f"max ({high}) must be larger than min ({low})",
            ProblemCode.MAX_NOT_ABOVE_MIN,
            min=low,
            max=high,
        )
    elif integer and low is not None and high is not None and math.ceil(low) > math.floor(high):
        # Nobody could ever answer it: every participant would be stuck on this question.
        check.problem(
            join_path(path, "max"),
            f"no whole number lies between min ({low}) and max ({high}); "
            "widen them or set integer: false",
            ProblemCode.NO_WHOLE_NUMBER,
            min=low,
            max=high,
        )
    return _replace(base, integer=integer, min_value=low, max_value=high)


def _date(check: Checker, path: str, item: Mapping[str, Any], base: Question) -> Question:
    bounds: dict[str, DateBound | None] = {}
    for key in ("min", "max"):
        if key in item:
            bounds[key] = parse_bound(item[key])
            if bounds[key] is None:
                check.problem(
                    join_path(path, key),
                    f"{item[key]!r} is not a date like 2026-03-31, or {TODAY}",
                    ProblemCode.NOT_A_DATE_BOUND,
                    found=repr(item[key]),
                    today=TODAY,
                )
    low, high = bounds.get("min"), bounds.get("max")
    if isinstance(low, dt.date) and isinstance(high, dt.date) and high < low:
        check.problem(
            join_path(path, "max"),
            f"max ({high}) is before min ({low})",
            ProblemCode.MAX_BEFORE_MIN,
            min=low.isoformat(),
            max=high.isoformat(),
        )
    return _replace(base, min_date=low, max_date=high)
