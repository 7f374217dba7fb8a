"""What sign-in tells the rest of Sauti: one method per event, for the audit log to record.

The composition root hands the sign-in code an implementation; `NoSignInEvents` records
nothing. `address` is the client's address as text (the audit log says "from where");
`organisations` are the organisations the account belongs to (an event about an account is
recorded in each of their logs); none for an address that has no account.
"""

from __future__ import annotations

from typing import Protocol


class SignInEvents(Protocol):
    async def signed_in(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        """Someone signed in (`org`: the organisation the session acts in, if chosen)."""

    async def sign_in_failed(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, reason: str
    ) -> None:
        """A sign-in was refused. `reason` (for the log only, never shown to the person):
        `unknown`, `password`, `code`, `throttled`, `no_second_factor`."""

    async def signed_out(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        """A session was ended by its owner."""

    async def signed_out_everywhere(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, sessions: int
    ) -> None:
        """Every session of the account was ended (by its owner, or by a reset)."""


class NoSignInEvents:
    """Records nothing (tests of other things; the web server records in the audit log)."""

    async def signed_in(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        return None

    async def sign_in_failed(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, reason: str
    ) -> None:
        return None

    async def signed_out(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        return None

    async def signed_out_everywhere(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, sessions: int
    ) -> None:
        return None
