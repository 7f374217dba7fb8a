"""`sauti survey import` and `sauti survey export`: XLSForm workbooks (KoboToolbox, ODK) to
Sauti survey files and back. No Redis needed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.records.xlsform_files import form_parts, import_workbook
from dialogues import Survey, SurveyDefinitionError, parse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reader = commands.add_parser(
        "import", help="make a survey file of an XLSForm (xlsx, xls); print every problem"
    )
    reader.add_argument("file", type=Path)
    reader.add_argument(
        "-o", "--output", type=Path, help="the survey file to write (default: print it)"
    )
    reader.set_defaults(handler=_import)
    writer = commands.add_parser("export", help="write a survey file as an XLSForm workbook")
    writer.add_argument("file", type=Path)
    writer.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx to write")
    writer.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as error:
        print(f"{args.file}: cannot read: {error}", file=sys.stderr)
        return 1
    result = import_workbook(content, name=args.file.stem)
    for warning in result.warnings:
        print(f"{args.file}: warning: {warning}", file=sys.stderr)
    if result.text is None:
        for problem in result.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        count = len(result.problems)
        print(
            f"{args.file}: {count} problem{'s' if count != 1 else ''}; nothing written",
            file=sys.stderr,
        )
        return 1
    if args.output is None:
        sys.stdout.write(result.text)
        return 0
    try:
        args.output.write_text(result.text, encoding="utf-8")
    except OSError as error:
        print(f"{args.output}: cannot write: {error}", file=sys.stderr)
        return 1
    survey = result.survey
    assert survey is not None  # a text is only made of a survey that loads
    print(f"{args.output}: {len(survey.questions)} questions, {', '.join(survey.languages)}")
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        survey = parse(args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        print(f"{args.file}: cannot read: {error}", file=sys.stderr)
        return 1
    except SurveyDefinitionError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    try:
        args.output.write_bytes(asyncio.run(_workbook(survey)))
    except OSError as error:
        print(f"{args.output}: cannot write: {error}", file=sys.stderr)
        return 1
    print(f"{args.output}: survey, choices and settings sheets, {', '.join(survey.languages)}")
    return 0


async def _workbook(survey: Survey) -> bytes:
    return b"".join([part async for part in form_parts(survey)])
