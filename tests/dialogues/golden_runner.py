"""Run a golden case (survey + scripted inputs) and turn the events into a plain, reviewable log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from pathlib import Path
from typing import Any

import yaml

from dialogues import advance, parse, start
from dialogues.events import Event, QuestionAsked
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    Decline,
    GoBack,
    Inbound,
    Pause,
    Resume,
    Skip,
    SubmitSelection,
    TextReply,
    ToggleOption,
)

REPO = Path(__file__).resolve().parents[2]
STARTED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def inbound_from(entry: dict[str, Any]) -> Inbound:
    """One scripted input, written as a one-key mapping in the case file."""
    ((kind, arg),) = entry.items()
    simple: dict[str, Any] = {
        "skip": Skip,
        "decline": Decline,
        "back": GoBack,
        "submit": SubmitSelection,
    }
    if kind == "text":
        return TextReply(str(arg))
    if kind == "choice":
        return ChoiceReply(arg[0], tuple(arg[1]))
    if kind == "toggle":
        return ToggleOption(arg[0], arg[1])
    if kind in simple:
        result: Inbound = simple[kind](arg)
        return result
    if kind == "pause":
        return Pause()
    if kind == "resume":
        return Resume()
    if kind == "language":
        return ChangeLanguage(str(arg))
    raise ValueError(f"unknown scripted input {kind!r}")


def run_case(case: dict[str, Any]) -> list[dict[str, Any]]:
    survey = parse((REPO / case["survey"]).read_text(encoding="utf-8"))
    step = start(survey, case["language"], STARTED)
    log: list[dict[str, Any]] = [{"start": case["language"], "events": plain_events(step.events)}]
    for minute, entry in enumerate(case["inputs"], start=1):
        now = STARTED + dt.timedelta(minutes=minute)
        step = advance(survey, step.session, inbound_from(entry), now)
        log.append({"input": entry, "events": plain_events(step.events)})
    log.append({"final_status": step.session.status.name.lower()})
    return log


def plain_events(events: tuple[Event, ...]) -> list[dict[str, Any]]:
    return [{type(event).__name__: _plain(_fields(event))} for event in events]


def _fields(event: Event) -> dict[str, Any]:
    if isinstance(event, QuestionAsked):
        prompt = dataclasses.asdict(event.prompt)
        del prompt["labels"]  # the same on every prompt of a language; kept out of the diff
        return {"again": event.again, **prompt}
    return dataclasses.asdict(event)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item not in (None, (), [])}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def dump(log: list[dict[str, Any]]) -> str:
    return yaml.safe_dump(log, allow_unicode=True, sort_keys=False, width=100)
