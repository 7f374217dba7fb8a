"""What the API (and `sauti token`) tells the audit log: the seam where the organisation's
audit log plugs in.

Every read of personal-level data (which campaign, how many records), every token change and
every campaign load, open and close is recorded through `AuditRecorder`. Until the audit log
itself is wired in, `LoggedAudit` writes the same entries to the server log — never the
personal data itself, only who did what to which thing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

log = logging.getLogger("sauti.audit")


class AuditAction(StrEnum):
    RESPONSES_READ = "responses_read"
    FREE_TEXT_READ = "free_text_read"
    CASES_READ = "cases_read"
    CASE_STEPPED = "case_stepped"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    CAMPAIGN_LOADED = "campaign_loaded"
    CAMPAIGN_OPENED = "campaign_opened"
    CAMPAIGN_CLOSED = "campaign_closed"


class AuditRecorder(Protocol):
    async def record(
        self,
        org: str,
        *,
        actor: str,
        action: AuditAction,
        target: str,
        count: int | None = None,
        address: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        """Append one entry to `org`'s audit log."""


class LoggedAudit:
    """Entries as log lines, until the organisation's audit log is wired in."""

    async def record(
        self,
        org: str,
        *,
        actor: str,
        action: AuditAction,
        target: str,
        count: int | None = None,
        address: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        log.info(
            "audit org=%s actor=%s action=%s target=%s count=%s",
            org,
            actor,
            action.value,
            target,
            count,
        )
