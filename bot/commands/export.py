"""`sauti campaign export CAMPAIGN_ID [--format csv|xlsx|json] [--labels] [--language L]
[--output FILE]`: the responses.

One row per participant who started the campaign, named only by the campaign's organisation's
pseudonym of them (the internal id never leaves the server); the file is made by
`bot.records.export_files`, as the API's (with `--labels`, the API's very file: each choice's
label beside its id). Free text is decrypted: the file is written owner-only and appears
complete or not at all (written aside, renamed at the end). A CSV file starts with a byte order
mark for spreadsheet apps; CSV on stdout, read by programs, does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import OPERATOR, AuditAction
from bot.commands.common import (
    as_operator,
    campaign_in_language,
    private_binary_file,
    private_file,
    unwritable,
    with_app,
)
from bot.records.export import Respondent, TextLoss, respondents
from bot.records.export_files import (
    ExportNote,
    csv_text,
    json_text,
    named_by,
    written,
    xlsx_bytes,
)


def register_export(campaign: Any) -> None:
    """Add `export` to the `campaign` command group (its subparsers action)."""
    command = campaign.add_parser(
        "export", help="export a campaign's responses (CSV, XLSX or JSON): personal data"
    )
    command.add_argument("campaign_id")
    command.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    command.add_argument(
        "--labels",
        action="store_true",
        help="CSV and XLSX: each choice question's option labels beside its ids (<question>_label)",
    )
    command.add_argument(
        "--language", help="the labels' language (one of the campaign's; by default its first)"
    )
    command.add_argument(
        "--output", type=Path, help="write to this file (owner-only) instead of stdout"
    )
    command.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    refused = unwritable(args.output)
    if refused is not None:
        return refused

    async def work(app: App) -> int:
        chosen = await campaign_in_language(app, args.campaign_id, args.language)
        if isinstance(chosen, int):
            return chosen
        campaign, language = chosen
        await as_operator(app, campaign.org, Permission.EXPORTS_CREATE)
        pseudonyms = await app.pseudonyms(campaign.org)
        found = named_by(pseudonyms, respondents(app.redis, app.schema, app.crypto, campaign.id))
        tally = _Tally()
        rows = tally.counting(found)
        labels = language if args.labels else None
        if args.format == "xlsx":
            note = ExportNote(time.time(), OPERATOR, app.settings.privacy.min_cell)
            with private_binary_file(args.output) as binary:
                async for piece in xlsx_bytes(campaign.survey, rows, note, labels=labels):
                    binary.write(piece)
        else:
            with private_file(args.output) as out:
                if args.format == "csv":
                    text = csv_text(
                        campaign.survey, rows, labels=labels, bom=args.output is not None
                    )
                else:
                    text = json_text(campaign.survey, rows)
                async for chunk in text:
                    out.write(chunk)
        await as_operator(
            app,
            campaign.org,
            Permission.EXPORTS_CREATE,
            AuditAction.EXPORT_CREATED,
            target=f"campaign:{campaign.id}",
            count=written(args.format, tally.rows),
            details={"format": args.format, "to": "file" if args.output else "stdout"},
        )
        exported = written(args.format, tally.rows)
        print(f"exported {exported} respondents of '{campaign.id}'", file=sys.stderr)
        if exported < tally.rows:
            print(
                f"sauti: warning: {tally.rows - exported} more respondents left out: an XLSX "
                "sheet holds at most a million rows; export as csv or json for all",
                file=sys.stderr,
            )
        if tally.unreadable:
            print(
                f"sauti: warning: {tally.unreadable} free-text answers could not be decrypted "
                "(is SAUTI_MASTER_KEY the one they were written with?)",
                file=sys.stderr,
            )
        return 0

    return with_app(work)


class _Tally:
    def __init__(self) -> None:
        self.rows = 0
        self.unreadable = 0

    async def counting(self, rows: AsyncIterator[Respondent]) -> AsyncIterator[Respondent]:
        async for row in rows:
            self.rows += 1
            self.unreadable += sum(a.lost is TextLoss.UNREADABLE for a in row.answers.values())
            yield row
