"""Golden dialogues: a survey plus scripted inputs must produce exactly the reviewed event log.

Refresh after an intended change with `pytest tests/dialogues/test_golden.py --update-golden`
and review the diff of `tests/dialogues/golden/*.log.yaml`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.dialogues.golden_runner import dump, run_case

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.case.yaml"))


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 4


@pytest.mark.parametrize("case_path", CASES, ids=lambda p: p.name.removesuffix(".case.yaml"))
def test_golden_dialogue(case_path: Path, request: pytest.FixtureRequest) -> None:
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    log_path = case_path.with_name(case_path.name.replace(".case.yaml", ".log.yaml"))
    actual = dump(run_case(case))
    if request.config.getoption("--update-golden"):
        log_path.write_text(actual, encoding="utf-8")
    assert log_path.exists(), f"no golden log yet: run with --update-golden and review {log_path}"
    assert actual == log_path.read_text(encoding="utf-8")
