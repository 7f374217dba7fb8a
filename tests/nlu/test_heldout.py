"""The held-out messages of `bench/nlu.py` measure reading, not memory: none of them is a
training example, and they cover every language the model is taught."""

from __future__ import annotations

from pathlib import Path

import yaml

from nlu.intent import INTENT_NAMES
from nlu.text import fold
from nlu.training import builtin_examples

HELDOUT = Path(__file__).resolve().parents[2] / "bench" / "nlu_heldout.yml"


def _heldout() -> list[tuple[str, str, str]]:
    raw = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return [
        (language, str(intent), str(text))
        for language, intents in raw.items()
        for intent, texts in intents.items()
        for text in texts
    ]


def test_no_heldout_message_is_a_training_example_in_any_language() -> None:
    # One model reads every language: a word taught in one is known in all of them.
    taught = {fold(example.text) for example in builtin_examples()}
    copies = [case for case in _heldout() if fold(case[2]) in taught]
    assert copies == []


def test_every_taught_language_is_held_out_for_every_intent() -> None:
    taught = {example.language for example in builtin_examples()}
    covered: dict[str, set[str]] = {}
    for language, intent, _ in _heldout():
        covered.setdefault(language, set()).add(intent)
    assert set(covered) == taught
    for language, intents in covered.items():
        assert intents == set(INTENT_NAMES), language
