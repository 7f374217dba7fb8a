"""`sauti audit list|export|verify --org SLUG`: an organisation's audit log, read by the operator.

`list` shows a page of entries, one line each, and the cursor of the next page; `export` writes
every entry with its hashes (JSON lines or CSV), to archive the log and check it elsewhere;
`verify` walks the chain and says where it breaks. Reading the log is itself recorded (as
`audit_read` by `operator`): it names staff members and their addresses.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from bot.app import App
from bot.audit import OPERATOR, AuditAction, AuditEntry, AuditLog, ChainBreak, Verification
from bot.audit.entry import check_org
from bot.audit.log import MAX_PAGE, check_cursor
from bot.commands.common import EXIT_USAGE, private_file, with_app
from bot.records.export_files import safe_cell

CSV_COLUMNS = (
    "org",
    "id",
    "at",
    "at_ms",
    "actor",
    "action",
    "target",
    "count",
    "address",
    "details",
    "previous",
    "hash",
    "unreadable",
)


def register(parser: argparse.ArgumentParser) -> None:
    group = parser.add_subparsers(title="audit commands")
    listing = group.add_parser("list", help="a page of the log, oldest first")
    _org_argument(listing)
    listing.add_argument(
        "--action", choices=[action.value for action in AuditAction], help="only this action"
    )
    listing.add_argument("--limit", type=int, default=50, help=f"entries (1 to {MAX_PAGE})")
    listing.add_argument("--after", metavar="CURSOR", help="the cursor a previous page printed")
    listing.set_defaults(handler=_list)
    export = group.add_parser("export", help="every entry with its hashes, to archive the log")
    _org_argument(export)
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument(
        "--output", type=Path, help="write to this file (owner-only) instead of stdout"
    )
    export.set_defaults(handler=_export)
    verify = group.add_parser("verify", help="check the chain from the first entry to the head")
    _org_argument(verify)
    verify.add_argument(
        "--against",
        type=Path,
        metavar="EXPORT",
        help="also check that the log still holds the last entry of this earlier export (jsonl)",
    )
    verify.set_defaults(handler=_verify)


def _org_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True, metavar="SLUG", help="the organisation")


def _usage_error(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments, checked before Redis is reached."""
    try:
        check_org(args.org)
        if getattr(args, "after", None) is not None:
            check_cursor(args.after)
    except ValueError as error:
        return str(error)
    limit = getattr(args, "limit", 1)
    if not 1 <= limit <= MAX_PAGE:
        return f"--limit must be 1 to {MAX_PAGE}"
    output: Path | None = getattr(args, "output", None)
    if output is not None and not output.parent.is_dir():
        return f"{output.parent} is not a directory"
    return None


def _checked(args: argparse.Namespace) -> bool:
    problem = _usage_error(args)
    if problem is not None:
        print(f"sauti: audit: {problem}", file=sys.stderr)
    return problem is None


# -- list --------------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    if not _checked(args):
        return EXIT_USAGE

    async def work(app: App) -> int:
        log = app.audit_log()
        action = AuditAction(args.action) if args.action else None
        page = await log.entries(args.org, after=args.after, limit=args.limit, action=action)
        for entry in page.entries:
            print(entry_line(entry))
        if not page.entries and page.after is None:
            print(f"no more entries in the audit log of {args.org}", file=sys.stderr)
        if page.after is not None:
            print(f"next page: --after {page.after}")
        await _record_read(log, args.org, len(page.entries), via="list")
        return 0

    return with_app(work)


def entry_line(entry: AuditEntry) -> str:
    """One entry, for a person to read: id, time, action, actor, target, then the rest."""
    record = entry.record
    if record is None:
        return f"{entry.id}  unreadable entry: {entry.unreadable}"
    parts = [entry.id, _iso(record.at_ms), record.action, record.actor, record.target or "-"]
    if record.count is not None:
        parts.append(f"count={record.count}")
    if record.address is not None:
        parts.append(f"from={record.address}")
    parts += [f"{name}={value}" for name, value in sorted(record.details.items())]
    return "  ".join(map(_shown, parts))


def _shown(text: str) -> str:
    """As it is when printable; escaped when not (an entry written into Redis by hand could
    hold terminal control sequences, which verify reports as altered)."""
    return text if text.isprintable() else repr(text)


