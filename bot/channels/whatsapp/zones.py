"""The time zone a WhatsApp number implies, so that decision notices reach people in a campaign
spanning several countries in their daytime, not the campaign's.

Done here, in the adapter, because only here is the number in the clear (everywhere else it is
sealed). What leaves is an IANA zone name: a coarse location (a country, or a region of a big
one) that the worker keeps when the participant has none yet (see docs/data-protection.md).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

# phonenumbers' answer for a number it cannot place.
_UNKNOWN = "Etc/Unknown"


def zone_of_number(wa_id: str, now: dt.datetime) -> str | None:
    """The zone of a WhatsApp id (the number without "+"), or None when unknown or ambiguous.

    A number whose prefix spans several zones names one only when they all have the same UTC
    offset at `now` (quiet hours need nothing more); the DRC's Kinshasa (UTC+1) and Lubumbashi
    (UTC+2) differ, so a Congolese number gets no zone and its campaign's counts instead."""
    try:
        number = phonenumbers.parse("+" + wa_id)
    except phonenumbers.NumberParseException:
        return None
    names = [name for name in number_zones.time_zones_for_number(number) if name != _UNKNOWN]
    offsets = set()
    for name in names:
        try:
            offsets.add(now.astimezone(ZoneInfo(name)).utcoffset())
        except (ZoneInfoNotFoundError, ValueError):  # a name this machine's database lacks
            return None
    return names[0] if len(offsets) == 1 else None
