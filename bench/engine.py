"""Benchmark the pure core: engine steps per second on the example campaign, time to parse and
validate a 200-question survey, and the size of a stored session.

    .venv/bin/python bench/engine.py          (or: make bench)

Targets (issue "Survey language and pure dialogue engine"): >= 30,000 steps/s per core and
<= 50 ms to validate 200 questions. Run on an idle machine; figures vary a few percent.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from dialogues import Survey, advance, parse, start, to_dict
from dialogues.events import QuestionAsked
from dialogues.inbound import ChoiceReply, Inbound, TextReply

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "dialogues" / "examples" / "safe_connect.yaml"
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)

# Typed answers that walk the example through every conditional branch, in Swahili.
TYPED = [
    "1,3",
    "1",
    "wizi",
    "ndiyo",
    "Simu yangu iliibiwa.",
    "hapana",
    "٣",
    "2 5",
    "8",
    "2",
    "Mtandao uwe bora.",
    "3",
]


def _run_typed(survey: Survey) -> int:
    step = start(survey, "sw", NOW)
    steps = 0
    for text in TYPED:
        step = advance(survey, step.session, TextReply(text), NOW)
        steps += 1
    assert step.session.status.name == "COMPLETED", step.session
    return steps


def _run_buttons(survey: Survey) -> int:
    step = start(survey, "fr", NOW)
    steps = 0
    while step.session.current is not None:
        assert steps < 100, "the scripted participant is stuck"
        prompt = [e for e in step.events if isinstance(e, QuestionAsked)][-1].prompt
        inbound: Inbound = (
            ChoiceReply(prompt.question_id, (prompt.choices[0].id,))
            if prompt.choices
            else TextReply(
                str(int(prompt.min_value or 0)) if prompt.kind.value == "number" else "Une réponse."
            )
        )
        step = advance(survey, step.session, inbound, NOW)
        steps += 1
    return steps


def steps_per_second(survey: Survey, run: Callable[[Survey], int], seconds: float = 2.0) -> float:
    rates = []
    for _ in range(3):
        steps = 0
        began = time.perf_counter()
        while (elapsed := time.perf_counter() - began) < seconds:
            steps += run(survey)
        rates.append(steps / elapsed)
    return statistics.median(rates)


def two_hundred_questions(languages: tuple[str, ...] = ("en", "fr", "ar", "sw")) -> str:
    def text(label: str) -> dict[str, str]:
        return {
            lang: f"{label} ({lang}) — a realistic question text of moderate length?"
            for lang in languages
        }

    questions: list[dict[str, object]] = []
    kinds = ["single_choice", "multiple_choice", "yes_no", "scale", "number", "text", "info"]
    for number in range(1, 201):
        kind = kinds[number % len(kinds)]
        question: dict[str, object] = {"id": f"q{number}", "kind": kind, "text": text(f"Q{number}")}
        if kind in ("single_choice", "multiple_choice"):
            question["options"] = [{"id": f"o{o}", "text": text(f"Option {o}")} for o in range(5)]
        if kind == "scale":
            question.update(
                {"min": 1, "max": 5, "labels": {"min": text("low"), "max": text("high")}}
            )
        if kind == "number":
            question.update({"min": 0, "max": 100})
        if number > 10 and number % 5 == 0 and (number - 1) % len(kinds):
            single = (number - 1) // len(kinds) * len(kinds)  # the last single choice before it
            question["relevant"] = f"q{single} != 'o1' or count(q{single + 1}) >= 2"
        questions.append(question)
    document = {
        "spec_version": 1,
        "id": "big",
        "organisation": text("Org"),
        "title": text("Title"),
        "languages": list(languages),
        "default_language": languages[0],
        "promise": text("Promise"),
        "questions": questions,
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def parse_milliseconds(source: str, repeats: int = 15) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        parse(source)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def session_bytes(survey: Survey) -> int:
    step = start(survey, "sw", NOW)
    for text in TYPED[:-1]:  # everything but the last answer: a survey in progress
        step = advance(survey, step.session, TextReply(text), NOW)
    return len(json.dumps(to_dict(step.session), separators=(",", ":")).encode())


def main() -> None:
    survey = parse(EXAMPLE.read_text(encoding="utf-8"))
    typed = steps_per_second(survey, _run_typed)
    buttons = steps_per_second(survey, _run_buttons)
    big = two_hundred_questions()
    parse_ms = parse_milliseconds(big)
    print(f"advance(), typed answers (sw):   {typed:10,.0f} steps/s  (target >= 30,000)")
    print(f"advance(), button presses (fr):  {buttons:10,.0f} steps/s  (target >= 30,000)")
    print(
        f"parse+validate 200 questions, 4 languages ({len(big) // 1024} KB): "
        f"{parse_ms:.1f} ms  (target <= 50)"
    )
    print(f"session in progress (example, 11 of 12 answered): {session_bytes(survey)} bytes")


if __name__ == "__main__":
    main()
