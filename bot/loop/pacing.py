"""When a push notice may go out: never in the participant's quiet hours, and never more than
the weekly budget of notices per participant (across campaigns). Both delay, never drop.

Pure: the feeder passes the clock, the time zone and the participant's recent notice times.
Web chat notices are not paced: they wait in the participant's inbox and interrupt nobody.

Time zones are read by `bot.time_zones`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEEK_MS = 7 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local times between which nobody is messaged; may span midnight (21:00 to 08:00)."""

    start: dt.time
    end: dt.time

    def contains(self, local: dt.time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """ "21:00-08:00"; raises ValueError."""
        start, _, end = text.partition("-")
        return cls(dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip()))

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def is_quiet(at_ms: int, local_zone: dt.tzinfo, quiet: QuietHours | None) -> bool:
    """Whether `at_ms` falls in quiet hours where the clock follows `local_zone`."""
    if quiet is None:
        return False
    return quiet.contains(dt.datetime.fromtimestamp(at_ms / 1000, local_zone).time())


def due_ms(
    now_ms: int,
    *,
    local_zone: dt.tzinfo,
    quiet: QuietHours | None,
    recent_ms: list[int],
    weekly_budget: int,
) -> int:
    """The earliest time a notice may go out. `recent_ms`: when this participant's other push
    notices went or will go out (scheduled ones included)."""
    due = max(now_ms, _budget_free(now_ms, recent_ms, weekly_budget))
    return _after_quiet(due, local_zone, quiet)


def _budget_free(now_ms: int, recent_ms: list[int], weekly_budget: int) -> int:
    """Once the budget is spent, the next notice waits until the oldest of the last
    `weekly_budget` notices is a week old."""
    if weekly_budget <= 0:
        return now_ms
    counted = sorted(t for t in recent_ms if t > now_ms - WEEK_MS)
    if len(counted) < weekly_budget:
        return now_ms
    return counted[-weekly_budget] + WEEK_MS


def _after_quiet(at_ms: int, local_zone: dt.tzinfo, quiet: QuietHours | None) -> int:
    if quiet is None or not is_quiet(at_ms, local_zone, quiet):
        return at_ms
    local = dt.datetime.fromtimestamp(at_ms / 1000, local_zone)
    day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        day += dt.timedelta(days=1)  # evening: quiet until tomorrow morning
    end = dt.datetime.combine(day, quiet.end, tzinfo=local_zone)
    return int(end.timestamp() * 1000)
