"""The settings sheet: XLSForm's `form_id`, `form_title` and `default_language`, and the
campaign texts only Sauti has, as columns named after the survey file's keys, one per language
(`organisation::English (en)`, `promise::English (en)`, `intro::…`, `thanks::…`,
`data_notice::…`, and `campaign_title::…` to translate `form_title`, since pyxform refuses a
`title` column) or plain (`allow_fallback`, `shared_phones`, `report_back_by`,
`retention_days`, `date_order`, `translation_status::French (fr)`), and the campaign's own
wording of Sauti's texts (`system_text.survey.thanks::Français (fr)`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dialogues.problem_codes import ProblemCode
from dialogues.xlsform.workbook import SETTINGS, Location, Sheet, Workbook, read_header

if TYPE_CHECKING:
    from dialogues.xlsform.reader import FormReader

#: A settings column `system_text.survey.thanks::Français (fr)`: the campaign's own wording of
#: one of Sauti's texts in one language (a survey file's `system_texts`).
SYSTEM_TEXT = "system_text."
CAMPAIGN_TEXTS = ("title", "organisation", "promise", "intro", "thanks", "data_notice")
#: The settings column of a campaign text, where it is not the survey file's key.
TEXT_COLUMN = {"title": "campaign_title"}
_FLAGS = ("allow_fallback", "shared_phones")
_NEEDED = {
    "organisation": "who is asking (the organisation's name)",
    "promise": "what you promise to tell people, and by when",
}
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


def read_settings(
    reader: FormReader, workbook: Workbook, fallback_id: str | None
) -> dict[str, Any]:
    sheet = workbook.sheet(SETTINGS) or Sheet(SETTINGS, (), ())
    row = sheet.rows[0] if sheet.rows else {}
    reader.place("", Location(SETTINGS))
    languages = reader.languages
    document: dict[str, Any] = {
        "spec_version": 1,
        "id": _campaign_id(reader, row, fallback_id),
        "languages": list(languages.codes),
        "default_language": languages.default,
    }
    for index, _code in enumerate(languages.codes):
        header = reader.header_for(workbook.sheet("survey") or sheet, "label", _code)
        reader.place(f"languages[{index}]", Location("survey", 1, header))
    reader.place("default_language", Location(SETTINGS, 2, "default_language"))
    for key in CAMPAIGN_TEXTS:
        texts = reader.texts(sheet, 0, row, TEXT_COLUMN.get(key, key), key) if row else {}
        if key == "title" and row.get("form_title") and not texts:
            # XLSForm's title is one text, shown whatever the language: the same in each,
            # unless `campaign_title::Language (code)` columns translate it.
            texts = dict.fromkeys(languages.codes, row["form_title"])
            reader.place("title", Location(SETTINGS, 2, "form_title"))
        if texts:
            document[key] = texts
        elif key in _NEEDED or key == "title":
            what = _NEEDED.get(key, "the campaign's title")
            column = "form_title" if key == "title" else f"{key}::English (en)"
            reader.problem(
                Location(SETTINGS, None, column),
                f"Sauti needs {what}: add a column '{column}' to the settings sheet "
                "(one per language)",
                ProblemCode.SETTINGS_COLUMN_NEEDED,
                header=column,
            )
            reader.place(key, Location(SETTINGS, None, column))
            # A stand-in, so that the loader checks the rest of the form (it is never written:
            # the problem above stops the import).
            document[key] = dict.fromkeys(languages.codes, "-")
    for key in (*_FLAGS, "report_back_by", "retention_days", "date_order"):
        if key in row:
            document[key] = _scalar(key, row[key])
            reader.place(key, Location(SETTINGS, 2, key))
    status = {
        read_header(header).language: state.strip()
        for header, state in row.items()
        if read_header(header).base == "translation_status" and read_header(header).language
    }
    if status:
        document["translation_status"] = status
        reader.place("translation_status", Location(SETTINGS, 2))
    wordings = _wordings(reader, row)
    if wordings:
        document["system_texts"] = wordings
    return document


def _wordings(reader: FormReader, row: dict[str, str] | Any) -> dict[str, dict[str, str]]:
    wordings: dict[str, dict[str, str]] = {}
    for header, value in row.items():
        column = read_header(header)
        language = reader.languages.of(column)
        if not column.base.startswith(SYSTEM_TEXT) or language is None or not value.strip():
            continue
        key = column.base.removeprefix(SYSTEM_TEXT)
        wordings.setdefault(key, {})[language] = value
        for path in (f"system_texts.{key}", f"system_texts.{key}.{language}"):
            reader.place(path, Location(SETTINGS, 2, header))
    return wordings


def _campaign_id(reader: FormReader, row: dict[str, str] | Any, fallback_id: str | None) -> str:
    if row.get("form_id"):
        reader.place("id", Location(SETTINGS, 2, "form_id"))
        return str(row["form_id"])
    if fallback_id:
        # pyxform names a form without form_id after its file; so does Sauti.
        cleaned = _NOT_ID.sub("-", fallback_id).strip("-_")[:32] or "form"
        reader.place("id", Location(SETTINGS, None, "form_id"))
        return cleaned
    reader.problem(
        Location(SETTINGS, None, "form_id"),
        "name the campaign in a form_id column",
        ProblemCode.FORM_ID_NEEDED,
    )
    return "form"


def _scalar(key: str, value: str) -> Any:
    text = value.strip()
    if key in _FLAGS:
        lowered = text.lower()
        return {"yes": True, "true": True, "no": False, "false": False}.get(lowered, text)
    if key == "retention_days" and text.isdigit():
        return int(text)
    return text
