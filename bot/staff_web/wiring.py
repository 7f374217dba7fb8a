"""Sign-in built from the app and its settings: the staff pages and the `sauti staff` commands
use the same parts."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.access.membership import StaffChanges
from bot.access.passwords import HashParameters, Passwords
from bot.access.sessions import SessionLimits, SessionStore
from bot.access.setup_links import SetupLinks
from bot.access.sign_in_events import NoSignInEvents, SignInEvents
from bot.access.signin import Parts, SignIn
from bot.access.throttle import SignInThrottle, ThrottleLimits
from bot.app import App
from bot.audit.recorder import AuditRecorder


def build_sign_in(
    app: App,
    *,
    events: SignInEvents | None = None,
    clock: Callable[[], float] = time.time,
) -> SignIn:
    staff = app.settings.staff
    return SignIn(
        Parts(
            redis=app.redis,
            schema=app.schema,
            crypto=app.crypto,
            staff=app.staff(),
            organisations=app.organisations(),
            passwords=Passwords(
                HashParameters(
                    time_cost=staff.password_time_cost,
                    memory_kib=staff.password_memory_kib,
                    parallelism=staff.password_parallelism,
                )
            ),
            throttle=SignInThrottle(
                app.redis,
                app.schema,
                app.crypto,
                ThrottleLimits(
                    account_limit=staff.account_failures,
                    address_limit=staff.address_failures,
                    window_seconds=staff.failure_window_seconds,
                ),
            ),
            sessions=SessionStore(
                app.redis,
                app.schema,
                SessionLimits(
                    idle_seconds=staff.idle_timeout_seconds,
                    absolute_seconds=staff.absolute_timeout_seconds,
                ),
                clock,
            ),
            links=SetupLinks(app.redis, app.schema, staff.setup_link_seconds),
            events=events or NoSignInEvents(),
            clock=clock,
        )
    )


def build_staff_changes(
    app: App, *, sign_in: SignIn | None = None, audit: AuditRecorder | None = None
) -> StaffChanges:
    """The staff and token changes (bot.access.membership), recorded in `audit` (default: the
    app's audit log)."""
    return StaffChanges(
        app.redis, app.schema, sign_in or build_sign_in(app), audit or app.audit_log()
    )


def setup_url(app: App, token: str) -> str:
    """The link a person opens to set up their account."""
    return f"{app.settings.http.base_url}/staff/setup/{token}"
