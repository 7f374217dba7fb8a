"""The shipped training data: Rasa NLU files that Sauti and Rasa both read, covering every
intent in every language Sauti understands."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import nlu
from nlu.intent import INTENT_NAMES
from nlu.text import fold
from nlu.training import TrainingDataError, builtin_files, examples_from_yaml

LANGUAGES = ("en", "fr", "ar", "sw", "pt", "am", "ha", "so", "bn", "my", "ps")
PACKAGE = Path(nlu.__file__).parent


def test_every_language_has_examples_of_every_intent() -> None:
    covered: dict[str, set[str]] = defaultdict(set)
    for file in builtin_files():
        for example in file.examples:
            covered[example.language].add(example.intent)
    for language in LANGUAGES:
        assert covered[language] == set(INTENT_NAMES), language


def test_no_message_is_taught_as_two_intents_in_one_language() -> None:
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for file in builtin_files():
        for example in file.examples:
            key = (example.language, fold(example.text))
            if seen.setdefault(key, example.intent) != example.intent:
                clashes.append((key, seen[key], example.intent))
    assert clashes == []


def test_yes_and_no_stay_intent_names_not_yaml_booleans() -> None:
    text = "nlu:\n- intent: yes\n  metadata: {language: en}\n  examples: |\n    - ok\n"
    with pytest.raises(TrainingDataError, match="unknown intent True"):
        examples_from_yaml(text, "en.yml")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("nlu: 3", "no 'nlu:' list"),
        ("nlu:\n- intent: skip\n  metadata: {language: en}\n", "needs 'examples'"),
        ("nlu:\n- intent: skip\n  examples: |\n    - skip\n", "metadata.language missing"),
        (
            "nlu:\n- intent: skip\n  metadata: {language: en}\n  examples: |\n    skip\n",
            "line 1: not '- example'",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_where(text: str, error: str) -> None:
    with pytest.raises(TrainingDataError, match=error):
        examples_from_yaml(text, "mine.yml")


def test_nlu_imports_nothing_from_the_shell_or_the_engine() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [(path.name, n) for n in names if n.split(".")[0] in ("bot", "dialogues")]
    assert offenders == []
