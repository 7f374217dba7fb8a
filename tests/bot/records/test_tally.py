"""What one session adds to its campaign's result counters: counts only, and a bounded number."""

from __future__ import annotations

from dataclasses import replace

from bot.records.tally import Tallied, contributions, delta
from dialogues import Session, SessionStatus

SURVEY = Tallied(scales=frozenset({"rate"}), crossed=frozenset({"source", "rate"}))


def session(**values: str | int | tuple[str, ...]) -> Session:
    return Session("s", "r1", "en", SessionStatus.ACTIVE, None, 0, 0, values=values)


def test_a_scale_counts_its_step_and_a_number_only_that_it_was_answered() -> None:
    added = contributions(session(rate=4, age=37, source="well"), "telegram", SURVEY)
    assert added["rate=4"] == added["rate=4@en"] == added["rate=4~telegram"] == 1
    assert added["age.a"] == 1
    assert not [name for name in added if "37" in name]
    assert added["rate=4&source=well"] == 1  # one field for the pair, in one order


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
    }
