"""Shared plumbing for commands that need the runtime: settings, the app, clear failures."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.app import App, ConfigurationError, build_app
from bot.settings import Settings, SettingsError, read_settings
from bot.storage.errors import STORAGE_FAILURE

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
