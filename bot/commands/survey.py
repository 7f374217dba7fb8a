"""`sauti survey validate`, `chat`, `import` and `export`: for survey authors, no Redis needed."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.commands import survey_forms
from bot.terminal import render_event
from dialogues import SessionStatus, Survey, SurveyDefinitionError, advance, parse, start, validate
from dialogues.inbound import (
    ChangeLanguage,
    GoBack,
    Inbound,
    Pause,
    Resume,
    Skip,
    TextReply,
)


def register(parser: argparse.ArgumentParser) -> None:
    survey = parser.add_subparsers(title="survey commands")
    check = survey.add_parser("validate", help="check survey files; print every problem")
    check.add_argument("files", nargs="+", type=Path)
    check.set_defaults(handler=_validate)
    chat = survey.add_parser("chat", help="answer a survey in the terminal")
    chat.add_argument("file", type=Path)
    chat.add_argument("--lang", help="language code (default: the survey's default)")
    chat.set_defaults(handler=_chat)
    survey_forms.register(survey)


def _validate(args: argparse.Namespace) -> int:
    failed = False
    for path in args.files:
        text = read_file(path)
        if text is None:
            failed = True
            continue
        result = validate(text)
        for warning in result.warnings:
            print(f"{path}: warning: {warning}")
        if result.survey is None:
            failed = True
            for problem in result.problems:
                # "file:line: path: message", the shape editors and CI logs link to the line.
                line = f"{problem.line}:" if problem.line is not None else ""
                print(f"{path}:{line} {problem.path or '(file)'}: {problem.message}")
        else:
            survey = result.survey
            print(f"{path}: ok — {len(survey.questions)} questions, {', '.join(survey.languages)}")
    return 1 if failed else 0


def read_file(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read: {error}", file=sys.stderr)
        return None


def _chat(args: argparse.Namespace) -> int:
    text = read_file(args.file)
    if text is None:
        return 1
    try:
        survey = parse(text)
    except SurveyDefinitionError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    return run_chat(survey, args.lang or survey.default_language, sys.stdin, sys.stdout)


_COMMANDS: dict[str, Inbound] = {
    "/skip": Skip(),
    "/back": GoBack(),
    "/pause": Pause(),
    "/resume": Resume(),
}


# A trial run touches no Redis: the survey's own thanks ("your answers have been saved") is
# what participants will read, so the author is told plainly that here nothing was.
TRIAL_RUN = "(trial run: nothing you type here is saved, sent or counted)"
TRIAL_RUN_DONE = "(trial run over: nothing was saved; the thanks above is what participants read)"
TRIAL_RUN_LEFT = "(trial run left before the end: nothing was saved)"


def run_chat(survey: Survey, language: str, stdin: TextIO, stdout: TextIO) -> int:
    """Drive the pure engine from lines of input; echo them when not typed at a terminal."""
    print(TRIAL_RUN, file=stdout)
    step = start(survey, language, _now())
    _show(step.events, stdout)
    echo = not stdin.isatty()
    for raw in stdin:
        line = raw.rstrip("\n")
        if echo:
            print(f"> {line}", file=stdout)
        if line.strip() == "/quit":
            break
        step = advance(survey, step.session, _inbound(line), _now())
        _show(step.events, stdout)
        if step.session.status is SessionStatus.COMPLETED:
            print(f"\n{TRIAL_RUN_DONE}", file=stdout)
            return 0
    print(f"\n{TRIAL_RUN_LEFT}", file=stdout)
    return 0


def _inbound(line: str) -> Inbound:
    command, _, rest = line.strip().partition(" ")
    if command == "/lang" and rest:
        return ChangeLanguage(rest.strip())
    return _COMMANDS.get(command) or TextReply(line)


def _show(events: Sequence[object], stdout: TextIO) -> None:
    for event in events:
        text = render_event(event)  # type: ignore[arg-type]
        if text is not None:
            print(text, file=stdout)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
