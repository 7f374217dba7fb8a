"""An XLSForm `constraint` read as the limits a Sauti question has: a number's `min`/`max`, how
many choices may be ticked, a text's length. Sauti checks those itself and says, in the
participant's language, what it accepts; any other constraint could not be explained in chat."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from dialogues.dates import parse_bound
from dialogues.expressions import And, Compare, Expr
from dialogues.problem_codes import ProblemCode, Said
from dialogues.xlsform.xpath import LENGTH_PREFIX, SELF, TODAY

#: A key of the limits found that is no limit: what to warn the author of.
WARNING = "warning"
_WHAT = {
    "number": "limits on the number, like . >= 0 and . <= 120",
    "multiple_choice": "how many may be ticked, like count-selected(.) <= 3",
    "text": "the answer's length, like string-length(.) <= 200",
    "date": "the earliest and latest day, like . >= date('2020-01-01') and . <= today()",
}
_REFUSED = {
    "number": ProblemCode.CONSTRAINT_NUMBER_ONLY,
    "multiple_choice": ProblemCode.CONSTRAINT_TICKS_ONLY,
    "text": ProblemCode.CONSTRAINT_LENGTH_ONLY,
    "date": ProblemCode.CONSTRAINT_DAYS_ONLY,
}


def limits(expr: Expr, kind: str, integer: bool) -> dict[str, Any] | Said:
    """The question's limits from a constraint, or why Sauti cannot check it."""
    if kind not in _WHAT:
        return Said(
            f"Sauti cannot check a constraint on a {kind.replace('_', ' ')} question",
            ProblemCode.CONSTRAINT_ON_KIND,
            {"kind": kind.replace("_", " ")},
        )
    code = _REFUSED[kind]
    refused = Said(f"Sauti can check only {_WHAT[kind]}", code)
    parts = expr.operands if isinstance(expr, And) else (expr,)
    found: dict[str, Any] = {}
    for part in parts:
        if not isinstance(part, Compare) or part.op in ("=", "!="):
            return refused
        subject = (part.question, part.count)
        value = part.value
        if kind == "date" and subject == (SELF, False) and isinstance(value, str):
            bound = _date_bound(part.op, value)
            if bound is None:
                return Said(
                    f"{refused.message}; {value!r} is not a date like 2020-01-31",
                    ProblemCode.CONSTRAINT_NOT_A_DATE,
                    {"found": repr(value)},
                )
            found.update(bound)
            continue
        if not isinstance(value, int | float):
            return refused
        if kind == "number" and subject == (SELF, False):
            bound = _number_bound(part.op, value, integer)
            if bound is None:
                return Said(
                    f"{refused.message}; write >= or <= (Sauti's limits include their ends)",
                    ProblemCode.CONSTRAINT_STRICT,
                )
            found.update(bound)
        elif kind == "multiple_choice" and subject == (SELF, True):
            found.update(_count_bound(part.op, int(value), "min", "max"))
        elif kind == "text" and subject == (LENGTH_PREFIX + SELF, True):
            bound = _count_bound(part.op, int(value), "min_length", "max_length")
            if "min_length" in bound:
                return Said(
                    f"{refused.message} (at most; a least length cannot be asked for)",
                    ProblemCode.CONSTRAINT_LEAST_LENGTH,
                )
            found.update(bound)
        else:
            return refused
    return found


def _number_bound(op: str, value: float, integer: bool) -> dict[str, Any] | None:
    """`. > 3` on whole numbers is `min: 4`; on decimals it has no inclusive equivalent."""
    if op in (">=", "<="):
        return {"min" if op == ">=" else "max": value}
    if not integer:
        return None
    if op == ">":
        return {"min": math.floor(value) + 1}
    return {"max": math.ceil(value) - 1}


def _count_bound(op: str, value: int, low: str, high: str) -> dict[str, Any]:
    shifted = {
        ">=": (low, value),
        ">": (low, value + 1),
        "<=": (high, value),
        "<": (high, value - 1),
    }
    key, bound = shifted[op]
    return {key: bound}


def _date_bound(op: str, value: str) -> dict[str, Any] | None:
    """`. > date('2020-01-01')` is `min: 2020-01-02`; `. < today()` has no inclusive form."""
    day = parse_bound(value)
    if day is None:
        return None
    key = "min" if op in (">=", ">") else "max"
    if op in (">=", "<="):
        return {key: day}
    if day == TODAY:
        # `. < today()` (born before today) is common in field forms; Sauti's day of slack
        # around today would blur the one day of difference anyway.
        return {key: TODAY, WARNING: f"'{op} today()' is read as '{op}= today()'"}
    if not isinstance(day, dt.date):
        return None
    return {key: day + dt.timedelta(days=1 if op == ">" else -1)}
