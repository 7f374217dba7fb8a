"""Settings of loop closure: decision notices, their pacing and the publisher."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.settings.fields import InvalidValueError, setting
from bot.settings.parsers import integer
from bot.time_zones import zone

# SAUTI_GRIEVANCE_RESPONSE_DAYS's default: also what cases created before it was a setting were
# promised.
DEFAULT_RESPONSE_DAYS = 14
DEFAULT_REOPEN_DAYS = 30  # SAUTI_CASE_REOPEN_DAYS's default
_QUIET = re.compile(r"^\s*([0-2][0-9]:[0-5][0-9])\s*-\s*([0-2][0-9]:[0-5][0-9])\s*$")


def quiet_hours(raw: object) -> str:
    """ "21:00-08:00" (local times; may span midnight), or "none" (returned as "")."""
    if not isinstance(raw, str):
        raise InvalidValueError(f"expected a range like 21:00-08:00, or none, got {raw!r}")
    # An empty value counts as unset (the default applies), so "none" says "no quiet hours".
    if raw.strip().lower() in ("none", ""):
        return ""
    match = _QUIET.match(raw)
    try:
        if match is None:
            raise ValueError(raw)
        start, end = (dt.time.fromisoformat(part) for part in match.groups())
    except ValueError as error:
        raise InvalidValueError(
            f"expected a range like 21:00-08:00, or none, got {raw!r}"
        ) from error
    return f"{start:%H:%M}-{end:%H:%M}"


def time_zone(raw: object) -> str:
    """An IANA name or a fixed offset ("UTC+03:00"), as `sauti loop configure` takes them."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidValueError(f"expected a time zone like Africa/Nairobi, got {raw!r}")
    try:
        zone(raw.strip())
    except ValueError as error:
        raise InvalidValueError(
            f"expected a time zone like Africa/Nairobi or UTC+03:00, got {raw!r}"
        ) from error
    return raw.strip()


@dataclass(frozen=True)
class LoopSettings:
    quiet_hours: str = setting("SAUTI_LOOP_QUIET_HOURS", "21:00-08:00", quiet_hours)
    """Local times in which no decision notice is pushed; they wait until it ends."""
    timezone: str = setting("SAUTI_LOOP_TIMEZONE", "UTC", time_zone)
    """Campaigns' time zone unless `sauti loop configure` sets one for a campaign."""
    weekly_budget: int = setting("SAUTI_LOOP_WEEKLY_BUDGET", 2, integer(0, 100))
    """Push notices per participant per rolling week, across campaigns (0: no limit)."""
    feed_batch: int = setting("SAUTI_LOOP_FEED_BATCH", 500, integer(1, 10_000))
    """Notices the publisher composes and queues per shard and round trip."""
    outbox_window: int = setting("SAUTI_LOOP_OUTBOX_WINDOW", 2000, integer(1))
    """Bulk outbox entries a shard may hold before the publisher waits for the sender."""
    plan_chunk: int = setting("SAUTI_LOOP_PLAN_CHUNK", 2000, integer(10, 100_000))
    """Respondents one planning script call walks (a few ms of Redis time each)."""
    preview_chunk: int = setting("SAUTI_LOOP_PREVIEW_CHUNK", 500, integer(10, 100_000))
    """Respondents one script call of a preview's count walks: smaller than planning's, as
    pages wait for the call running whenever they ask Redis anything."""
    preview_pause_percent: int = setting("SAUTI_LOOP_PREVIEW_PAUSE_PERCENT", 100, integer(0, 1000))
    """After each script call of a preview's count, it pauses this share of the call's time:
    Redis and the process serve other pages in between (100: the count takes about half of
    Redis, and twice as long; 0: no pause)."""
    preview_fresh_seconds: int = setting(
        "SAUTI_LOOP_PREVIEW_FRESH_SECONDS", 300, integer(0, 7 * 24 * 3600)
    )
    """A decision's preview count younger than this, made at the decision's and the results'
    present versions, is current; an older one is shown (with its time) while it is counted
    again, since a stop or a consent changes who is told without moving the results."""
    preview_keep_seconds: int = setting(
        "SAUTI_LOOP_PREVIEW_KEEP_SECONDS", 24 * 3600, integer(60, 30 * 24 * 3600)
    )
    """How long a decision's last preview count is kept to show at once."""
    preview_lease_seconds: int = setting("SAUTI_LOOP_PREVIEW_LEASE_SECONDS", 120, integer(1, 3600))
    """The longest a preview count may take before another process may start it again."""
    grievance_response_days: int = setting(
        "SAUTI_GRIEVANCE_RESPONSE_DAYS", DEFAULT_RESPONSE_DAYS, integer(1, 365)
    )
    """Days within which a case (feedback, a concern) is promised an answer: said to the
    participant and kept with the case, which the desk flags once the date has passed."""
    case_reopen_days: int = setting("SAUTI_CASE_REOPEN_DAYS", DEFAULT_REOPEN_DAYS, integer(0, 365))
    """Days after a resolution within which the participant may reopen (appeal) their case
    from the chat; after that they are told how to raise it anew (0: never)."""
