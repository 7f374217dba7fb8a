"""Time zones by name, as Sauti stores them: an IANA name ("Africa/Dar_es_Salaam", from a
WhatsApp number's country code, or a campaign's) or a fixed offset ("UTC+03:00", from the time a
participant told us: `fixed_offset_name`). `zone` reads both.

A leaf: imports nothing from Sauti, so settings, the conversation and the loop can all use it.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FIXED_OFFSET = re.compile(r"^UTC([+-])([01][0-9]):([0-5][0-9])$")
_LARGEST_OFFSET = dt.timedelta(hours=14)  # Kiribati's Line Islands; beyond is no place on Earth


def zone(name: str) -> dt.tzinfo:
    """A time zone by its IANA name or as a fixed offset ("UTC+03:00", "UTC-05:30"); raises
    ValueError for an unknown one."""
    fixed = _FIXED_OFFSET.match(name)
    if fixed is not None:
        sign, hours, minutes = fixed.groups()
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
        if offset <= _LARGEST_OFFSET:
            return dt.timezone(-offset if sign == "-" else offset, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r} (use a name like Africa/Nairobi, or UTC+03:00)"
        ) from error


def zone_or(name: str, fallback: dt.tzinfo) -> dt.tzinfo:
    """A participant's own zone, or `fallback` (their campaign's) when they have none or the
    record holds one this machine does not know."""
    if not name:
        return fallback
    try:
        return zone(name)
    except ValueError:
        return fallback


def fixed_offset_name(minutes: int) -> str:
    """The stored name of a fixed UTC offset: 180 -> "UTC+03:00", -330 -> "UTC-05:30"."""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
