"""`choice_filter`, the cascading select of KoboToolbox and ODK (the counties listed are those of
the state chosen before), asked in chat as one question per earlier answer: `county_north`,
offering the north's counties, asked only when state = 'north'. A chat cannot change a
question's buttons as it goes, but it can choose which question to ask.

A later condition on the filtered question (`${county} = 'x'`) is rewritten to name the parts
that offer that choice. The filter Sauti reads is the one the documentation shows: a column of
the choices sheet equal to an earlier single-choice answer (`state = ${state}`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogues.expressions import And, Answered, Compare, Expr, InSet, Not, Or, Selected
from dialogues.problem_codes import Param, ProblemCode
from dialogues.xlsform.reader import FormReader, Part
from dialogues.xlsform.workbook import CHOICES, Location
from dialogues.xlsform.xpath import to_sauti

_NAME = r"[A-Za-z_][\w.-]*"
_FILTER = re.compile(
    rf"^\s*(?:(?P<column>{_NAME})\s*=\s*\$\{{\s*(?P<parent>\w+)\s*\}}"
    rf"|\$\{{\s*(?P<parent2>\w+)\s*\}}\s*=\s*(?P<column2>{_NAME}))\s*$"
)
_NOT_ID = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True, slots=True)
class Filter:
    column: str  # of the choices sheet
    parent: str  # the earlier question whose answer it must equal


def read_filter(source: str) -> Filter | None:
    match = _FILTER.match(source)
    if match is None:
        return None
    column = match.group("column") or match.group("column2")
    return Filter(column, match.group("parent") or match.group("parent2"))


def split(
    reader: FormReader,
    question: dict[str, Any],
    scratch: str,
    where: Location,
    earlier: list[dict[str, Any]],
    relevant: Expr | None,
) -> list[tuple[dict[str, Any], str]]:
    """The question's parts, each with the path it was built under (its places are copied
    from there); none, after saying why, when the filter cannot be asked this way."""
    source = reader.choice_filters[scratch]
    found = read_filter(source)
    if found is None:
        reader.problem(
            where,
            "Sauti can filter choices only by one earlier answer, like state = ${state}; "
            f"{source!r} is not that",
            ProblemCode.FILTER_UNSUPPORTED,
            filter=source,
        )
        return []
    parent = next((q for q in earlier if q["id"] == found.parent), None)
    if parent is None or parent["kind"] != "single_choice" or parent["id"] in reader.splits:
        reader.problem(
            where,
            f"'{found.parent}' is not an earlier select_one question",
            ProblemCode.FILTER_NOT_EARLIER,
            question=found.parent,
        )
        return []
    rows = reader.option_rows[scratch]
    parts: list[tuple[dict[str, Any], str]] = []
    for parent_option in parent["options"]:
        value = parent_option["id"]
        chosen = [i for i, row in enumerate(rows) if row.get(found.column) == value]
        if not chosen:
            continue
        part = dict(question)
        part["id"] = _NOT_ID.sub("_", f"{question['id']}_{value}")
        part["options"] = [question["options"][i] for i in chosen]
        for bound in ("min", "max"):  # no more ticks asked for than the part offers
            if bound in part:
                part[bound] = min(part[bound], len(chosen))
        condition = Compare(found.parent, "=", value)
        part["relevant"] = to_sauti(And((relevant, condition)) if relevant else condition)
        parts.append((part, scratch))
        reader.option_order[part["id"]] = chosen
    if not parts:
        reader.problem(
            Location(CHOICES, None, found.column),
            f"no choice of the list has a '{found.column}' equal to an answer of '{found.parent}'",
            ProblemCode.FILTER_MATCHES_NOTHING,
            header=found.column,
            question=found.parent,
        )
    reader.splits[question["id"]] = [
        Part(part["id"], frozenset(o["id"] for o in part["options"])) for part, _ in parts
    ]
    return parts


def rewrite(expr: Expr, splits: dict[str, list[Part]]) -> Expr:
    """A condition on a filtered question as one on its parts; RewriteError when it cannot be."""
    match expr:
        case And(operands):
            return And(tuple(rewrite(o, splits) for o in operands))
        case Or(operands):
            return Or(tuple(rewrite(o, splits) for o in operands))
        case Not(operand):
            return Not(rewrite(operand, splits))
        case Answered(question) if question in splits:
            return _any([Answered(part.id) for part in splits[question]])
        case Selected(question, option) if question in splits:
            return _any([Selected(p.id, option) for p in splits[question] if option in p.options])
        case Compare(question, "=", value, False) if question in splits:
            parts = splits[question]
            return _any([Compare(p.id, "=", value) for p in parts if value in p.options])
        case InSet(question, values) if question in splits:
            return _any(
                [
                    InSet(p.id, tuple(v for v in values if v in p.options))
                    for p in splits[question]
                    if any(v in p.options for v in values)
                ]
            )
        case Compare(question, _, _, _) if question in splits:
            raise RewriteError(
                f"'{question}' offers its choices by an earlier answer: test it with = or "
                "selected() only",
                ProblemCode.FILTERED_COMPARED,
                {"question": question},
            )
    return expr


class RewriteError(ValueError):
    """A condition that cannot name the parts of a filtered question; `code` and `params` say
    why in stable parts."""

    def __init__(
        self, message: str, code: ProblemCode, params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, Param] = dict(params or {})


def _any(parts: list[Expr]) -> Expr:
    if not parts:
        raise RewriteError(
            "no choice of that name is offered by the filtered question",
            ProblemCode.FILTERED_NO_SUCH_CHOICE,
        )
    return parts[0] if len(parts) == 1 else Or(tuple(parts))
