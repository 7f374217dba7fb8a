"""An XLSForm's rows read into a Sauti survey document (the shape of a spec_version 1 file),
with where in the workbook each part of it came from, and every problem found on the way.

Chat-native renderings: `select_one` and `select_multiple` become choice questions (a list of
just `yes` and `no` becomes Sauti's yes/no question, with its buttons in every language, when
Sauti has those in all the form's languages), `integer` and `decimal` numbers, `range` a scale
(a number when it has more steps than fit on buttons), `note` a message, a `hint` the question's
second paragraph, `constraint` the limits Sauti checks and explains itself. Groups are
flattened, their `relevant` joined to each question's. Device metadata is never collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogues.expressions import And, Expr
from dialogues.problem_codes import ProblemCode, Said
from dialogues.xlsform.cascades import RewriteError, rewrite, split
from dialogues.xlsform.choices import choices_of, range_of
from dialogues.xlsform.constraints import WARNING, limits
from dialogues.xlsform.languages import find_languages
from dialogues.xlsform.reader import FALSE, MEDIA, TRUE, FormReader, FormReading, cell_of, header_of
from dialogues.xlsform.settings import read_settings
from dialogues.xlsform.workbook import CHOICES, SURVEY, Location, Sheet, Workbook, read_header
from dialogues.xlsform.xpath import to_sauti

_KINDS = {"integer": "number", "decimal": "number", "text": "text", "note": "info"}
# Filled in by ODK on the device; a chat has none of them, and Sauti would not collect them.
_METADATA = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber"}
    | {"username", "email", "audit", "instanceid", "start-geopoint", "background-audio"}
    | {"background-geopoint", "imei", "uri:deviceid", "uri:email", "uri:username"}
)


@dataclass(frozen=True, slots=True)
class _Group:
    relevant: Expr | None
    repeat: bool


def read_form(workbook: Workbook, *, fallback_id: str | None = None) -> FormReading:
    """Read an XLSForm into a Sauti survey document, collecting every problem."""
    reading = FormReading(document=None)
    reader = FormReader(workbook, reading)
    survey = workbook.sheet(SURVEY)
    if survey is None:
        reader.problem(
            Location(SURVEY), "the workbook has no 'survey' sheet", ProblemCode.NO_SURVEY_SHEET
        )
        return reading
    reader.languages = find_languages(workbook, reader.problem, reader.warning)
    choices = workbook.sheet(CHOICES)
    for index, row in enumerate(choices.rows if choices else ()):
        list_name = row.get("list_name")
        if list_name:
            reader.lists.setdefault(list_name, []).append((index, row))
    document = read_settings(reader, workbook, fallback_id)
    document["questions"] = _questions(reader, survey)
    reading.document = document
    return reading


def _questions(reader: FormReader, sheet: Sheet) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    groups: list[_Group] = []
    reader.place("questions", Location(SURVEY))
    for index, row in enumerate(sheet.rows):
        number = sheet.row_number(index)
        words = row.get("type", "").split()
        if not words:
            if any(key in row for key in ("name", "label")) or any("label::" in k for k in row):
                reader.problem(
                    Location(SURVEY, number, "type"), "this row has no type", ProblemCode.NO_TYPE
                )
            continue
        kind = words[0].lower().replace(" ", "_")
        if words[:2] in (["begin", "group"], ["begin", "repeat"]):
            kind = f"begin_{words[1].lower()}"
        elif words[:2] in (["end", "group"], ["end", "repeat"]):
            kind = f"end_{words[1].lower()}"
        if kind in ("begin_group", "begin_repeat"):
            if kind == "begin_repeat":
                reader.problem(
                    Location(SURVEY, number, "type"),
                    "repeats cannot be asked in chat: ask a fixed number of questions instead",
                    ProblemCode.REPEAT,
                )
            relevant = _relevant(reader, row, number)
            groups.append(_Group(relevant, kind == "begin_repeat"))
            continue
        if kind in ("end_group", "end_repeat"):
            if groups:
                groups.pop()
            else:
                reader.problem(
                    Location(SURVEY, number, "type"),
                    f"'{row['type']}' closes nothing",
                    ProblemCode.CLOSES_NOTHING,
                    type=row["type"],
                )
            continue
        if kind in _METADATA:
            reader.warning(
                Location(SURVEY, number, "type"),
                f"'{kind}' is device metadata: Sauti does not collect it (left out)",
            )
            continue
        # A filtered question becomes several: built aside, then placed part by part.
        filtered = bool(cell_of(row, "choice_filter"))
        path = f"filtered[{number}]" if filtered else f"questions[{len(questions)}]"
        question = _question(reader, sheet, index, row, words, path)
        if question is None:
            continue
        combined = _conditions(reader, groups, row, number)
        if filtered and question["kind"] in ("single_choice", "multiple_choice"):
            where = Location(SURVEY, number, header_of(row, "choice_filter"))
            for part, built in split(reader, question, path, where, questions, combined):
                _place_part(reader, built, f"questions[{len(questions)}]", part["id"])
                questions.append(part)
            continue
        if combined is not None:
            question["relevant"] = to_sauti(combined)
            reader.place(f"{path}.relevant", Location(SURVEY, number, "relevant"))
        questions.append(question)
    if groups:
        reader.problem(
            Location(SURVEY),
            "a group or repeat is begun but never ended",
            ProblemCode.GROUP_NOT_ENDED,
        )
    return questions


def _conditions(
    reader: FormReader, groups: list[_Group], row: Mapping[str, str], number: int
) -> Expr | None:
    """The question's own relevant and its groups', joined; on filtered questions, made to
    name their parts."""
    conditions = [g.relevant for g in groups if g.relevant is not None]
    own = _relevant(reader, row, number)
    if own is not None:
        conditions.append(own)
    if not conditions:
        return None
    combined = conditions[0] if len(conditions) == 1 else And(tuple(conditions))
    try:
        return rewrite(combined, reader.splits)
    except RewriteError as error:
        where = Location(SURVEY, number, header_of(row, "relevant"))
        reader.problem(where, str(error), error.code, **error.params)
        return None


def _place_part(reader: FormReader, built: str, path: str, part_id: str) -> None:
    """A part's places: those of the question it was built as, its options renumbered."""
    locations = reader.reading.locations
    order = reader.option_order[part_id]
    for key, location in list(locations.items()):
        if not key.startswith((built + ".", built + "[")):
            continue
        rest = key[len(built) :]
        if rest.startswith(".options["):
            number, _, tail = rest[len(".options[") :].partition("]")
            if int(number) not in order:
                continue
            rest = f".options[{order.index(int(number))}]{tail}"
        locations.setdefault(path + rest, location)
    locations.setdefault(path, locations.get(built, Location(SURVEY)))
    locations.setdefault(f"{path}.relevant", locations.get(f"{built}.id", Location(SURVEY)))


