"""A campaign's own words: its wording of Sauti's texts (`system_texts`), for that campaign and
language only, checked like any text of its file; and a question's own messages for an answer
outside its limits (`constraint_message`) or a required one skipped (`required_message`)."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogues import SurveyDefinitionError, advance, parse, start
from dialogues.events import AnswerRejected, SurveyCompleted
from dialogues.inbound import Skip, TextReply
from dialogues.localization import builtin_catalog

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _survey(extra: str = "") -> str:
    return f"""
spec_version: 1
id: wording
organisation: {{en: Acme, fr: Acme}}
title: {{en: Water, fr: Eau}}
languages: [en, fr]
default_language: en
promise: {{en: We will tell you., fr: Nous vous dirons.}}
questions:
  - id: trips
    kind: number
    min: 0
    max: 20
    text: {{en: How many trips?, fr: Combien de trajets ?}}
    constraint_message: {{fr: "Entre 0 et 20, s'il vous plaît."}}
    required_message: {{en: "We need this one to plan the water points."}}
{extra}
"""


def _rejection(survey_text: str, language: str, typed: str | None) -> str:
    survey = parse(survey_text)
    step = start(survey, language, NOW)
    step = advance(survey, step.session, TextReply(typed) if typed else Skip(), NOW)
    return next(e.message for e in step.events if isinstance(e, AnswerRejected))


def test_a_question_s_own_messages_are_said_where_it_has_them_and_sautis_elsewhere() -> None:
    survey = _survey()
    assert _rejection(survey, "fr", "25") == "Entre 0 et 20, s'il vous plaît."
    assert _rejection(survey, "en", "25") == "Please reply with a number from 0 to 20."
    assert _rejection(survey, "en", None) == "We need this one to plan the water points."
    assert _rejection(survey, "fr", None).startswith("Cette question a besoin d'une réponse")
    # A number that is not one is no constraint: Sauti says what it wants.
    assert _rejection(survey, "fr", "beaucoup").startswith("Veuillez répondre avec un nombre")


def test_a_campaign_words_sautis_thanks_its_own_way_in_one_language_only() -> None:
    survey = parse(_survey('system_texts:\n  survey.thanks: {fr: "Merci infiniment !"}'))
    endings = {}
    for language in ("fr", "en"):
        step = start(survey, language, NOW)
        step = advance(survey, step.session, TextReply("3"), NOW)
        endings[language] = next(e.message for e in step.events if isinstance(e, SurveyCompleted))
    assert endings["fr"].startswith("Merci infiniment !\n\n")
    assert endings["en"].startswith(builtin_catalog().message("survey.thanks", "en"))
    # Sauti's shipped text is untouched for every other campaign.
    assert builtin_catalog().message("survey.thanks", "fr") != "Merci infiniment !"


def test_a_wording_that_loses_a_placeholder_or_names_no_text_is_located() -> None:
    extra = """system_texts:
  hint.scale: {fr: "Un nombre de {min} à {maximum}."}
  survey.thank: {fr: "Merci !"}
  button.skip: {de: "Weiter"}
"""
    with pytest.raises(SurveyDefinitionError) as raised:
        parse(_survey(extra))
    said = {(p.path, p.message) for p in raised.value.problems}
    lines = {p.path: p.line for p in raised.value.problems}
    assert (
        "system_texts.hint.scale.fr",
        "the placeholder {max} of Sauti's text is missing",
    ) in said
    assert (
        "system_texts.hint.scale.fr",
        "the placeholder {maximum} is not in Sauti's text: remove it",
    ) in said
    assert any(
        path == "system_texts.survey.thank" and "did you mean 'survey.thanks'" in message
        for path, message in said
    )
    assert ("system_texts.button.skip.de", "'de' is not one of the languages") in said
    assert lines["system_texts.survey.thank"] is not None
