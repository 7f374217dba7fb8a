"""The time zone a WhatsApp number implies, so that decision notices reach people in a campaign
spanning several countries in their daytime, not the campaign's.

Done here, in the adapter, because only here is the number in the clear (everywhere else it is
sealed). Deliberately no finer than the country (the calling code), and kept as little as
quiet hours need:

- a country whose zones all keep the same UTC offsets through the year gives that offset as a
  fixed offset ("UTC+03:00"): nothing about where in the country, or which country of several
  sharing it;
- a country with daylight saving, one rule for the whole country, gives a zone with that rule
  (an IANA name: it must follow the clock changes);
- a country whose zones differ (the DRC's Kinshasa UTC+1 and Lubumbashi UTC+2, Indonesia,
  Brazil, the United States and the rest of +1) gives nothing, and the campaign's zone counts.
  Numbers' own prefixes could narrow that down to a region (a Brazilian area code names a
  state), which is more than Sauti should keep about anyone; and mobile prefixes often say
  nothing about where their owner lives (an Indonesian mobile maps to Jakarta wherever it is).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

from bot.time_zones import fixed_offset_name

# phonenumbers' answer for a number it cannot place.
_UNKNOWN = "Etc/Unknown"
# Instants compared across the coming year: one a month catches any daylight-saving season.
_SAMPLES = tuple(dt.timedelta(days=30.5 * month) for month in range(12))


def zone_of_number(wa_id: str, now: dt.datetime) -> str | None:
    """The zone of a WhatsApp id's country (the number without "+"), or None when the country
    is unknown or spans zones that differ (module docstring)."""
    try:
        number = phonenumbers.parse("+" + wa_id)
    except phonenumbers.NumberParseException:
        return None
    country = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=0)
    names = sorted(
        name
        for name in number_zones.time_zones_for_geographical_number(country)
        if name != _UNKNOWN
    )
    try:
        rules = {_offsets(ZoneInfo(name), now) for name in names}
    except (ZoneInfoNotFoundError, ValueError):  # a name this machine's database lacks
        return None
    if len(rules) != 1:
        return None
    [offsets] = rules
    if len(set(offsets)) == 1:
        return fixed_offset_name(offsets[0])
    return names[0]


def _offsets(zone: ZoneInfo, now: dt.datetime) -> tuple[int, ...]:
    """The zone's UTC offset in minutes, month by month through the coming year."""
    minutes = []
    for step in _SAMPLES:
        offset = (now + step).astimezone(zone).utcoffset() or dt.timedelta()
        minutes.append(int(offset.total_seconds() // 60))
    return tuple(minutes)
