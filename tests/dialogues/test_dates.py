"""Date questions: a date typed as people type it is read (numbers either way round, month
names in the survey's languages, digits of any script), asked again in their language when it
cannot be read or is outside the limits, and kept as an ISO date."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogues import SurveyDefinitionError, advance, parse, start
from dialogues.dates import read_date
from dialogues.events import AnswerRecorded, AnswerRejected, QuestionAsked, RejectReason
from dialogues.inbound import TextReply

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _survey(order: str = "day_first", limits: str = "") -> str:
    return f"""
spec_version: 1
id: dates
organisation: {{en: Acme, fr: Acme, sw: Acme}}
title: {{en: Dates, fr: Dates, sw: Tarehe}}
languages: [en, fr, sw]
default_language: en
date_order: {order}
promise: {{en: We will tell you., fr: Nous vous dirons., sw: Tutawaambia.}}
questions:
  - id: flood
    kind: date
    text: {{en: When did the flood reach you?, fr: Quand l'inondation est-elle arrivée ?,
            sw: Mafuriko yalikufikia lini?}}
{limits}
"""


@pytest.mark.parametrize(
    ("typed", "languages", "expected"),
    [
        ("2026-03-05", ("en",), "2026-03-05"),
        ("5/3/2026", ("en",), "2026-03-05"),
        ("05.03.26", ("en",), "2026-03-05"),
        ("5 March 2026", ("en",), "2026-03-05"),
        ("March 5th, 2026", ("en",), "2026-03-05"),
        ("le 5 mars 2026", ("fr",), "2026-03-05"),
        ("5 Machi 2026", ("sw",), "2026-03-05"),
        ("٥ مارس ٢٠٢٦", ("ar",), "2026-03-05"),  # Arabic-Indic digits, an Arabic month
        ("१५/८/१९४७", ("hi",), "1947-08-15"),  # Devanagari digits
        ("5 de março de 2026", ("pt",), "2026-03-05"),
    ],
)
def test_a_date_is_read_as_people_type_it(
    typed: str, languages: tuple[str, ...], expected: str
) -> None:
    read = read_date(typed, "day_first", languages)
    assert read is not None
    assert read.isoformat() == expected


@pytest.mark.parametrize(
    "typed", ["last Tuesday", "31/02/2026", "5/3", "12345", "", "5 March 2026 flooded"]
)
def test_what_is_no_date_is_not_read_as_one(typed: str) -> None:
    assert read_date(typed, "day_first", ("en", "fr")) is None


def test_numbers_only_are_read_in_the_campaign_s_order() -> None:
    assert read_date("5/3/2026", "month_first", ("en",)) == dt.date(2026, 5, 3)
    assert read_date("5/3/2026", "day_first", ("en",)) == dt.date(2026, 3, 5)
    assert read_date("13/3/2026", "month_first", ("en",)) is None  # no 13th month


def test_an_unreadable_date_is_asked_again_in_french_and_a_good_one_kept_as_iso() -> None:
    survey = parse(_survey())
    step = start(survey, "fr", NOW)
    step = advance(survey, step.session, TextReply("mardi dernier"), NOW)
    rejected = [e for e in step.events if isinstance(e, AnswerRejected)]
    assert rejected[0].reason is RejectReason.NOT_A_DATE
    assert "31/12/2000" in rejected[0].message
    assert "Désolé" in rejected[0].message
    assert any(isinstance(e, QuestionAsked) and e.again for e in step.events)
    step = advance(survey, step.session, TextReply("5 mars 2026"), NOW)
    recorded = [e for e in step.events if isinstance(e, AnswerRecorded)]
    assert recorded[0].value == "2026-03-05"
    assert recorded[0].display == "5 mars 2026"  # shown back as French writes it


def test_a_date_after_today_is_refused_when_the_limit_is_today() -> None:
    survey = parse(_survey(limits="    min: 2020-01-01\n    max: today"))
    step = start(survey, "sw", NOW)
    late = advance(survey, step.session, TextReply("2026-12-25"), NOW)
    refused = [e for e in late.events if isinstance(e, AnswerRejected)]
    assert refused[0].reason is RejectReason.DATE_TOO_LATE
    assert "23 Novemba 2026" in refused[0].message  # today, in Swahili
    early = advance(survey, step.session, TextReply("31/12/2019"), NOW)
    refused = [e for e in early.events if isinstance(e, AnswerRejected)]
    assert refused[0].reason is RejectReason.DATE_TOO_EARLY
    # A participant whose calendar already shows tomorrow is not refused.
    ahead = advance(survey, step.session, TextReply("24/11/2026"), NOW)
    assert any(isinstance(e, AnswerRecorded) for e in ahead.events)


def test_a_limit_that_is_no_date_is_located() -> None:
    with pytest.raises(SurveyDefinitionError) as raised:
        parse(_survey(limits="    min: yesterday\n    max: 2019-01-01\n"))
    said = str(raised.value)
    assert "questions[0].min" in said
    assert "'yesterday' is not a date" in said
    with pytest.raises(SurveyDefinitionError) as raised:
        parse(_survey(order="year_first"))
    assert "date_order" in str(raised.value)
