"""Every mistake a survey, XLSForm or decision file's reader can report has a stable code, and
the console has a French text for each: the codes are collected from the readers' source, not
from a list kept beside it, and each broken file of the test corpora is said in French from its
code and parameters (none falls back to the reader's English)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import bot
import dialogues
from bot.api.problems import ErrorItem, file_error_item, form_error_item
from bot.console.catalogue import catalogue_path
from bot.console.file_problems import TEXTS, is_file_code, said, where
from bot.console.i18n import DOMAIN, Language, load_languages
from bot.console.problems import FIELD_MISTAKES
from bot.conversation.decisions.decision import DecisionDefinitionError, parse_decision
from dialogues import SurveyDefinitionError
from dialogues.problem_codes import ProblemCode
from tests.bot.loop.test_decision_file import BROKEN as BROKEN_DECISION
from tests.bot.loop.test_decision_file import SURVEY
from tests.dialogues.test_broken_corpus import BROKEN, CORPUS
from tests.kit.xlsforms import BROKEN_FORM, workbook_bytes

SOURCES = [Path(dialogues.__file__).parent, Path(bot.__file__).parent]
# The console's own table of texts names every code: it is not a place a code is raised.
TABLE = Path(bot.__file__).parent / "console" / "file_problems.py"


def raised_codes() -> set[ProblemCode]:
    """Every `ProblemCode.X` the readers' source names (where a mistake is reported)."""
    found: set[ProblemCode] = set()
    for root in SOURCES:
        for path in root.rglob("*.py"):
            if path == TABLE:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "ProblemCode"
                ):
                    found.add(ProblemCode[node.attr])
    return found


@pytest.fixture(scope="module")
def french() -> Language:
    return load_languages()["fr"]


def test_every_code_the_readers_raise_has_a_french_text() -> None:
    codes = raised_codes()
    assert len(codes) > 100  # the readers of surveys, XLSForms and decisions were all read
    with catalogue_path("fr").open("rb") as po:
        catalogue = read_po(po, locale="fr", domain=DOMAIN)
    untranslated = []
    for code in sorted(codes):
        text = TEXTS.get(code)
        message = catalogue.get(text) if text is not None else None
        if message is None or not message.string or message.fuzzy:
            untranslated.append(code.value)
    assert untranslated == []


def test_no_code_is_left_that_no_reader_raises() -> None:
    assert set(ProblemCode) - raised_codes() == set()


def test_a_file_code_is_never_taken_for_a_field_mistake() -> None:
    assert {code.value for code in ProblemCode} & FIELD_MISTAKES.keys() == set()
    assert all(is_file_code(code.value) for code in ProblemCode)
    assert not any(is_file_code(code) for code in FIELD_MISTAKES)


def _survey_items(name: str) -> list[ErrorItem]:
    try:
        dialogues.parse((BROKEN / name).read_text(encoding="utf-8"))
    except SurveyDefinitionError as error:
        return [file_error_item(problem) for problem in error.problems]
    raise AssertionError(f"{name} was accepted")


@pytest.mark.parametrize("name", CORPUS)
def test_each_broken_survey_is_said_in_french(name: str, french: Language) -> None:
    for item in _survey_items(name):
        assert item.code is not None
        assert said(item, french) != item.message, (item.code, item.params)


def test_each_mistake_of_a_broken_decision_is_said_in_french(french: Language) -> None:
    with pytest.raises(DecisionDefinitionError) as caught:
        parse_decision(BROKEN_DECISION, SURVEY)
    items = [file_error_item(problem) for problem in caught.value.problems]
    assert len(items) == 11
    for item in items:
        assert said(item, french) != item.message, (item.code, item.params)
    words = [said(item, french) for item in items]
    assert (
        words[2] == "La campagne n’a pas de question « sim_ids » ; vouliez-vous dire « sim_id » ?"
    )


def test_each_mistake_of_a_broken_xlsform_is_said_in_french_at_its_cell(french: Language) -> None:
    from bot.records.xlsform_files import import_workbook

    result = import_workbook(workbook_bytes(BROKEN_FORM))
    items = [form_error_item(problem) for problem in result.problems]
    assert len(items) == 13
    for item in items:
        assert said(item, french) != item.message, (item.code, item.params)
    places = [where(item, french) for item in items]
    assert "feuille « survey », ligne 2, colonne « type »" in places
    assert "feuille « settings », colonne « promise::English (en) »" in places


