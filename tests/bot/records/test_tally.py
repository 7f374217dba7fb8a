"""What one session adds to its campaign's result counters: counts only, and a bounded number."""

from __future__ import annotations

from dataclasses import replace

import pytest
from redis.asyncio import Redis

from bot.records.results import UnknownBreakdownError, campaign_results
from bot.records.tally import Tallied, contributions, delta, tallied
from bot.storage.keys import KeySchema
from dialogues import Session, SessionStatus, parse

DATED = """
spec_version: 1
id: dated
organisation: {en: Acme}
title: {en: Dates}
languages: [en]
default_language: en
promise: {en: We will tell you.}
questions:
  - {id: born, kind: date, text: {en: When were you born?}}
  - id: source
    kind: single_choice
    text: {en: Where do you get water?}
    options: [{id: well, text: {en: A well}}, {id: tap, text: {en: A tap}}]
"""
SURVEY = Tallied(scales=frozenset({"rate"}), crossed=frozenset({"source", "rate"}))


def session(**values: str | int | tuple[str, ...]) -> Session:
    return Session("s", "r1", "en", SessionStatus.ACTIVE, None, 0, 0, values=values)


def test_a_scale_counts_its_step_and_a_number_only_that_it_was_answered() -> None:
    added = contributions(session(rate=4, age=37, source="well"), "telegram", SURVEY)
    assert added["rate=4"] == added["rate=4@en"] == added["rate=4~telegram"] == 1
    assert added["age.a"] == 1
    assert not [name for name in added if "37" in name]
    assert added["rate=4&source=well"] == 1  # one field for the pair, in one order


def test_a_date_counts_only_that_it_was_answered_never_the_day() -> None:
    # A day (of birth, of an incident) can name a person: no counter may hold one.
    survey = tallied(parse(DATED))
    assert survey.dates == frozenset({"born"})
    added = contributions(session(born="1990-03-05", source="well"), "telegram", survey)
    assert added["born.a"] == 1
    assert not [name for name in added if "1990" in name]
    assert added["source=well"] == 1


def test_a_changed_answer_moves_its_counts_and_touches_nothing_else() -> None:
    before = session(source="well", rate=2, worries=("price", "safety"))
    after = session(source="tap", rate=2, worries=("price", "safety"))
    change = delta(before, after, "whatsapp", SURVEY)
    assert change["source=well"] == -1
    assert change["source=tap"] == 1
    assert change["rate=2&source=well"] == -1
    assert change["rate=2&source=tap"] == 1
    assert "source.a" not in change  # still answered
    assert len(change) == 8  # 2 options x 3 (all, language, channel) + 2 cross-tab cells


def test_a_new_language_moves_the_language_counts_only() -> None:
    before = session(source="well")
    change = delta(before, replace(before, language="fr"), "webchat", SURVEY)
    assert change == {
        "source.a@en": -1,
        "source=well@en": -1,
        "source.a@fr": 1,
        "source=well@fr": 1,
        ".started@en": -1,  # the session itself, by language
        ".started@fr": 1,
    }


def test_a_session_counts_where_it_stopped_until_it_answers_there() -> None:
    waiting = replace(session(source="well"), current="worries")
    assert contributions(waiting, "telegram", SURVEY)["worries.x"] == 1
    moved_on = replace(session(source="well", worries=("price",)), current="rate")
    change = delta(waiting, moved_on, "telegram", SURVEY)
    assert change["worries.x"] == -1
    assert change["rate.x"] == 1
    assert change["worries.a"] == 1  # asked it: stopped there before, answered it now
    back = replace(moved_on, current="worries")  # went back to an answered question
    assert "worries.x" not in contributions(back, "telegram", SURVEY)
    done = replace(moved_on, status=SessionStatus.COMPLETED, current=None)
    finished = contributions(done, "telegram", SURVEY)
    assert not [name for name in finished if name.endswith(".x")]
    assert finished[".completed"] == finished[".completed~telegram"] == 1
    assert finished[".started@en"] == 1


def _survey_of(questions: list[tuple[str, str, int]]) -> str:
    """A survey of choice questions: (id, kind, options) each; multiple choices take any number."""
    lines = [
        "spec_version: 1",
        "id: many",
        'organisation: {en: "Org"}',
        'title: {en: "Many"}',
        "languages: [en]",
        "default_language: en",
        'promise: {en: "We will tell you."}',
        "questions:",
    ]
    for question_id, kind, options in questions:
        lines += [
            f"  - id: {question_id}",
            f"    kind: {kind}",
            f'    text: {{en: "{question_id}?"}}',
        ]
        if kind == "multiple_choice":
            lines += ["    min: 1", f"    max: {options}"]
        lines.append("    options:")
        lines += [f'      - {{id: o{n}, text: {{en: "O{n}"}}}}' for n in range(options)]
    return "\n".join(lines) + "\n"


async def test_cross_tabs_are_kept_for_a_bounded_number_of_questions_and_choices(
    redis_client: Redis,
) -> None:
    many = parse(_survey_of([(f"q{n}", "single_choice", 3) for n in range(14)]))
    assert tallied(many).crossed == {f"q{n}" for n in range(12)}

    wide = parse(_survey_of([("a", "multiple_choice", 20), ("b", "multiple_choice", 10)]))
    # 20 + 10 options chosen at once would pass 24: the second is not crossed.
    assert tallied(wide).crossed == {"a"}
    with pytest.raises(UnknownBreakdownError, match="not kept"):
        await campaign_results(redis_client, KeySchema(), wide, by="b", minimum=5)
    assert (await campaign_results(redis_client, KeySchema(), wide, by="a", minimum=5)).by == "a"
