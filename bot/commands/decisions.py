"""`sauti decision load|list|show|preview|publish|progress|concerns`: the decisions ledger.

Output names participants only by response ids (the organisation's pseudonym / question id),
and never shows free text or answers to sensitive questions, except the concerns people wrote
to the company about a decision.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bot.access.organisations import DEFAULT_ORG
from bot.access.roles import Permission
from bot.api.operations.decision_preview import LanguageCountOut, preview_out, reach_of
from bot.api.operations.decision_progress import progress_out
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, shown_count, with_app
from bot.commands.survey import read_file
from bot.conversation.decisions.decision import Decision, DecisionDefinitionError, LoopError
from bot.conversation.decisions.values import optional_text
from bot.loop.ledger import StoredDecision
from bot.loop.planner import EXCLUSIONS
from bot.loop.preview import Preview, Viewpoint, build_preview
from bot.loop.progress import Progress, publication_progress
from bot.loop.publisher import MissingTranslationsError
from bot.loop.templates import template_coverage
from bot.records.cases import case_text, find_case
from bot.records.reactions import reaction_totals
from bot.records.suppression import DEFAULT_MIN_CELL, suppress_count, suppress_distribution
from dialogues.model import Survey

REASONS = {
    "no_consent": "did not ask to hear back",
    "consent_outdated": "consent outdated",
    "opted_out": "said stop",
    "erased": "erased their data",
    "unreachable": "blocked Sauti / unreachable",
    "hidden": "left with a quick exit",
    "unlinked": "answers changed: no longer linked",
    "already told": "already told this version",
}


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="decision commands")
    load = sub.add_parser("load", help="check a decision file and store it (a new version)")
    load.add_argument("file", type=Path)
    load.add_argument("--check", action="store_true", help="only check the file")
    load.set_defaults(handler=_load)
    listing = sub.add_parser("list", help="a campaign's decisions and their publication")
    listing.add_argument("campaign_id")
    listing.set_defaults(handler=_list)
    show = sub.add_parser("show", help="a decision file as stored")
    _decision_args(show)
    show.add_argument("--version", type=int, help="default: the latest")
    show.set_defaults(handler=_show)
    preview = sub.add_parser("preview", help="who would be told, before anything is sent")
    _decision_args(preview)
    preview.set_defaults(handler=_preview)
    publish = sub.add_parser("publish", help="tell the linked participants (latest version)")
    _decision_args(publish)
    publish.add_argument(
        "--allow-missing-translations",
        action="store_true",
        help="publish although some participants' language has no message (they get the "
        "campaign's default language)",
    )
    publish.set_defaults(handler=_publish)
    progress = sub.add_parser("progress", help="how far a publication has come, with an ETA")
    _decision_args(progress)
    progress.add_argument("--version", type=int, help="default: the latest published")
    progress.set_defaults(handler=_progress)
    concerns = sub.add_parser("concerns", help="reactions and the concerns people wrote")
    _decision_args(concerns)
    concerns.set_defaults(handler=_concerns)


def _decision_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("campaign_id")
    parser.add_argument("decision_id")


def print_problems(path: Path, error: DecisionDefinitionError) -> None:
    """`file:line: path: message`, like `sauti survey validate`."""
    for problem in error.problems:
        line = f"{problem.line}:" if problem.line is not None else ""
        print(f"{path}:{line} {problem.path or '(file)'}: {problem.message}", file=sys.stderr)


def _load(args: argparse.Namespace) -> int:
    source = read_file(args.file)
    if source is None:
        return 1

    async def work(app: App) -> int:
        ledger = app.ledger()
        try:
            if args.check:
                decision = await ledger.check(source)
                print(f"{args.file}: ok — decision '{decision.id}' of '{decision.campaign_id}'")
                await _warn_lacking(app, decision)
                return 0
            stored, new = await ledger.load(source, _now_ms())
        except DecisionDefinitionError as error:
            print_problems(args.file, error)
            return 1
        except LoopError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        what = "stored as version" if new else "unchanged: still version"
        print(f"decision '{stored.id}' of '{stored.campaign_id}' {what} {stored.version}")
        await _warn_lacking(app, stored.decision)
        return 0

    return with_app(work)


async def _warn_lacking(app: App, decision: Decision) -> None:
    """Every campaign language the file lacks a text in, and what its readers would get."""
    campaign = await app.campaigns.get(decision.campaign_id)
    if campaign is None:
        return
    survey = campaign.survey
    lacking = decision.missing_messages(survey.languages)
    for line in lacking_warning(lacking, survey.languages, survey.default_language):
        print(line)


def lacking_warning(
    lacking: tuple[str, ...], languages: tuple[str, ...], default: str
) -> list[str]:
    """The warning about campaign languages without a message (or owed rationale)."""
    if not lacking:
        return []
    return [
        f"WARNING: no message (or rationale) in {', '.join(lacking)} of the campaign's "
        f"languages ({', '.join(languages)})",
        "  people reading them are told nothing: publishing is refused while anyone to be told "
        "reads one;",
        f"  with --allow-missing-translations they get the {default} text, "
        "in a notice in their language marked as not yet translated",
    ]


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        ledger = app.ledger()
        ids = await ledger.ids(args.campaign_id)
        if not ids:
            print(f"no decisions for '{args.campaign_id}' yet: sauti decision load FILE")
        for decision_id in ids:
            try:
                stored = await ledger.get(args.campaign_id, decision_id)
            except DecisionDefinitionError:
                print(f"{decision_id}\t(no longer fits the campaign's survey: load it again)")
                continue
            if stored is None:
                continue
            status = await _publication_status(app, stored, stored.published_version)
            title = next(iter(stored.decision.title.values()))
            print(
                f"{decision_id}\tv{stored.version}\t{stored.decision.status.value}"
                f"\tpublished: {_published(stored, status)}\t{title}"
            )
        return 0

    return with_app(work)


def _published(stored: StoredDecision, status: str | None) -> str:
    if not stored.published_version:
        return "no"
    return f"v{stored.published_version} ({status})"


def _show(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        ledger = app.ledger()
        stored = await ledger.get(args.campaign_id, args.decision_id)
        if stored is None:
            return _no_decision(args)
        version = args.version or stored.version
        source = await ledger.source(args.campaign_id, args.decision_id, version)
        if source is None:
            print(f"sauti: no version {version} (latest: {stored.version})", file=sys.stderr)
            return 1
        print(f"# version {version} of {stored.version}, reference {stored.ref}")
        print(source, end="" if source.endswith("\n") else "\n")
        return 0

    return with_app(work)


def _preview(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        stored = await _get(app, args)
        campaign = await app.campaigns.get(args.campaign_id)
        if stored is None or campaign is None:
            return _no_decision(args)
        preview = await decision_preview(app, stored, campaign.survey)
        # The sample shows answers of named (pseudonymous) people: a read of responses.
        await as_operator(
            app,
            campaign.org,
            Permission.DECISIONS_DRAFT,
            AuditAction.RESPONSES_READ if preview.samples else None,
            target=f"decision:{stored.campaign_id}/{stored.id}",
            count=len(preview.samples),
            details={"what": "preview"},
        )
        print_preview(
            preview,
            campaign.survey,
            weekly_budget=app.settings.loop.weekly_budget,
            minimum=app.settings.privacy.min_cell,
        )
        return 0

    return with_app(work)


async def decision_preview(app: App, stored: StoredDecision, survey: Survey) -> Preview:
    """What publishing would do now: who is told, quiet hours, WhatsApp templates."""
    publisher = app.publisher()
    whatsapp = app.settings.whatsapp
    owner = await app.campaigns.owner(stored.campaign_id)
    return await build_preview(
        app.redis,
        publisher.schema,
        stored,
        survey,
        publisher.limits(),
        Viewpoint(
            quiet=publisher.quiet,
            zone_name=await publisher.campaign_zone(stored.campaign_id),
            pseudonyms=await app.pseudonyms(owner or DEFAULT_ORG),
            templates=template_coverage(whatsapp.templates_file, whatsapp.limits, survey.languages),
        ),
    )


def print_preview(
    preview: Preview, survey: Survey, *, weekly_budget: int, minimum: int = DEFAULT_MIN_CELL
) -> None:
    """The preview as the API shows it: every count of people through the one suppression
    function (bot.api.operations.decision_preview), a withheld one read `<minimum`."""
    stored, counts = preview.stored, preview.counts
    shown = preview_out(preview, survey, minimum)
    table = shown.told_by_language_and_channel

    def label(count: int | None) -> str:
        return shown_count(count, minimum)

    print(
        f"decision '{stored.id}' v{stored.version} ({stored.decision.status.value}) "
        f"of '{stored.campaign_id}'"
    )
    print(f"linked participants: {label(shown.linked)}")
    print(f"would be told: {label(shown.told)}")
    for (language, channel), _ in sorted(counts.targets.items()):
        cell = table.cells[table.languages.index(language)][table.channels.index(channel)]
        print(f"  {language or '?':>4}  {channel or '?':<9} {label(cell)}")
    # Those linked and not told: the line's total less those told, shown only when both are.
    linked, told = shown.linked, shown.told
    excluded = linked - told if linked is not None and told is not None else None
    print(f"not told: {label(excluded)}")
    for reason in EXCLUSIONS:
        if counts.excluded[reason]:
            print(f"  {REASONS[reason]:<30} {label(shown.not_told[reason])}")
    if counts.over_budget:
        print(
            f"delayed, not dropped: {label(shown.delayed_by_budget)} already had "
            f"{weekly_budget} notices this week"
        )
    if preview.quiet_targets:
        quiet = shown.quiet_hours
        print(
            f"quiet hours now for {label(quiet.waiting_for_quiet_hours_end)} of "
            f"{label(quiet.push_notices)} push notices, each in the participant's own time zone "
            f"(it is {preview.local_time} for those without one): they wait until quiet hours end"
        )
    if preview.missing:
        listed = _per_language(shown.languages_without_message, minimum)
        print(f"MISSING message or rationale in: {listed}")
        print("  publishing is refused until they are added (or --allow-missing-translations)")
    else:
        print("messages: every participant's language is covered")
    if preview.whatsapp_without_template and shown.whatsapp_without_template is not None:
        listed = _per_language(shown.whatsapp_without_template, minimum)
        print(
            f"WhatsApp: no approved decision or notice template of their own in {listed}: "
            "outside their 24-hour window they get the fallback language's, or nothing "
            "(sauti whatsapp templates)"
        )
    if preview.whatsapp_without_buttons and shown.whatsapp_without_buttons is not None:
        listed = _per_language(shown.whatsapp_without_buttons, minimum)
        print(
            f"WhatsApp: no approved decision template in {listed}: outside their 24-hour "
            "window they get the plain notice template, without buttons to react (sauti "
            "whatsapp templates)"
        )
    if preview.samples:
        print("linked answers (sample):")
        for sample in preview.samples:
            print(f"  {sample.response_id}  {sample.shown}")
    print_written(preview)


def print_written(preview: Preview) -> None:
    """Every campaign language it lacks, then the words each language would read: the
    notice as sent, and its buttons."""
    languages = tuple(notice.language for notice in preview.notices)
    for line in lacking_warning(preview.lacking, languages, preview.default_language):
        print(line)
    for notice in preview.notices:
        marked = "  (not translated: sent only with --allow-missing-translations)"
        print(f"\n--- what {notice.language} readers get{marked if notice.untranslated else ''}")
        print(notice.text)
        print("  " + "  ".join(f"[{label}]" for label in notice.buttons))


def _publish(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        publisher = app.publisher()
        try:
            published = await publisher.publish(
                args.campaign_id, args.decision_id, allow_missing=args.allow_missing_translations
            )
        except MissingTranslationsError as error:
            print(f"sauti: not published: {error}", file=sys.stderr)
            print(
                "add the missing texts and `sauti decision load` the file again, or publish "
                "with --allow-missing-translations",
                file=sys.stderr,
            )
            return 1
        except LoopError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        stored = published.stored
        if published.already:
            print(f"version {stored.version} is already {published.status.value}")
        else:
            counts = await publisher.planned_counts(stored)
            owner = await app.campaigns.owner(stored.campaign_id)
            await as_operator(
                app,
                owner or DEFAULT_ORG,
                Permission.DECISIONS_PUBLISH,
                AuditAction.DECISION_PUBLISHED,
                target=f"decision:{stored.campaign_id}/{stored.id}",
                count=counts.told,
                details={"version": stored.version},
            )
            told = reach_of(counts, app.settings.privacy.min_cell).told.count
            print(
                f"publishing version {stored.version} of '{stored.id}' to "
                f"{shown_count(told, app.settings.privacy.min_cell)} participants; the "
                "publisher role of `sauti run` sends it"
            )
        print(f"follow it: sauti decision progress {stored.campaign_id} {stored.id}")
        return 0

    return with_app(work)


def _progress(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        stored = await _get(app, args, published=args.version is None)
        if stored is None:
            return _no_decision(args)
        schema = app.publisher().schema
        progress = await publication_progress(app.redis, schema, stored, app.send_rates())
        print_progress(stored, progress, app.settings.privacy.min_cell)
        return 0

    return with_app(work)


def _per_language(counts: list[LanguageCountOut], minimum: int) -> str:
    """ "fr (12), sw (<5)": participants per language, small counts withheld."""
    return ", ".join(
        f"{item.language} ({shown_count(item.participants, minimum)})" for item in counts
    )


def print_progress(
    stored: StoredDecision, progress: Progress, minimum: int = DEFAULT_MIN_CELL
) -> None:
    """Progress as the API shows it (bot.api.operations.decision_progress): counts of people
    through the one suppression function, a withheld one read `<minimum`."""
    shown = progress_out(stored, progress, minimum, time.time())

    def label(count: int | None) -> str:
        return shown_count(count, minimum)

    print(f"decision '{stored.id}' v{stored.version}: {progress.status}")
    if not progress.planning_done:
        print("  still working out who to tell")
    handled = suppress_distribution(
        [progress.handled, max(progress.total - progress.handled, 0)],
        minimum,
        total=progress.total,
    )
    print(f"  to tell: {label(shown.to_tell)}; handled: {label(handled.cells[0].count)}")
    for channel in shown.channels:
        print(
            f"  {channel.channel:<9} {label(channel.planned):>8} planned  "
            f"{label(channel.queued):>8} queued  {label(channel.delayed):>8} delayed "
            "(quiet hours / budget)"
        )
    released, dropped = sum(progress.released.values()), sum(progress.dropped.values())
    if released or dropped:
        print(
            f"  of the delayed: {label(suppress_count(released, minimum).count)} sent since, "
            f"{label(suppress_count(dropped, minimum).count)} not told after all"
        )
    for reason, count in sorted(shown.not_told.items()):
        print(f"  not told: {REASONS.get(reason, reason)}: {label(count)}")
    print(f"  bulk outbox waiting for the sender: {label(shown.outbox_backlog)}")
    if progress.waiting:
        due = progress.next_due_ms
        when = _iso(due) if due is not None else "?"
        print(f"  notices waiting for quiet hours or budget: {label(shown.waiting)} (next {when})")
    print(f"  ETA at the channels' rates: {_duration(progress.eta_seconds)}")


def _concerns(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        stored = await _get(app, args)
        if stored is None:
            return _no_decision(args)
        totals = await reaction_totals(app.redis, app.publisher().schema, stored.ref)
        if totals.concern_cases:
            owner = await app.campaigns.owner(stored.campaign_id)
            await as_operator(
                app,
                owner or DEFAULT_ORG,
                Permission.CASES_READ,
                AuditAction.FREE_TEXT_READ,
                target=f"decision:{stored.campaign_id}/{stored.id}",
                count=len(totals.concern_cases),
                details={"what": "concerns"},
            )
        minimum = app.settings.privacy.min_cell
        helpful, concerned, more, written = (
            shown_count(suppress_count(count, minimum).count, minimum)
            for count in (
                totals.helpful,
                totals.concerns,
                totals.more,
                len(totals.concern_cases),
            )
        )
        print(
            f"helpful: {helpful}  still concerned: {concerned}  asked for more: {more}  "
            f"concerns written: {written}"
        )
        for _, reference in totals.concern_cases:
            case = await find_case(app.redis, app.schema, reference)
            if case is None:
                continue
            text = await case_text(app.redis, app.schema, app.crypto, case)
            print(f"\n{reference}  {_iso(case.created_ms)}  {case.language}  {case.status.value}")
            print(f"  {text if text is not None else case.gone_why}")
        return 0

    return with_app(work)


async def _get(
    app: App, args: argparse.Namespace, published: bool = False
) -> StoredDecision | None:
    ledger = app.ledger()
    try:
        stored = await ledger.get(
            args.campaign_id, args.decision_id, getattr(args, "version", None)
        )
        if stored is not None and published and stored.published_version:
            stored = await ledger.get(args.campaign_id, args.decision_id, stored.published_version)
    except DecisionDefinitionError as error:
        print(f"sauti: the stored decision no longer fits the survey: {error}", file=sys.stderr)
        return None
    return stored


async def _publication_status(app: App, stored: StoredDecision, version: int) -> str | None:
    key = app.publisher().schema.publication(stored.ref, version)
    return optional_text(await app.redis.hget(key, "status"))


def _no_decision(args: argparse.Namespace) -> int:
    print(f"sauti: no decision '{args.decision_id}' in '{args.campaign_id}'", file=sys.stderr)
    return 1


def _now_ms() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"
