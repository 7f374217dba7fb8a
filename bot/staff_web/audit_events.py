"""Sign-in events recorded in the organisations' audit logs: each event about an account goes
into the log of every organisation it belongs to (whoever runs one of them sees who could get
into it, when, from where). A failed sign-in for an address that has no account belongs to no
organisation, and is only counted by the throttle.

What the audit log refuses (a fact of the wrong shape: an address with a character its actor
pattern does not take) is logged by type and skipped: a sign-in never fails because its record
could not be written in that shape. Redis being unavailable is not skipped: the page answers
503, and nothing is done unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.audit import AuditLog
from bot.audit.entry import AuditAction, DetailValue, staff_actor

log = logging.getLogger(__name__)


class AuditedSignInEvents:
    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit

    async def signed_in(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        await self._record(organisations, email, AuditAction.SIGN_IN, address, chosen=org)

    async def sign_in_failed(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, reason: str
    ) -> None:
        await self._record(
            organisations, email, AuditAction.SIGN_IN_FAILED, address, details={"reason": reason}
        )

    async def signed_out(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        await self._record(organisations, email, AuditAction.SIGN_OUT, address, chosen=org)

    async def signed_out_everywhere(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, sessions: int
    ) -> None:
        await self._record(
            organisations, email, AuditAction.SIGN_OUT_EVERYWHERE, address, count=sessions
        )

    async def _record(
        self,
        organisations: tuple[str, ...],
        email: str,
        action: AuditAction,
        address: str | None,
        *,
        count: int | None = None,
        details: Mapping[str, DetailValue] | None = None,
        chosen: str | None = None,
    ) -> None:
        """`chosen`: the organisation the session works in, said only in that one's own log
        (another organisation must not learn which else the person works for, nor when)."""
        for org in organisations:
            said = {**(details or {}), "org": org} if org == chosen else details
            try:
                await self._audit.record(
                    org,
                    actor=staff_actor(email),
                    action=action,
                    target=f"staff:{email}",
                    count=count,
                    address=address,
                    details=said,
                )
            except ValueError as error:
                log.warning("sign-in event not recorded: %s", type(error).__name__)
