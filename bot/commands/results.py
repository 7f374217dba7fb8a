"""`sauti campaign results CAMPAIGN [--by QUESTION|language|channel] [--min-cell N]`: a
campaign's results as tables, small cells withheld as an organisation would see them.

`sauti campaign results-export CAMPAIGN [--by ...] [--format csv|xlsx] [--language L]
[--output FILE]`: the same counts as the file the API's `exportResults` gives (no personal
data), audited as an aggregate export."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import OPERATOR, AuditAction
from bot.commands.common import (
    EXIT_USAGE,
    as_operator,
    campaign_in_language,
    private_binary_file,
    private_file,
    stored_campaign,
    unwritable,
    with_app,
)
from bot.records.export_files import ExportNote
from bot.records.results import (
    Breakdown,
    CampaignResults,
    QuestionResults,
    UnknownBreakdownError,
    campaign_results,
)
from bot.records.results_files import results_csv, results_xlsx
from bot.records.suppression import LOWEST_MIN_CELL, Cell
from dialogues import Survey

_Label = Callable[[Cell], str]  # a count as shown: the number, or <minimum


def register_results(campaign: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    results = campaign.add_parser(
        "results", help="per-question counts, optionally broken down, small cells withheld"
    )
    results.add_argument("campaign_id")
    results.add_argument(
        "--by", help="break each question down by another choice question, language or channel"
    )
    results.add_argument(
        "--min-cell",
        type=int,
        help="withhold counts below this (at least SAUTI_PRIVACY_MIN_CELL, the default)",
    )
    results.set_defaults(handler=_results)


def _results(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        floor = app.settings.privacy.min_cell
        minimum = floor if args.min_cell is None else args.min_cell
        if minimum < max(floor, LOWEST_MIN_CELL):
            print(
                f"sauti: --min-cell must be at least {floor} (SAUTI_PRIVACY_MIN_CELL): it can "
                "withhold more, never less",
                file=sys.stderr,
            )
            return EXIT_USAGE
        campaign = await stored_campaign(app, args.campaign_id)
        if isinstance(campaign, int):
            return campaign
        try:
            found = await campaign_results(
                app.redis, app.schema, campaign.survey, by=args.by, minimum=minimum
            )
        except UnknownBreakdownError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return EXIT_USAGE
        print("\n".join(render(found, campaign.survey)))
        return 0

    return with_app(work)


def register_results_export(
    campaign: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    command = campaign.add_parser(
        "results-export",
        help="the results as a CSV or XLSX file, small cells withheld (no personal data)",
    )
    command.add_argument("campaign_id")
    command.add_argument(
        "--by", help="break each question down by another choice question, language or channel"
    )
    command.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    command.add_argument(
        "--language", help="the language of the texts (one of the campaign's; by default its first)"
    )
    command.add_argument("--output", type=Path, help="write to this file instead of stdout")
    command.set_defaults(handler=_results_export)


def _results_export(args: argparse.Namespace) -> int:
    refused = unwritable(args.output)
    if refused is not None:
        return refused

    async def work(app: App) -> int:
        chosen = await campaign_in_language(app, args.campaign_id, args.language)
        if isinstance(chosen, int):
            return chosen
        campaign, language = chosen
        survey = campaign.survey
        minimum = app.settings.privacy.min_cell
        try:
            found = await campaign_results(
                app.redis, app.schema, survey, by=args.by, minimum=minimum
            )
        except UnknownBreakdownError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return EXIT_USAGE
        details: dict[str, str | int] = {
            "format": args.format,
            "to": "file" if args.output else "stdout",
        }
        if args.by is not None:
            details["by"] = args.by
        await as_operator(
            app,
            campaign.org,
            Permission.RESULTS_READ,
            AuditAction.RESULTS_EXPORTED,
            target=f"campaign:{campaign.id}",
            count=len(found.questions),
            details=details,
        )
        if args.format == "xlsx":
            note = ExportNote(time.time(), OPERATOR, minimum)
            with private_binary_file(args.output) as binary:
                async for piece in results_xlsx(found, survey, language, note):
                    binary.write(piece)
        else:
            with private_file(args.output) as out:
                async for line in results_csv(found, survey, language, bom=args.output is not None):
                    out.write(line)
        return 0

    return with_app(work)


def render(found: CampaignResults, survey: Survey) -> list[str]:
    """The results as lines of text; a withheld count reads `<minimum`."""
    label: _Label = partial(Cell.label, minimum=found.minimum)
    lines = [
        f"campaign {found.campaign_id}: started {label(found.started)}, "
        f"completed {label(found.completed)}",
        f"<{found.minimum}: fewer than {found.minimum}, or withheld so that such a count cannot "
        "be worked out from the totals",
    ]
    for question in found.questions:
        lines += ["", *_question(question, survey, label)]
    return lines


def _question(question: QuestionResults, survey: Survey, label: _Label) -> list[str]:
    kind = question.kind.value.replace("_", " ")
    lines = [
        f"{question.question_id} ({kind}): answered {label(question.answered)}, "
        f"skipped {label(question.skipped)}, declined {label(question.declined)}"
    ]
    asked = survey.question(question.question_id)
    options = asked.options if asked is not None else ()
    texts: dict[str, str] = {o.id: o.text.get(survey.default_language, o.id) for o in options}
    width = max((len(option.option_id) for option in question.options), default=0)
    for option in question.options:
        name = option.option_id.ljust(width)
        lines.append(f"  {name}  {label(option.count):>7}  {texts.get(option.option_id, '')}")
    if question.breakdown is not None:
        lines += _table(question.breakdown, label)
    return lines


def _table(breakdown: Breakdown, label: _Label) -> list[str]:
    table = breakdown.table
    header = [f"by {breakdown.by}", *breakdown.columns, "total"]
    body = [
        [row, *map(label, cells), label(total)]
        for row, cells, total in zip(breakdown.rows, table.cells, table.row_totals, strict=True)
    ]
    body.append(["total", *map(label, table.column_totals), label(table.total)])
    return _aligned([header, *body])


def _aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(
            cell.ljust(w) if n == 0 else cell.rjust(w)
            for n, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
