"""Theme suggestions learnt from tagged answers (nlu.themes): an answer gets the theme its
words share with the answers tagged with it, in any language the tags cover; nothing below the
minimum of tagged answers with a theme and without it; never a theme the answer has or a
person dismissed; at most three, most likely first."""

from __future__ import annotations

from nlu.themes import MIN_TAGGED, TaggedText, readiness, train_theme_suggester

WATER = (
    "the well is dry since the mine came",
    "no clean water in the village any more",
    "the river water is dirty and brown now",
    "we walk two hours to fetch water",
    "l'eau du puits est sale depuis la mine",
)
JOBS = (
    "the mine did not hire young people from here",
    "there are no jobs for us at the site",
    "they promised work but gave none",
    "my son lost his job at the mine",
    "pas de travail pour les jeunes du village",
)


def _tagged(water: int = len(WATER), jobs: int = len(JOBS)) -> list[TaggedText]:
    return [TaggedText(text, ("water",)) for text in WATER[:water]] + [
        TaggedText(text, ("jobs",)) for text in JOBS[:jobs]
    ]


def test_an_answer_gets_the_theme_its_words_share_with_the_tagged_ones() -> None:
    suggester = train_theme_suggester(_tagged())
    [water] = suggester.suggest("there is no water to drink in our houses")
    assert water.theme == "water"
    assert 0.5 <= water.confidence <= 1
    [jobs] = suggester.suggest("give the jobs at the mine to young people from here")
    assert jobs.theme == "jobs"
    assert suggester.learnt_from == 10


def test_nothing_is_suggested_below_the_minimum_with_and_without_a_theme() -> None:
    short = train_theme_suggester(_tagged(water=MIN_TAGGED - 1))
    assert short.readiness.ready == ()
    assert short.readiness.too_few == {"jobs": 5, "water": 4}  # jobs: only 4 answers without
    assert short.suggest("no clean water in the village") == ()
    assert train_theme_suggester([]).suggest("anything") == ()


def test_a_theme_the_answer_has_or_a_person_dismissed_is_not_suggested() -> None:
    suggester = train_theme_suggester(_tagged())
    text = "no water to drink"
    assert suggester.suggest(text, already=("water",)) == ()
    assert suggester.suggest(text, dismissed=("water",)) == ()


def test_untagged_answers_and_empty_words_teach_nothing() -> None:
    noisy = [*_tagged(), TaggedText("water water water", ()), TaggedText("   ", ("jobs",))]
    assert readiness(noisy).ready == ("jobs", "water")
    assert train_theme_suggester(noisy).learnt_from == 10


def test_suggestions_are_few_and_most_likely_first() -> None:
    themes = [f"theme-{n}" for n in range(5)]
    tagged = [
        TaggedText(f"shared words about everything {n}", tuple(themes)) for n in range(MIN_TAGGED)
    ] + [TaggedText(f"unrelated chatter {n}", ("other",)) for n in range(MIN_TAGGED)]
    found = train_theme_suggester(tagged).suggest("shared words about everything")
    assert 0 < len(found) <= 3
    confidences = [suggestion.confidence for suggestion in found]
    assert confidences == sorted(confidences, reverse=True)