def _relevant(reader: FormReader, row: Mapping[str, str], number: int) -> Expr | None:
    source = cell_of(row, "relevant")
    if not source:
        return None
    return reader.expression(Location(SURVEY, number, header_of(row, "relevant")), source)


def _question(
    reader: FormReader,
    sheet: Sheet,
    index: int,
    row: Mapping[str, str],
    words: list[str],
    path: str,
) -> dict[str, Any] | None:
    number = sheet.row_number(index)
    kind = words[0].lower()
    at_type = Location(SURVEY, number, "type")
    name = row.get("name")
    if name is None:
        reader.problem(
            Location(SURVEY, number, "name"), "a question needs a name", ProblemCode.NO_NAME
        )
    _unsupported_cells(reader, row, number)
    question: dict[str, Any] = {"id": name or f"row{number}"}
    reader.place(path, Location(SURVEY, number))
    reader.place(f"{path}.id", Location(SURVEY, number, "name"))
    reader.place(f"{path}.kind", at_type)
    if kind in ("select_one", "select_multiple"):
        if not choices_of(reader, row, words, number, path, question):
            return None
    elif kind in _KINDS:
        question["kind"] = _KINDS[kind]
        if kind in ("integer", "decimal"):
            question["integer"] = kind == "integer"
    elif kind == "range":
        range_of(reader, row, number, question, path)
    elif kind == "date":
        question["kind"] = "date"
    elif kind == "calculate":
        reader.problem(
            at_type, "Sauti cannot calculate values during a chat", ProblemCode.CALCULATE
        )
        return None
    else:
        reader.problem(
            at_type,
            f"a '{kind}' question cannot be asked in chat",
            ProblemCode.TYPE_NOT_IN_CHAT,
            type=kind,
        )
        return None
    label = reader.texts(sheet, index, row, "label", f"{path}.text")
    hint = reader.texts(sheet, index, row, "hint", f"{path}.text")
    question["text"] = {
        language: "\n\n".join(part for part in (label.get(language), hint.get(language)) if part)
        for language in dict.fromkeys([*label, *hint])
    }
    for language, text in question["text"].items():
        if "${" in text:
            where = reader.reading.locations.get(f"{path}.text.{language}", at_type)
            reader.problem(
                where,
                "Sauti cannot put earlier answers into a text (${...})",
                ProblemCode.ANSWER_IN_TEXT,
            )
    if question["kind"] != "info":
        _required(reader, row, number, question)
        _constraint(reader, row, number, question, path)
        _messages(reader, sheet, index, row, question, path)
    if cell_of(row, "sensitive") and cell_of(row, "sensitive") in TRUE:
        question["sensitive"] = True
    # In the order an author writes a question: what it is and asks first, then the rest.
    first = {key: question.pop(key) for key in ("id", "kind", "text") if key in question}
    return first | question


