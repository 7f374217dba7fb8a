"""`AuditRecorder`: the one method of `AuditLog` that whoever changes or reads something uses,
so that the entry points (the API, the console, the staff rules of bot.access.membership) are
handed the real log and tests may wrap it to read what was recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.audit.entry import AuditAction


class AuditRecorder(Protocol):
    async def record(
        self,
        org: str,
        *,
        actor: str,
        action: AuditAction,
        target: str | None = None,
        count: int | None = None,
        address: str | None = None,
        details: Mapping[str, str | int] | None = None,
    ) -> object:
        """Append one entry to `org`'s audit log."""
