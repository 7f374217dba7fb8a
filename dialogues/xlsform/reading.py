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
from dataclasses import dataclass, field
from typing import Any

from dialogues.expressions import And, Expr, ExpressionError
from dialogues.localization import builtin_catalog
from dialogues.xlsform.constraints import limits
from dialogues.xlsform.languages import FormLanguages, find_languages
from dialogues.xlsform.settings import read_settings
from dialogues.xlsform.workbook import (
    CHOICES,
    SURVEY,
    FormProblem,
    Location,
    Sheet,
    Workbook,
    read_header,
)
from dialogues.xlsform.xpath import parse_xpath, to_sauti

_KINDS = {"integer": "number", "decimal": "number", "text": "text", "note": "info"}
# Filled in by ODK on the device; a chat has none of them, and Sauti would not collect them.
_METADATA = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber"}
    | {"username", "email", "audit", "instanceid", "start-geopoint", "background-audio"}
    | {"background-geopoint", "imei", "uri:deviceid", "uri:email", "uri:username"}
)
_MEDIA = frozenset({"image", "audio", "video", "big-image", "media::image", "media::audio"})
_MEDIA |= {"media::video", "media::big-image"}
_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"no", "false", "false()", "0"})
_DATE_ANSWER_LENGTH = 40
_MAX_SCALE_STEPS = 11


@dataclass
class FormReading:
    """What reading a form found: the document (None when nothing could be made of it)."""

    document: dict[str, Any] | None
    problems: list[FormProblem] = field(default_factory=list)
    warnings: list[FormProblem] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)

    def locate(self, path: str) -> Location:
        """Where a document path came from: the nearest enclosing part that has a place."""
        while path:
            if path in self.locations:
                return self.locations[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.locations.get("", Location("settings"))


@dataclass(frozen=True, slots=True)
class _Group:
    relevant: Expr | None
    repeat: bool


class _Reader:
    def __init__(self, workbook: Workbook, reading: FormReading) -> None:
        self.workbook = workbook
        self.reading = reading
        self.languages = FormLanguages((), "en", None)
        self.lists: dict[str, list[tuple[int, Mapping[str, str]]]] = {}

    def problem(self, location: Location, message: str) -> None:
        self.reading.problems.append(FormProblem(location, message))

    def warning(self, location: Location, message: str) -> None:
        self.reading.warnings.append(FormProblem(location, message))

    def place(self, path: str, location: Location) -> None:
        self.reading.locations.setdefault(path, location)

    def texts(
        self, sheet: Sheet, index: int, row: Mapping[str, str], base: str, path: str
    ) -> dict[str, str]:
        """A row's text of one kind (`label`, `hint`) per language, each cell's place noted."""
        found: dict[str, str] = {}
        for header, value in row.items():
            column = read_header(header)
            language = self.languages.of(column)
            if column.base != base or language is None:
                continue
            found[language] = value
            self.place(f"{path}.{language}", Location(sheet.name, sheet.row_number(index), header))
        for code in self.languages.codes:
            named = self.header_for(sheet, base, code)
            if named is not None:
                self.place(f"{path}.{code}", Location(sheet.name, sheet.row_number(index), named))
        return found

    def header_for(self, sheet: Sheet, base: str, language: str) -> str | None:
        for header in sheet.columns:
            column = read_header(header)
            if column.base == base and self.languages.of(column) == language:
                return header
        return None

    def expression(self, where: Location, source: str, *, columns: bool = False) -> Expr | None:
        try:
            return parse_xpath(source, columns=columns)
        except ExpressionError as error:
            self.problem(where, f"{error.message} (at character {error.column} of {source!r})")
            return None


def read_form(workbook: Workbook, *, fallback_id: str | None = None) -> FormReading:
    """Read an XLSForm into a Sauti survey document, collecting every problem."""
    reading = FormReading(document=None)
    reader = _Reader(workbook, reading)
    survey = workbook.sheet(SURVEY)
    if survey is None:
        reader.problem(Location(SURVEY), "the workbook has no 'survey' sheet")
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


def _questions(reader: _Reader, sheet: Sheet) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    groups: list[_Group] = []
    reader.place("questions", Location(SURVEY))
    for index, row in enumerate(sheet.rows):
        number = sheet.row_number(index)
        words = row.get("type", "").split()
        if not words:
            if any(key in row for key in ("name", "label")) or any("label::" in k for k in row):
                reader.problem(Location(SURVEY, number, "type"), "this row has no type")
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
                )
            relevant = _relevant(reader, row, number)
            groups.append(_Group(relevant, kind == "begin_repeat"))
            continue
        if kind in ("end_group", "end_repeat"):
            if groups:
                groups.pop()
            else:
                reader.problem(Location(SURVEY, number, "type"), f"'{row['type']}' closes nothing")
            continue
        if kind in _METADATA:
            reader.warning(
                Location(SURVEY, number, "type"),
                f"'{kind}' is device metadata: Sauti does not collect it (left out)",
            )
            continue
        path = f"questions[{len(questions)}]"
        question = _question(reader, sheet, index, row, words, path)
        if question is None:
            continue
        conditions = [g.relevant for g in groups if g.relevant is not None]
        own = _relevant(reader, row, number)
        if own is not None:
            conditions.append(own)
        if conditions:
            combined = conditions[0] if len(conditions) == 1 else And(tuple(conditions))
            question["relevant"] = to_sauti(combined)
            reader.place(f"{path}.relevant", Location(SURVEY, number, "relevant"))
        questions.append(question)
    if groups:
        reader.problem(Location(SURVEY), "a group or repeat is begun but never ended")
    return questions


