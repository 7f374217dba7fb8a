"""Reading a time of day as people type it, and the UTC offset it implies at an instant."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogues.clock import read_clock, utc_offset_minutes
from dialogues.localization import builtin_catalog


def _read(text: str) -> int | None:
    return read_clock(text, builtin_catalog())


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("14:30", 14 * 60 + 30),
        ("0:05", 5),
        ("23:59", 23 * 60 + 59),
        ("9.05", 9 * 60 + 5),
        ("14h30", 14 * 60 + 30),  # French
        ("14 h 30", 14 * 60 + 30),
        ("14h", 14 * 60),
        ("2:30 pm", 14 * 60 + 30),
        ("2:30PM", 14 * 60 + 30),
        ("2 p.m.", 14 * 60),
        ("12 am", 0),
        ("12:15 pm", 12 * 60 + 15),
        ("١٤:٣٠", 14 * 60 + 30),  # Arabic-Indic digits
        ("۱۴:۳۰", 14 * 60 + 30),  # Eastern Arabic-Indic (Persian, Urdu) digits
        ("٢:٣٠ م", 14 * 60 + 30),  # "م": masa'an, after noon
        ("\u200f٩:١٥ ص", 9 * 60 + 15),  # a right-to-left mark as phones insert it
        ("  07:45 ", 7 * 60 + 45),
    ],
)
def test_times_as_people_type_them(typed: str, minutes: int) -> None:
    assert _read(typed) == minutes


@pytest.mark.parametrize(
    "typed",
    [
        "9",  # a lone number: a menu pick or a survey answer, not surely a time
        "hello",
        "25:00",
        "7:60",
        "13 pm",
        "0 am",
        "2:30 asubuhi",  # Swahili time counts from 06:00: asked again, not read 6 hours off
        "14:30 tomorrow",
        "",
    ],
)
def test_what_is_not_a_time_is_not_read(typed: str) -> None:
    assert _read(typed) is None


def _at(hour: int, minute: int, second: int = 0) -> int:
    return int(dt.datetime(2026, 11, 18, hour, minute, second, tzinfo=dt.UTC).timestamp() * 1000)


def test_the_offset_is_the_difference_with_utc_rounded_to_a_quarter_hour() -> None:
    assert utc_offset_minutes(23 * 60 + 10, _at(20, 10)) == 180
    assert utc_offset_minutes(23 * 60 + 18, _at(20, 10, 40)) == 180  # a clock 8 minutes fast
    assert utc_offset_minutes(14 * 60 + 40, _at(20, 10)) == -(5 * 60 + 30)
    assert utc_offset_minutes(1 * 60 + 55, _at(20, 10)) == 5 * 60 + 45  # Nepal
    assert utc_offset_minutes(20 * 60 + 10, _at(20, 10)) == 0


def test_across_midnight_the_offset_is_named_between_minus_ten_and_plus_fourteen() -> None:
    assert utc_offset_minutes(1 * 60 + 10, _at(23, 10)) == 120  # tomorrow for them
    assert utc_offset_minutes(22 * 60 + 10, _at(1, 10)) == -180  # still yesterday
    assert utc_offset_minutes(10 * 60 + 10, _at(20, 10)) == -600  # Hawaii
    assert utc_offset_minutes(9 * 60 + 10, _at(20, 10)) == 13 * 60  # Tonga, not UTC-11:00
