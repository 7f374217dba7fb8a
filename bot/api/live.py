"""The API's live streams (server-sent events) in this web process: how many each caller holds
open, within a limit, and the one signal that ends them all when the server shuts down.

A stream holds a connection and polls Redis once a second: the limit keeps one caller (a
dashboard opened in many tabs, a script gone wrong) from holding many. It counts per web
process: with several behind a load balancer, a caller may hold the limit in each.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.api.problems import RATE_LIMITED, UNAVAILABLE, ApiError


@dataclass
class LiveStreams:
    held: Counter[str] = field(default_factory=Counter)  # actor -> streams open
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    def take(self, actor: str, per_caller: int) -> Callable[[], None]:
        """A stream for `actor`, or a problem: 429 at the limit (`per_caller` open already),
        503 once the server is shutting down. Returns its release (safe to call twice)."""
        if self.closing.is_set():
            raise ApiError(UNAVAILABLE, "the server is shutting down: try again shortly")
        if self.held[actor] >= per_caller:
            raise ApiError(
                RATE_LIMITED,
                f"at most {per_caller} live streams open at once: close one first",
                headers={"Retry-After": "5"},
            )
        self.held[actor] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.held[actor] -= 1
                if self.held[actor] <= 0:
                    del self.held[actor]

        return release

    async def closed_within(self, seconds: float) -> bool:
        """Wait up to `seconds`; True when the server began shutting down meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closing.wait(), seconds)
        return self.closing.is_set()

    def shut(self) -> None:
        """Every stream ends at its next tick: the server is shutting down."""
        self.closing.set()
