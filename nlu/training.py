"""The training data: Rasa NLU YAML (`version: "3.1"`, an `nlu:` list of intents with their
examples as a block of `- ` lines), one file per language under `nlu/data/`. Each intent entry
names its language in `metadata`, which Rasa keeps and ignores, so the files train a Rasa
model unchanged (`sauti nlu export`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from nlu.intent import INTENT_NAMES


class TrainingDataError(ValueError):
    """A training file that is not the Rasa NLU format Sauti reads; says where."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    language: str


@dataclass(frozen=True, slots=True)
class Synonym:
    """A Rasa synonym: `examples` all mean `value` (exported as they are)."""

    value: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrainingFile:
    name: str
    examples: tuple[Example, ...]
    synonyms: tuple[Synonym, ...]


def examples_from_yaml(text: str, name: str) -> TrainingFile:
    """The examples and synonyms of one Rasa NLU file (`name` is said in errors)."""
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("nlu"), list):
        raise TrainingDataError(f"{name}: no 'nlu:' list")
    examples: list[Example] = []
    synonyms: list[Synonym] = []
    for index, entry in enumerate(raw["nlu"]):
        where = f"{name}: nlu[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("examples"), str):
            raise TrainingDataError(f"{where}: needs 'examples' as a block of '- ' lines")
        lines = _example_lines(entry["examples"], where)
        if "synonym" in entry:
            synonyms.append(Synonym(str(entry["synonym"]), lines))
            continue
        intent = entry.get("intent")
        if intent not in INTENT_NAMES:
            raise TrainingDataError(f"{where}: unknown intent {intent!r}")
        language = (entry.get("metadata") or {}).get("language")
        if not isinstance(language, str) or not language:
            raise TrainingDataError(f"{where}: metadata.language missing")
        examples += [Example(line, intent, language) for line in lines]
    return TrainingFile(name, tuple(examples), tuple(synonyms))


def _example_lines(block: str, where: str) -> tuple[str, ...]:
    lines = []
    for number, line in enumerate(block.splitlines(), start=1):
        if not line.strip():
            continue
        if not line.startswith("- ") or not line[2:].strip():
            raise TrainingDataError(f"{where}.examples line {number}: not '- example'")
        lines.append(line[2:].strip())
    return tuple(lines)


@functools.cache
def builtin_files() -> tuple[TrainingFile, ...]:
    """The training files shipped with Sauti, in name order."""
    folder = resources.files("nlu").joinpath("data")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".yml"))
    return tuple(
        examples_from_yaml(folder.joinpath(name).read_text(encoding="utf-8"), name)
        for name in names
    )


def builtin_examples() -> tuple[Example, ...]:
    """Every shipped example, all languages together."""
    return tuple(example for file in builtin_files() for example in file.examples)
