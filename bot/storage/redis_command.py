"""A Redis command as plain data: its name, then its arguments.

Lists of these are queued before a commit or run in one pipeline (`bot.storage.lua.run_batch`).
The name says "Redis" because "command" also means a participant's chat command and a
subcommand of the CLI.
"""

from __future__ import annotations

from typing import TypeAlias

RedisArg: TypeAlias = str | bytes | int | float
RedisCommand: TypeAlias = tuple[RedisArg, ...]
