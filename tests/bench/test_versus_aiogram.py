"""The comparison with a hand-rolled aiogram bot (`bench/versus_aiogram.py`) still runs, and
both bots still answer every participant: a bench that rots measures nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.kit.settings import process_environment

REPO = Path(__file__).resolve().parents[2]
EXACT = (
    "participants_wrong",
    "replies_missing",
    "replies_twice",
    "taps_unanswered",
    "taps_answered_twice",
    "posts_failed",
    "no_reply",
    "fixed_rate_no_reply",
)


def test_quick_run_measures_both_bots_and_each_answers_everyone(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    subprocess.run(
        [sys.executable, "bench/versus_aiogram.py", "--quick", "--json", str(figures)],
        cwd=REPO,
        env=process_environment({}),
        check=True,
        capture_output=True,
        timeout=120,
    )
    (round_one,) = json.loads(figures.read_text())
    assert sorted(round_one) == ["aiogram", "sauti"]
    for bot, run in round_one.items():
        assert run["answers_stored_as_given"] == run["participants"], bot
        assert {key: run[key] for key in EXACT} == dict.fromkeys(EXACT, 0), bot
        # Every count the comparison rests on was taken.
        for key in ("updates_per_cpu_s", "commands_per_update", "round_trips_per_update"):
            assert run[key] > 0, (bot, key)
        assert run["bytes_per_participant"] > 0, bot
