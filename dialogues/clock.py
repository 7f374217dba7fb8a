"""A time of day as people type it ("14:30", "2:30 pm", "١٤:٣٠", "14h30"), and the UTC offset
it implies at a known instant: how a participant tells Sauti their time zone without naming one.

Pure: the caller passes the instant (when they wrote); nothing here reads the clock.
"""

from __future__ import annotations

import re
import unicodedata

from dialogues.localization import Catalog
from dialogues.normalize import ascii_digits, fold

MINUTES_PER_DAY = 24 * 60
OFFSET_STEP_MINUTES = 15  # every offset in use is a multiple of 15 minutes (Nepal: +05:45)
# A clock reading cannot tell UTC+14:00 from UTC-10:00 (same time of day, another date). Quiet
# hours only need the time of day, so either is right for pacing; offsets are named between
# these bounds, which hold nearly everyone (Hawaii to New Zealand's summer).
WESTMOST_OFFSET_MINUTES = -10 * 60

# Hours, then either minutes after ":", "." or "h" (French "14h30"), or a lone "h" ("14h"),
# then whatever follows (a day half: "pm", "م").
_TIME = re.compile(r"^(\d{1,2})\s*(?:[:.hH]\s*(\d{2})|([hH]))?\s*(.*)$")


def read_clock(text: str, catalog: Catalog) -> int | None:
    """Minutes after midnight of a typed time of day, or None when the text is not one.

    24-hour times need their minutes or an "h" ("14:30", "9.05", "14h"); a lone number ("9")
    is not read, as it could be a menu pick or a survey answer. With a day half ("2 pm",
    "2:30pm", "٢:٣٠ م") the hour is 1 to 12. Digits of any script are read (Arabic-Indic too).
    """
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # RTL marks
    match = _TIME.match(ascii_digits(visible).strip())
    if match is None:
        return None
    hours_text, minutes_text, hour_mark, rest = match.groups()
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if minutes > 59:
        return None
    if not rest:
        if minutes_text is None and hour_mark is None:
            return None
        return hours * 60 + minutes if hours < 24 else None
    half = catalog.day_half(fold(rest))
    if half is None or not 1 <= hours <= 12:
        return None
    return (hours % 12 + (12 if half == "pm" else 0)) * 60 + minutes


def utc_offset_minutes(local_minutes: int, at_ms: int) -> int:
    """The UTC offset, in minutes, of someone whose clock shows `local_minutes` after midnight
    at the instant `at_ms` (epoch milliseconds), rounded to the nearest 15 minutes: a clock
    read a little fast or slow, or a message that took a while, still gives the right zone."""
    utc_minutes = (at_ms / 60_000) % MINUTES_PER_DAY
    difference = (local_minutes - utc_minutes) % MINUTES_PER_DAY
    step = OFFSET_STEP_MINUTES
    rounded = int(difference / step + 0.5) * step % MINUTES_PER_DAY  # half-way rounds up
    if rounded >= MINUTES_PER_DAY + WESTMOST_OFFSET_MINUTES:
        return rounded - MINUTES_PER_DAY
    return rounded
