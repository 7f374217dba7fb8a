"""`sauti survey validate` and `sauti survey chat`, run as a survey author runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "dialogues" / "examples" / "safe_connect.yaml"


def _sauti(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_validate_accepts_the_example_and_warns_about_unreviewed_translations() -> None:
    result = _sauti("survey", "validate", str(EXAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok — 13 questions" in result.stdout
    assert "not yet reviewed by a native speaker: ar, fr, sw" in result.stdout


def test_validate_prints_every_problem_of_every_file_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("kind: yes_no", "kind: yes_or_no", 1).replace("id: trust", "id: uses")
    broken.write_text(text, encoding="utf-8")
    result = _sauti("survey", "validate", str(EXAMPLE), str(broken), str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any("unknown kind 'yes_or_no'; did you mean 'yes_no'?" in line for line in lines)
    assert any("duplicate id 'uses'" in line for line in lines)
    problems = [line for line in lines if line.startswith(f"{broken}:") and "warning" not in line]
    assert len(problems) == 2
    assert all(line.split(":")[1].isdigit() for line in problems)  # file:line: ...
    assert "nope.yaml: cannot read" in result.stderr


def test_chat_runs_the_survey_from_piped_answers_in_swahili() -> None:
    answers = "1,4\nhapana\nndiyo\n0\n8\n1\nruka\n2\n"
    result = _sauti("survey", "chat", str(EXAMPLE), "--lang", "sw", stdin=answers)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Kupiga simu, Intaneti" in out  # the multiple choice answer shown back in Swahili
    assert "Asante" in out  # the thanks at the end
    assert "Tutakueleza hapa" in out  # and the promise of what happens next
    assert "left before the end" not in out


def test_chat_says_it_is_a_trial_run_that_saves_nothing() -> None:
    """The example's thanks says "Your answers have been saved": in a trial run nothing is,
    and the author is told so before the first question and after the thanks."""
    answers = "1,4\nno\nyes\n0\n8\n1\nskip\n2\n"
    out = _sauti("survey", "chat", str(EXAMPLE), stdin=answers).stdout
    assert out.splitlines()[0] == "(trial run: nothing you type here is saved, sent or counted)"
    thanks = out.index("Your answers have been saved.")
    assert out.index("(trial run over: nothing was saved;") > thanks
    assert "left before the end" not in out


def test_chat_switches_language_and_reasks_in_the_new_one() -> None:
    result = _sauti("survey", "chat", str(EXAMPLE), stdin="/lang fr\n/quit\n")
    assert "À partir de maintenant, j'écrirai en Français." in result.stdout
    assert "(trial run left before the end: nothing was saved)" in result.stdout


def test_chat_refuses_a_broken_file_with_its_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("spec_version: 1\nid: x\n", encoding="utf-8")
    result = _sauti("survey", "chat", str(broken))
    assert result.returncode == 1
    assert "'questions' is required" in result.stderr
