"""A campaign's texts as translators get them, the checks their work passes on the way back,
and each language's completeness and review state."""

from __future__ import annotations

from dialogues import parse
from dialogues.localization import catalog_from_yaml
from dialogues.translations import (
    ImportedText,
    ReviewRecord,
    ReviewState,
    SystemTexts,
    TextEntry,
    applied,
    check_import,
    entries,
    fingerprint,
    language_status,
)
from dialogues.yaml_source import read_yaml

SURVEY = """\
spec_version: 1
id: water
organisation: {en: "Maji Co", sw: "Maji Co"}
title: {en: "Water", sw: "Maji"}
languages: [en, sw]
default_language: en
translation_status: {sw: machine-drafted}
promise: {en: "We will tell you by March.", sw: "Tutakuambia kufikia Machi."}
questions:
  - id: source
    kind: single_choice
    text: {en: "Where do you get water?", sw: "Unapata maji wapi?"}
    options:
      - {id: well, text: {en: "A well", sw: "Kisima"}}
      - {id: tap, text: {en: "A tap", sw: "Bomba"}}
  - id: safe
    kind: yes_no
    text: {en: "Is it safe?", sw: "Ni salama?"}
"""
SYSTEM = SystemTexts(
    "system",
    catalog_from_yaml(
        """
languages: {en: English, sw: Kiswahili}
messages:
  button.skip: {en: "Skip", sw: "Ruka"}
  hint.scale: {en: "From {min} to {max}.", sw: "Kuanzia {min} hadi {max}."}
words: {}
"""
    ),
)


def _entries(language: str = "sw", survey: str = SURVEY) -> dict[str, TextEntry]:
    found = entries(parse(survey), language, (SYSTEM,), button_chars=20)
    return {entry.context: entry for entry in found}


def test_every_text_has_its_context_source_and_translation_and_yes_no_is_sautis_own() -> None:
    found = _entries()
    assert list(found) == [
        "title",
        "organisation",
        "promise",
        "questions.source.text",
        "questions.source.options.well",
        "questions.source.options.tap",
        "questions.safe.text",  # its yes/no buttons are Sauti's (system:option.yes)
        "system:button.skip",
        "system:hint.scale",
    ]
    well = found["questions.source.options.well"]
    assert (well.source, well.translation, well.max_chars) == ("A well", "Kisima", 20)
    assert well.needs_review  # the file says machine-drafted
    assert found["system:hint.scale"].placeholders == {"min", "max"}


def test_a_new_language_has_empty_translations_nothing_to_review() -> None:
    found = _entries("am")
    assert all(entry.translation is None for entry in found.values())
    assert not any(entry.needs_review for entry in found.values())


def _item(line: int, context: str | None, *forms: str) -> ImportedText:
    return ImportedText(line, context, forms, needs_review=False)


def test_every_problem_of_an_import_is_found_with_its_line() -> None:
    notices = SystemTexts("notice", SYSTEM.catalog)  # shared: no campaign words them its way
    expected = list(entries(parse(SURVEY), "sw", (SYSTEM, notices), button_chars=20))
    problems = check_import(
        expected,
        [
            _item(10, "titel", "Maji"),
            _item(14, "questions.source.options.well", "Kisima cha kijiji chetu"),
            _item(18, "system:hint.scale", "Kuanzia {min} hadi {maks}."),
            _item(22, "questions.source.text", "Unapata maji wapi?", "Mapato"),
            _item(26, "promise", ""),
            _item(30, "notice:button.skip", "Ruka swali"),
            _item(32, "system:button.skip", "Ruka swali"),  # the campaign's own wording
            _item(34, "title", "Maji"),
        ],
    )
    assert [(p.line, p.context) for p in problems] == [
        (10, "titel"),
        (14, "questions.source.options.well"),
        (18, "system:hint.scale"),
        (18, "system:hint.scale"),
        (22, "questions.source.text"),
        (26, "promise"),
        (30, "notice:button.skip"),
    ]
    said = [str(problem) for problem in problems]
    assert "context" in said[0]
    assert "23 characters: at most 20" in said[1]
    assert "{max} is missing" in said[2]
    assert "{maks} is not in the source" in said[3]
    assert "one form, not 2" in said[4]
    assert "empty" in said[5]
    assert "shared by every campaign" in said[6]
    assert said[0].startswith("10: titel: ")


def test_an_unchanged_file_passes() -> None:
    expected = entries(parse(SURVEY), "sw", (SYSTEM,), button_chars=20)
    imported = [_item(i, e.context, e.translation or "") for i, e in enumerate(expected)]
    assert check_import(expected, imported) == []


def test_imported_texts_land_where_their_contexts_say() -> None:
    document = read_yaml(SURVEY).value
    changed = applied(
        document, "sw", {"title": "Maji safi", "questions.source.options.tap": "Mfereji"}
    )
    assert changed["title"]["sw"] == "Maji safi"
    assert changed["questions"][0]["options"][1]["text"] == {"en": "A tap", "sw": "Mfereji"}
    added = applied(read_yaml(SURVEY).value, "fr", {"title": "Eau"})
    assert added["languages"] == ["en", "sw", "fr"]


def test_review_states_are_honest() -> None:
    survey = parse(SURVEY)
    sw = entries(survey, "sw", (SYSTEM,), button_chars=20)
    en = entries(survey, "en", (SYSTEM,), button_chars=20)
    assert language_status(survey, "en", en, None).state is ReviewState.SOURCE
    drafted = language_status(survey, "sw", sw, None)
    assert (drafted.state, drafted.ready, drafted.missing()) == (
        ReviewState.MACHINE_DRAFTED, False, "machine-drafted",
    )  # fmt: skip
    reviewed = language_status(survey, "sw", sw, ReviewRecord("Amina", 5, 0, fingerprint(sw)))
    assert (reviewed.state, reviewed.reviewer, reviewed.ready) == (
        ReviewState.REVIEWED, "Amina", True,
    )  # fmt: skip
    fuzzy_left = ReviewRecord("Amina", 5, 2, fingerprint(sw))
    assert language_status(survey, "sw", sw, fuzzy_left).state is ReviewState.UNREVIEWED
    nobody = ReviewRecord(None, 5, 0, fingerprint(sw))
    assert language_status(survey, "sw", sw, nobody).state is ReviewState.UNREVIEWED
    # The texts changed since (a new version of the file): the review no longer covers them.
    stale = ReviewRecord("Amina", 5, 0, "0" * 16)
    assert language_status(survey, "sw", sw, stale).state is ReviewState.MACHINE_DRAFTED


def test_a_language_without_sautis_texts_is_incomplete() -> None:
    survey = parse(
        SURVEY.replace("languages: [en, sw]", "languages: [en, sw, am]").replace(
            "default_language: en", "default_language: en\nallow_fallback: true"
        )
    )
    am = entries(survey, "am", (SYSTEM,), button_chars=20)
    status = language_status(survey, "am", am, None)
    assert (status.translated, status.total, status.complete) == (0, 9, False)
    assert status.missing() == "9 of 9 texts untranslated, unreviewed"