def _unsupported_cells(reader: FormReader, row: Mapping[str, str], number: int) -> None:
    for header in row:
        base = read_header(header).base
        where = Location(SURVEY, number, header)
        if base in MEDIA:
            reader.problem(
                where,
                "Sauti cannot send pictures, sound or video with a question yet",
                ProblemCode.MEDIA_QUESTION,
            )
        elif base in ("trigger", "calculation", "repeat_count"):
            reader.problem(
                where,
                f"Sauti cannot use '{base}' in chat",
                ProblemCode.COLUMN_NOT_IN_CHAT,
                header=base,
            )
        elif base in ("default", "read_only"):
            reader.warning(where, f"'{base}' is not used by Sauti")


def _required(
    reader: FormReader, row: Mapping[str, str], number: int, question: dict[str, Any]
) -> None:
    raw = (cell_of(row, "required") or "no").lower()
    if raw in FALSE:
        question["optional"] = True
    elif raw not in TRUE:
        reader.problem(
            Location(SURVEY, number, header_of(row, "required")),
            f"required must be yes or no here; {raw!r} is not",
            ProblemCode.REQUIRED_NOT_YES_OR_NO,
            found=repr(raw),
        )


def _constraint(
    reader: FormReader, row: Mapping[str, str], number: int, question: dict[str, Any], path: str
) -> None:
    source = cell_of(row, "constraint")
    if not source:
        return
    where = Location(SURVEY, number, header_of(row, "constraint"))
    expr = reader.expression(where, source)
    if expr is None:
        return
    found = limits(expr, question["kind"], question.get("integer", True))
    if isinstance(found, Said):
        reader.problem(where, found.message, found.code, **found.params)
        return
    if WARNING in found:
        reader.warning(where, str(found.pop(WARNING)))
    for key, value in found.items():
        question[key] = value
        reader.place(f"{path}.{key}", where)


def _messages(
    reader: FormReader,
    sheet: Sheet,
    index: int,
    row: Mapping[str, str],
    question: dict[str, Any],
    path: str,
) -> None:
    """`constraint_message` and `required_message` (per language), said instead of Sauti's
    own words when an answer is refused; where there is nothing to refuse, left out."""
    for base, applies in (
        ("constraint_message", any(k in question for k in ("min", "max", "max_length"))),
        ("required_message", not question.get("optional")),
    ):
        texts = reader.texts(sheet, index, row, base, f"{path}.{base}")
        if texts and applies:
            question[base] = texts
        elif texts:
            where = Location(SURVEY, sheet.row_number(index), header_of(row, base))
            what = "a constraint Sauti checks" if base.startswith("c") else "required: yes"
            reader.warning(where, f"'{base}' is not used: the question has no {what}")
