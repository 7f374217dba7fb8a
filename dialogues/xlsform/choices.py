"""Choice questions (`select_one`, `select_multiple`) and ranges: their options from the
choices sheet, a yes/no list as Sauti's yes/no question, a range as a scale or a number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogues.localization import builtin_catalog
from dialogues.problem_codes import ProblemCode
from dialogues.xlsform.reader import MEDIA, FormReader, cell_of, header_of
from dialogues.xlsform.workbook import CHOICES, SURVEY, Location, read_header

_MAX_SCALE_STEPS = 11


def choices_of(
    reader: FormReader,
    row: Mapping[str, str],
    words: list[str],
    number: int,
    path: str,
    question: dict[str, Any],
) -> bool:
    at_type = Location(SURVEY, number, "type")
    if len(words) != 2:
        extra = " ('or_other' is not supported: add an 'other' choice)" if len(words) > 2 else ""
        reader.problem(
            at_type,
            f"write the type as '{words[0]} list_name'{extra}",
            ProblemCode.OR_OTHER if len(words) > 2 else ProblemCode.SELECT_NEEDS_LIST,
            type=words[0],
        )
        return False
    entries = reader.lists.get(words[1])
    if entries is None:
        reader.problem(
            at_type,
            f"the choices sheet has no list '{words[1]}'",
            ProblemCode.NO_SUCH_LIST,
            list=words[1],
        )
        return False
    choice_filter = cell_of(row, "choice_filter")
    if choice_filter:
        reader.choice_filters[path] = choice_filter
        reader.option_rows[path] = [entry for _, entry in entries]
    names = [entry.get("name", "") for _, entry in entries]
    catalog = builtin_catalog()
    builtin = all(code in catalog.messages["option.yes"] for code in reader.languages.codes)
    if words[0] == "select_one" and names == ["yes", "no"] and builtin and not choice_filter:
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
            if read_header(header).base in MEDIA:
                reader.problem(
                    Location(CHOICES, option_row, header),
                    "Sauti cannot show pictures, sound or video as a choice yet",
                    ProblemCode.MEDIA_CHOICE,
                )
        text = reader.texts(choices, index, entry, "label", f"{option_path}.text")
        options.append({"id": entry.get("name", ""), "text": text})
    question["options"] = options
    return True


def range_of(
    reader: FormReader, row: Mapping[str, str], number: int, question: dict[str, Any], path: str
) -> None:
    where = Location(SURVEY, number, header_of(row, "parameters"))
    parameters: dict[str, str] = {}
    for part in (cell_of(row, "parameters") or "").replace(";", " ").replace(",", " ").split():
        key, _, value = part.partition("=")
        parameters[key.strip().lower()] = value.strip()
    try:
        start, end, step = (float(parameters.get(k, d)) for k, d in _RANGE_DEFAULTS)
    except ValueError:
        reader.problem(
            where,
            "start, end and step must be numbers, like start=1 end=5 step=1",
            ProblemCode.RANGE_NOT_NUMBERS,
        )
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
    reader: FormReader, list_name: str | None, low: int, high: int, path: str
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