# Mistakes of date questions, panel profiles and a campaign's wording of Sauti's texts.
DATES_PROFILES_WORDINGS = """
spec_version: 1
id: newer
organisation: {en: Acme, fr: Acme}
title: {en: Water, fr: Eau}
languages: [en, fr]
default_language: en
date_order: upside_down
promise: {en: We will tell you., fr: Nous vous dirons.}
questions:
  - id: flood
    kind: date
    min: soon
    text: {en: When?, fr: Quand ?}
  - id: born
    kind: date
    min: 2026-01-01
    max: 2020-01-01
    text: {en: Born?, fr: Né ?}
  - id: trips
    kind: number
    relevant: "flood >= 3"
    text: {en: Trips?, fr: Trajets ?}
  - id: area
    kind: single_choice
    profile: home
    text: {en: Area?, fr: Zone ?}
    options:
      - {id: north, text: {en: North, fr: Nord}}
      - {id: south, text: {en: South, fr: Sud}}
  - id: needs
    kind: multiple_choice
    profile: area
    text: {en: Needs?, fr: Besoins ?}
    options:
      - {id: water, text: {en: Water, fr: Eau}}
      - {id: food, text: {en: Food, fr: Nourriture}}
  - id: worry
    kind: single_choice
    profile: group
    text: {en: Worry?, fr: Souci ?}
    options:
      - {id: price, text: {en: Price, fr: Prix}}
      - {id: time, text: {en: Time, fr: Temps}}
  - id: group
    kind: single_choice
    profile: group
    text: {en: Group?, fr: Groupe ?}
    options:
      - {id: women, text: {en: Women, fr: Femmes}}
      - {id: youth, text: {en: Youth, fr: Jeunes}}
system_texts:
  hint.scale: {fr: "Un nombre de {min} à {maximum}."}
  survey.thank: {fr: "Merci !"}
  survey.thanks: {fr: 3}
  button.skip: {de: "Weiter"}
"""


def test_mistakes_of_dates_profiles_and_a_campaigns_wording_are_said_in_french(
    french: Language,
) -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        dialogues.parse(DATES_PROFILES_WORDINGS)
    items = [file_error_item(problem) for problem in caught.value.problems]
    assert {item.code for item in items} >= {
        ProblemCode.NOT_ONE_OF,
        ProblemCode.NOT_A_DATE_BOUND,
        ProblemCode.MAX_BEFORE_MIN,
        ProblemCode.COMPARES_DATE,
        ProblemCode.UNKNOWN_PROFILE,
        ProblemCode.PROFILE_OF_KIND,
        ProblemCode.PROFILE_TWICE,
        ProblemCode.NO_SUCH_SYSTEM_TEXT,
        ProblemCode.NOT_A_TEXT,
        ProblemCode.PLACEHOLDER_MISSING,
        ProblemCode.PLACEHOLDER_ADDED,
        ProblemCode.UNDECLARED_LANGUAGE,
    }
    for item in items:
        assert said(item, french) != item.message, (item.code, item.params)
    words = {said(item, french) for item in items}
    assert "max (2020-01-01) est avant min (2026-01-01)" in words
    assert "La variable {max} du texte de Sauti manque" in words
    assert (
        "Sauti n’a pas de texte « survey.thank » (voir son messages.yaml) ; vouliez-vous dire "
        "« survey.thanks » ?" in words
    )


def test_a_date_constraint_sauti_cannot_check_is_said_in_french(french: Language) -> None:
    from bot.records.xlsform_files import import_workbook

    def refused(constraint: str) -> list[ErrorItem]:
        form = {
            "survey": [
                {
                    "type": "date",
                    "name": "flood",
                    "label::English (en)": "When?",
                    "constraint": constraint,
                }
            ],
            "settings": [{"form_title": "Flood", "form_id": "flood"}],
        }
        result = import_workbook(workbook_bytes(form))
        items = [form_error_item(problem) for problem in result.problems]
        # The form lacks more than its constraint (a promise...): only the constraint's here.
        return [item for item in items if item.column == "constraint"]

    for constraint, code in (
        (". >= date('soon')", ProblemCode.CONSTRAINT_NOT_A_DATE),
        (". != today()", ProblemCode.CONSTRAINT_DAYS_ONLY),
        (". >= date(2020)", ProblemCode.DATE_NEEDS_QUOTED),
    ):
        [item] = refused(constraint)
        assert item.code == code
        assert said(item, french) != item.message, (item.code, item.params)
        assert where(item, french) == "feuille « survey », ligne 2, colonne « constraint »"
