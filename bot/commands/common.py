"""Shared plumbing for commands that need the runtime: settings, the app, clear failures."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO, TypeVar

from bot.access.permissions import Principal, authorize
from bot.access.roles import Permission
from bot.app import App, ConfigurationError, build_app
from bot.audit.entry import AuditAction
from bot.conversation.campaign import Campaign
from bot.records.export_files import label_language
from bot.settings import Settings, SettingsError, read_settings
from bot.storage.errors import STORAGE_FAILURE
from dialogues import SurveyDefinitionError

T = TypeVar("T")

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3


def load_settings() -> Settings | None:
    try:
        return read_settings()
    except SettingsError as error:
        print(f"sauti: {error}", file=sys.stderr)
        return None


def with_app(work: Callable[[App], Awaitable[int]]) -> int:
    """Build the app from the environment, run `work`, close everything; exit codes on
    failure: 2 for bad settings, 3 when Redis cannot be reached."""
    settings = load_settings()
    if settings is None:
        return EXIT_USAGE

    async def main() -> int:
        # No command but `run` talks to Telegram or WhatsApp: spare it their clients.
        app = await build_app(settings, channels=False)
        try:
            return await work(app)
        finally:
            await app.close()

    return run_main(main())


def run_main(main: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine, turning the failures an operator can fix into exit codes."""
    try:
        return asyncio.run(main)
    except ConfigurationError as error:
        print(f"sauti: {error}", file=sys.stderr)
        return EXIT_USAGE
    except STORAGE_FAILURE as error:
        print(f"sauti: Redis is not available: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 0


async def organisation_for(app: App, given: str | None) -> str | None:
    """The organisation a command acts for: the one named (which must exist), or — when none
    is named — the only one there is (the default one is made for a deployment that has
    none). None, after saying why, when it is not clear which."""
    from bot.access.organisations import DEFAULT_ORG, DEFAULT_ORG_NAME

    organisations = app.organisations()
    if given is not None:
        if await organisations.get(given) is None:
            print(f"sauti: no organisation '{given}' (sauti org list)", file=sys.stderr)
            return None
        return given
    slugs = await organisations.slugs()
    if not slugs:
        return (await organisations.ensure(DEFAULT_ORG, DEFAULT_ORG_NAME)).slug
    if len(slugs) == 1:
        return slugs[0]
    print(f"sauti: say which organisation: --org {' | '.join(slugs)}", file=sys.stderr)
    return None


async def as_operator(
    app: App,
    org: str,
    permission: Permission,
    action: AuditAction | None = None,
    *,
    target: str | None = None,
    count: int | None = None,
    details: Mapping[str, str | int] | None = None,
) -> None:
    """The command line's pass through the one permission check, as the operator of `org`, and
    — for what the audit log must hold — its entry, recorded as `operator`. Called before the
    data is shown, so that nothing is read unrecorded."""
    principal = Principal.operator(org)
    authorize(principal, permission, owner=org)
    if action is not None:
        await app.audit_log().record(
            org,
            actor=principal.actor,
            action=action,
            target=target,
            count=count,
            details=details,
        )


@contextmanager
def private_file(path: Path | None) -> Iterator[TextIO]:
    """stdout, or a private temporary file (owner-only) renamed onto `path` once everything is
    written: what holds decrypted words or an archive is complete or absent, never cut short."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with _private(path) as descriptor, open(descriptor, "w", encoding="utf-8", newline="") as out:
        yield out


@contextmanager
def private_binary_file(path: Path | None) -> Iterator[BinaryIO]:
    """`private_file` for bytes (a workbook): stdout's bytes, or a private file renamed onto
    `path` once complete."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with _private(path) as descriptor, open(descriptor, "wb") as out:
        yield out


@contextmanager
def _private(path: Path) -> Iterator[int]:
    """A private temporary file (owner-only) beside `path`, renamed onto it once the block
    ends (the file opened on the descriptor is closed by then), removed should it fail."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
    try:
        yield descriptor
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def shown_count(count: int | None, minimum: int) -> str:
    """A count of people as the command line prints it, once through the suppression function
    (bot.records.suppression): the number, or `<minimum` when it is withheld."""
    return f"<{minimum}" if count is None else str(count)


def unwritable(output: Path | None) -> int | None:
    """EXIT_USAGE, said on stderr, when `--output` names a file in no directory; else None."""
    if output is not None and not output.parent.is_dir():
        print(f"sauti: {output.parent} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    return None


async def stored_campaign(app: App, campaign_id: str) -> Campaign | int:
    """The campaign, or the exit code (1) after saying on stderr why there is none to use."""
    try:
        campaign = await app.campaigns.get(campaign_id)
    except SurveyDefinitionError as error:
        print(f"sauti: campaign '{campaign_id}' cannot be read: {error}", file=sys.stderr)
        return 1
    if campaign is None:
        print(f"sauti: no campaign '{campaign_id}'", file=sys.stderr)
        return 1
    return campaign


async def campaign_in_language(
    app: App, campaign_id: str, language: str | None
) -> tuple[Campaign, str] | int:
    """The campaign and the language its texts go out in (`--language`, else its first), or
    the exit code after saying on stderr what is wrong."""
    campaign = await stored_campaign(app, campaign_id)
    if isinstance(campaign, int):
        return campaign
    try:
        return campaign, label_language(campaign.survey, language)
    except ValueError as error:
        print(f"sauti: --language: {error}", file=sys.stderr)
        return EXIT_USAGE