def _iso(at_ms: int) -> str:
    moment = dt.datetime.fromtimestamp(at_ms / 1000, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _record_read(log: AuditLog, org: str, count: int, via: str, **details: str) -> None:
    """The operator read the log: recorded, unless there is no log (a mistyped slug must not
    start one)."""
    if await log.head(org) is None:
        return
    await log.record(
        org,
        actor=OPERATOR,
        action=AuditAction.AUDIT_READ,
        target=f"org:{org}",
        count=count,
        details={"via": via, **details},
    )


# -- export ------------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    if not _checked(args):
        return EXIT_USAGE

    async def work(app: App) -> int:
        log = app.audit_log()
        write = _write_csv if args.format == "csv" else _write_jsonl
        with private_file(args.output) as out:
            count = await write(args.org, log.everything(args.org), out)
        print(f"exported {count} audit entries of {args.org}", file=sys.stderr)
        await _record_read(log, args.org, count, via="export", format=args.format)
        return 0

    return with_app(work)


def exported(org: str, entry: AuditEntry) -> dict[str, Any]:
    """An entry as the export writes it: its facts (with the organisation, which its hash
    covers), its links, and whatever else was stored when it is not an entry Sauti wrote."""
    record = entry.record
    if record is None:
        return {
            "org": org,
            "id": entry.id,
            "unreadable": entry.unreadable,
            "fields": dict(entry.fields),
        }
    return {
        "org": org,
        "id": entry.id,
        "at": _iso(record.at_ms),
        "at_ms": record.at_ms,
        "actor": record.actor,
        "action": record.action,
        "target": record.target,
        "count": record.count,
        "address": record.address,
        "details": dict(record.details),
        "previous": entry.previous,
        "hash": entry.hash,
    }


async def _write_jsonl(org: str, entries: AsyncIterator[AuditEntry], out: TextIO) -> int:
    count = 0
    async for entry in entries:
        out.write(json.dumps(exported(org, entry), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


async def _write_csv(org: str, entries: AsyncIterator[AuditEntry], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for entry in entries:
        row = _csv_row(org, entry)
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
        count += 1
    return count


def _csv_row(org: str, entry: AuditEntry) -> dict[str, object]:
    if entry.record is None:  # what is stored, as it is
        fields = entry.fields
        renamed = {"addr": "address", "prev": "previous"}
        return {
            "org": org,
            "id": entry.id,
            "unreadable": entry.unreadable,
            **{renamed.get(name, name): value for name, value in fields.items()},
        }
    row = exported(org, entry)
    row["details"] = json.dumps(row["details"], sort_keys=True) if row["details"] else ""
    return row


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return safe_cell(str(value))


# -- verify ------------------------------------------------------------------------------------


def _verify(args: argparse.Namespace) -> int:
    if not _checked(args):
        return EXIT_USAGE

    anchor = None
    if args.against is not None:
        try:
            anchor = last_exported(args.against)
        except (OSError, ValueError) as error:
            print(f"sauti: audit: {args.against}: {error}", file=sys.stderr)
            return EXIT_USAGE

    async def work(app: App) -> int:
        log = app.audit_log()
        verdict = await log.verify(args.org)
        print(verdict_line(verdict))
        if anchor is None or not verdict.ok:
            return 0 if verdict.ok else 1
        entry_id, entry_hash = anchor
        if await log.holds(args.org, entry_id, entry_hash):
            print(f"the log still holds entry {entry_id}, the last of {args.against}")
            return 0
        print(
            f"the log no longer holds entry {entry_id}, the last of {args.against}: "
            "it was rewritten or deleted since that export"
        )
        return 1

    return with_app(work)


def last_exported(path: Path) -> tuple[str, str]:
    """The id and hash of the last entry of a JSON-lines export; ValueError when the file is not
    one, or holds no entry."""
    last = None
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                last = line
    if last is None:
        raise ValueError("the export holds no entry")
    try:
        entry = json.loads(last)
        entry_id, entry_hash = str(entry["id"]), str(entry["hash"])
        check_cursor(entry_id)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ValueError("not a JSON-lines audit export (sauti audit export)") from None
    return entry_id, entry_hash


def verdict_line(verdict: Verification) -> str:
    if verdict.ok:
        return f"chain intact: {verdict.checked} entries"
    where = f"at entry {verdict.broken_at}" if verdict.broken_at else "(no entry left)"
    before = "" if verdict.problem is ChainBreak.HEAD else " before it"
    return (
        f"chain broken {where}: {verdict.problem}: {verdict.detail} "
        f"({verdict.checked} entries{before} intact)"
    )
