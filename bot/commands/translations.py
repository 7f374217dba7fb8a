"""`sauti translations export|import|status`: translators' round trip for a campaign's texts
(docs/translations.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, with_app
from bot.conversation.campaign import Campaign
from bot.records.translation_files import po_file
from bot.records.translation_import import Imported, import_po
from bot.records.translations import TranslationRecords, campaign_entries
from dialogues.checking import LANGUAGE_CODE
from dialogues.translations import LanguageStatus, ReviewState

MAX_FILE_BYTES = 5 * 1024 * 1024  # a campaign's texts are kilobytes; more is not a PO of ours


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="translations commands")
    export = commands.add_parser("export", help="a campaign's texts in one language, as PO")
    export.add_argument("campaign_id")
    export.add_argument("--lang", required=True, help="the language to translate into")
    export.add_argument("--format", choices=("po",), default="po")
    export.add_argument("-o", "--output", type=Path, help="the file to write (else stdout)")
    export.set_defaults(handler=_export)
    imports = commands.add_parser("import", help="store a translated PO file (all or nothing)")
    imports.add_argument("campaign_id")
    imports.add_argument("file", type=Path)
    imports.add_argument("--reviewer", help="who reviewed it (a native speaker)")
    imports.set_defaults(handler=_import)
    status = commands.add_parser("status", help="each language's completeness and review")
    status.add_argument("campaign_id")
    status.set_defaults(handler=_status)


def records_of(app: App) -> TranslationRecords:
    return TranslationRecords(
        app.redis,
        app.schema,
        button_chars=app.settings.whatsapp.limits.max_button_title_chars,
    )


async def _campaign(app: App, campaign_id: str) -> Campaign | None:
    campaign = await app.campaigns.get(campaign_id)
    if campaign is None:
        print(f"sauti: no campaign '{campaign_id}'", file=sys.stderr)
    return campaign


def _export(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        campaign = await _campaign(app, args.campaign_id)
        if campaign is None:
            return 1
        await as_operator(app, campaign.org, Permission.CAMPAIGNS_MANAGE)
        if not LANGUAGE_CODE.match(args.lang):
            print(
                f"sauti: '{args.lang}' is not a language code like 'sw' or 'fr-CD'", file=sys.stderr
            )
            return 1
        if args.lang == campaign.survey.default_language:
            print(f"sauti: '{args.lang}' is the campaign's source language", file=sys.stderr)
            return 1
        found = campaign_entries(campaign, args.lang, records_of(app).button_chars)
        data = po_file(campaign.id, args.lang, found, dt.datetime.now(dt.UTC))
        if args.output is None:
            sys.stdout.buffer.write(data)
        else:
            args.output.write_bytes(data)
            print(
                f"{len(found)} texts of '{campaign.id}' in '{args.lang}' written to {args.output}"
            )
        return 0

    return with_app(work)


def _import(args: argparse.Namespace) -> int:
    try:
        if args.file.stat().st_size > MAX_FILE_BYTES:
            print(f"sauti: {args.file}: larger than a campaign's texts can be", file=sys.stderr)
            return 1
        data = args.file.read_bytes()
    except OSError as error:
        print(f"sauti: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1

    async def work(app: App) -> int:
        campaign = await _campaign(app, args.campaign_id)
        if campaign is None:
            return 1
        await as_operator(app, campaign.org, Permission.CAMPAIGNS_MANAGE)
        outcome = await import_po(
            app.campaigns,
            records_of(app),
            campaign,
            data,
            reviewer=args.reviewer,
            now_ms=int(time.time() * 1000),
        )
        if not isinstance(outcome, Imported):
            for problem in outcome:
                print(f"{args.file}:{problem}", file=sys.stderr)
            print(f"sauti: nothing was stored: {len(outcome)} problem(s)", file=sys.stderr)
            return 1
        await as_operator(
            app,
            campaign.org,
            Permission.CAMPAIGNS_MANAGE,
            AuditAction.CAMPAIGN_LOADED,
            target=f"campaign:{campaign.id}",
            details={"translation": outcome.language, "unreviewed": outcome.record.unreviewed},
        )
        print(f"'{campaign.id}' in '{outcome.language}': {outcome.stored} campaign texts stored")
        print(f"{outcome.language}\t{describe(outcome.status)}")
        return 0

    return with_app(work)


def _status(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        campaign = await _campaign(app, args.campaign_id)
        if campaign is None:
            return 1
        await as_operator(app, campaign.org, Permission.CAMPAIGNS_READ)
        records = records_of(app)
        for status in await records.statuses(campaign):
            print(f"{status.language}\t{describe(status)}")
        accepted = await records.drafts_shown(campaign)
        if accepted is not None:
            print(
                f"opened with machine-drafted text accepted by {accepted.by} on "
                f"{_day(accepted.at_ms)}: "
                + "; ".join(f"{code} {what}" for code, what in accepted.languages.items())
            )
        return 0

    return with_app(work)


def describe(status: LanguageStatus) -> str:
    """`266/266 translated<TAB>reviewed by Amina, 2026-12-07 16:20 UTC` and the like."""
    said = f"{status.translated}/{status.total} translated\t{status.state.value}"
    if status.state is ReviewState.REVIEWED:
        said += (
            f" by {status.reviewer}, {_day(status.reviewed_at_ms)}"
            if status.reviewer
            else (" (declared in the survey file)")
        )
    return said


def _day(at_ms: int | None) -> str:
    if at_ms is None:
        return "(date unknown)"
    return dt.datetime.fromtimestamp(at_ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
