"""The time zone a WhatsApp number implies: one zone, or none when it is unknown or ambiguous."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channels.whatsapp.zones import zone_of_number

NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("wa_id", "zone"),
    [
        ("255710000031", "Africa/Dar_es_Salaam"),  # Tanzania
        ("254700000051", "Africa/Nairobi"),
        ("966501234567", "Asia/Riyadh"),
        ("393123456789", "Europe/Rome"),  # with Europe/Vatican: the same offset, so one of them
    ],
)
def test_a_number_whose_zones_agree_gets_one(wa_id: str, zone: str) -> None:
    assert zone_of_number(wa_id, NOW) == zone


@pytest.mark.parametrize(
    "wa_id",
    [
        "243810000041",  # DRC: Kinshasa (UTC+1) or Lubumbashi (UTC+2)
        "79161234567",  # Russia: eleven zones
        "447700900123",  # a range no one has: phonenumbers cannot place it
        "0000",  # not a number
        "",
    ],
)
def test_an_ambiguous_or_unknown_number_gets_none(wa_id: str) -> None:
    assert zone_of_number(wa_id, NOW) is None
