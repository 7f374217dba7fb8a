"""`sauti nlu export`: a Rasa project's training data and configuration, in the format Rasa's
own reader validates (rasa.shared.nlu.training_data.formats.rasa_yaml: a `version` string, an
`nlu` list whose entries have exactly one of intent / synonym / regex / lookup, and `examples`
as a block of `- ` lines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from nlu import builtin_examples
from nlu.intent import INTENT_NAMES

_KINDS = {"intent", "synonym", "regex", "lookup"}
_KEYS = _KINDS | {"examples", "metadata"}


def _export(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    assert main(["nlu", "export", str(tmp_path / "project")]) == 0
    nlu_yml = (tmp_path / "project" / "data" / "nlu.yml").read_text(encoding="utf-8")
    config = (tmp_path / "project" / "config.yml").read_text(encoding="utf-8")
    return yaml.safe_load(nlu_yml), yaml.safe_load(config)


def test_the_export_is_rasa_training_data(tmp_path: Path) -> None:
    data, _ = _export(tmp_path)
    assert data["version"] == "3.1"
    for entry in data["nlu"]:
        assert set(entry) <= _KEYS
        assert len(_KINDS & set(entry)) == 1
        lines = entry["examples"].splitlines()
        assert lines
        assert all(line.startswith("- ") and line[2:].strip() for line in lines)


def test_every_example_of_every_language_is_exported_under_its_intent(tmp_path: Path) -> None:
    data, _ = _export(tmp_path)
    exported = {
        (entry["intent"], line[2:])
        for entry in data["nlu"]
        if "intent" in entry
        for line in entry["examples"].splitlines()
    }
    assert {entry["intent"] for entry in data["nlu"]} == set(INTENT_NAMES)
    assert {(example.intent, example.text) for example in builtin_examples()} == exported


def test_yes_and_no_stay_strings_for_any_yaml_reader(tmp_path: Path) -> None:
    nlu_yml = tmp_path / "project" / "data" / "nlu.yml"
    _export(tmp_path)
    text = nlu_yml.read_text(encoding="utf-8")
    assert "- intent: 'yes'" in text
    assert "- intent: 'no'" in text


def test_the_configuration_reads_every_language_by_character_ngrams(tmp_path: Path) -> None:
    _, config = _export(tmp_path)
    names = [component["name"] for component in config["pipeline"]]
    assert names == [
        "WhitespaceTokenizer",
        "CountVectorsFeaturizer",
        "LogisticRegressionClassifier",
    ]
    assert config["pipeline"][1]["analyzer"] == "char_wb"


def test_an_unwritable_directory_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["nlu", "export", str(blocker / "project")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_the_domain_names_every_intent_so_rasa_data_validate_accepts_the_project(
    tmp_path: Path,
) -> None:
    _export(tmp_path)
    domain_yml = (tmp_path / "project" / "domain.yml").read_text(encoding="utf-8")
    domain = yaml.safe_load(domain_yml)
    assert domain["version"] == "3.1"
    assert sorted(domain["intents"]) == sorted(INTENT_NAMES)
    assert "- 'yes'" in domain_yml  # a string, not YAML's true