def _relevant(reader: _Reader, row: Mapping[str, str], number: int) -> Expr | None:
    source = _cell(row, "relevant")
    if not source:
        return None
    return reader.expression(Location(SURVEY, number, _header(row, "relevant")), source)


def _cell(row: Mapping[str, str], base: str) -> str | None:
    for header, value in row.items():
        column = read_header(header)
        if column.base == base and column.language_name is None:
            return value.strip()
    return None


def _header(row: Mapping[str, str], base: str) -> str:
    for header in row:
        if read_header(header).base == base:
            return header
    return base


def _question(
    reader: _Reader, sheet: Sheet, index: int, row: Mapping[str, str], words: list[str], path: str
) -> dict[str, Any] | None:
    number = sheet.row_number(index)
    kind = words[0].lower()
    at_type = Location(SURVEY, number, "type")
    name = row.get("name")
    if name is None:
        reader.problem(Location(SURVEY, number, "name"), "a question needs a name")
    _unsupported_cells(reader, row, number)
    question: dict[str, Any] = {"id": name or f"row{number}"}
    reader.place(path, Location(SURVEY, number))
    reader.place(f"{path}.id", Location(SURVEY, number, "name"))
    reader.place(f"{path}.kind", at_type)
    if kind in ("select_one", "select_multiple"):
        if not _choices(reader, row, words, number, path, question):
            return None
    elif kind in _KINDS:
        question["kind"] = _KINDS[kind]
        if kind in ("integer", "decimal"):
            question["integer"] = kind == "integer"
    elif kind == "range":
        _range(reader, row, number, question, path)
    elif kind == "date":
        question.update(kind="text", max_length=_DATE_ANSWER_LENGTH)
        reader.warning(at_type, "Sauti has no date answer yet: asked as a short free text")
    elif kind == "calculate":
        reader.problem(at_type, "Sauti cannot calculate values during a chat")
        return None
    else:
        reader.problem(at_type, f"a '{kind}' question cannot be asked in chat")
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
            reader.problem(where, "Sauti cannot put earlier answers into a text (${...})")
    if question["kind"] != "info":
        _required(reader, row, number, question)
        _constraint(reader, row, number, question, path)
    if _cell(row, "sensitive") and _cell(row, "sensitive") in _TRUE:
        question["sensitive"] = True
    # In the order an author writes a question: what it is and asks first, then the rest.
    first = {key: question.pop(key) for key in ("id", "kind", "text") if key in question}
    return first | question


def _unsupported_cells(reader: _Reader, row: Mapping[str, str], number: int) -> None:
    for header in row:
        base = read_header(header).base
        where = Location(SURVEY, number, header)
        if base in _MEDIA:
            reader.problem(where, "Sauti cannot send pictures, sound or video with a question yet")
        elif base in ("trigger", "calculation", "repeat_count"):
            reader.problem(where, f"Sauti cannot use '{base}' in chat")
        elif base in ("default", "required_message", "read_only"):
            reader.warning(where, f"'{base}' is not used by Sauti")


def _required(
    reader: _Reader, row: Mapping[str, str], number: int, question: dict[str, Any]
) -> None:
    raw = (_cell(row, "required") or "no").lower()
    if raw in _FALSE:
        question["optional"] = True
    elif raw not in _TRUE:
        reader.problem(
            Location(SURVEY, number, _header(row, "required")),
            f"required must be yes or no here; {raw!r} is not",
        )


def _constraint(
    reader: _Reader, row: Mapping[str, str], number: int, question: dict[str, Any], path: str
) -> None:
    source = _cell(row, "constraint")
    if not source:
        return
    where = Location(SURVEY, number, _header(row, "constraint"))
    expr = reader.expression(where, source)
    if expr is None:
        return
    found = limits(expr, question["kind"], question.get("integer", True))
    if isinstance(found, str):
        reader.problem(where, found)
        return
    for key, value in found.items():
        question[key] = value
        reader.place(f"{path}.{key}", where)
    if any(read_header(h).base == "constraint_message" for h in row):
        reader.warning(
            Location(SURVEY, number, _header(row, "constraint_message")),
            "not used: when an answer is outside the limits, Sauti says which it accepts, "
            "in the participant's language",
        )


def _choices(
    reader: _Reader,
    row: Mapping[str, str],
    words: list[str],
    number: int,
    path: str,
    question: dict[str, Any],
) -> bool:
    at_type = Location(SURVEY, number, "type")
    if len(words) != 2:
        extra = " ('or_other' is not supported: add an 'other' choice)" if len(words) > 2 else ""
        reader.problem(at_type, f"write the type as '{words[0]} list_name'{extra}")
        return False
    entries = reader.lists.get(words[1])
    if entries is None:
        reader.problem(at_type, f"the choices sheet has no list '{words[1]}'")
        return False
    if _cell(row, "choice_filter"):
        reader.problem(
            Location(SURVEY, number, _header(row, "choice_filter")),
            "Sauti cannot filter choices by an earlier answer yet",
        )
    names = [entry.get("name", "") for _, entry in entries]
    catalog = builtin_catalog()
    builtin = all(code in catalog.messages["option.yes"] for code in reader.languages.codes)
    if words[0] == "select_one" and names == ["yes", "no"] and builtin:
        question["kind"] = "yes_no"
        return True
    question["kind"] = "single_choice" if words[0] == "select_one" else "multiple_choice"
    choices = reader.workbook.sheet(CHOICES)
    assert choices is not None  # a list was found in it
    options: list[dict[str, Any]] = []
    for index, entry in entries:
        option_path = f"{path}.options[{len(options)}]"
        option_row = choices.row_number(index)
        reader.place(option_path, Location(CHOICES, option_row))
        reader.place(f"{option_path}.id", Location(CHOICES, option_row, "name"))
        for header in entry:
            if read_header(header).base in _MEDIA:
                reader.problem(
                    Location(CHOICES, option_row, header),
                    "Sauti cannot show pictures, sound or video as a choice yet",
                )
        text = reader.texts(choices, index, entry, "label", f"{option_path}.text")
        options.append({"id": entry.get("name", ""), "text": text})
    question["options"] = options
    return True


def _range(
    reader: _Reader, row: Mapping[str, str], number: int, question: dict[str, Any], path: str
) -> None:
    where = Location(SURVEY, number, _header(row, "parameters"))
    parameters: dict[str, str] = {}
    for part in (_cell(row, "parameters") or "").replace(";", " ").replace(",", " ").split():
        key, _, value = part.partition("=")
        parameters[key.strip().lower()] = value.strip()
    try:
        start, end, step = (float(parameters.get(k, d)) for k, d in _RANGE_DEFAULTS)
    except ValueError:
        reader.problem(where, "start, end and step must be numbers, like start=1 end=5 step=1")
        start, end, step = 1.0, 5.0, 1.0
    whole = all(v.is_integer() for v in (start, end, step))
    if whole and step == 1 and 1 < end - start + 1 <= _MAX_SCALE_STEPS:
        question.update(kind="scale", min=int(start), max=int(end))
        reader.place(f"{path}.min", where)
        reader.place(f"{path}.max", where)
        labels = _tick_labels(reader, parameters.get("tick_labelset"), int(start), int(end), path)
        if labels:
            question["labels"] = labels
        return
    question.update(kind="number", integer=whole, min=_plain(start), max=_plain(end))
    reader.place(f"{path}.min", where)
    reader.place(f"{path}.max", where)
    if step != 1:
        reader.warning(
            where,
            f"any number from {_plain(start)} to {_plain(end)} is accepted, "
            f"not only steps of {_plain(step)}",
        )


_RANGE_DEFAULTS = (("start", "1"), ("end", "10"), ("step", "1"))


def _plain(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _tick_labels(
    reader: _Reader, list_name: str | None, low: int, high: int, path: str
) -> dict[str, dict[str, str]]:
    """A scale's end labels, from the choices its `tick_labelset` names (by their values)."""
    choices = reader.workbook.sheet(CHOICES)
    if not list_name or choices is None:
        return {}
    labels: dict[str, dict[str, str]] = {}
    for index, entry in reader.lists.get(list_name, []):
        for end, value in (("min", low), ("max", high)):
            if entry.get("name") == str(value):
                labels[end] = reader.texts(choices, index, entry, "label", f"{path}.labels.{end}")
    return labels
