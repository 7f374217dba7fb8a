"""The time zone a WhatsApp number implies: its country's, when the whole country keeps one clock,
as coarse as quiet hours allow; none otherwise."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.whatsapp.zones import zone_of_number

NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("wa_id", "zone"),
    [
        ("255710000031", "UTC+03:00"),  # Tanzania: no daylight saving, so only the offset
        ("254700000051", "UTC+03:00"),  # Kenya: the same, and nothing says which of the two
        ("966501234567", "UTC+03:00"),
        ("919812345678", "UTC+05:30"),  # India
        ("393123456789", "Europe/Rome"),  # daylight saving: a zone that follows it
        ("447911123456", "Europe/Guernsey"),  # the UK's zones share one rule: the first name
    ],
)
def test_a_country_whose_zones_agree_gets_one(wa_id: str, zone: str) -> None:
    assert zone_of_number(wa_id, NOW) == zone


@pytest.mark.parametrize(
    "wa_id",
    [
        "243810000041",  # DRC: Kinshasa (UTC+1) or Lubumbashi (UTC+2)
        "79161234567",  # Russia: eleven zones
        "6281234567890",  # Indonesia: its mobiles map to Jakarta wherever their owner lives
        "5511987654321",  # Brazil: the area code would name a state; the country has four
        "14155550100",  # +1: the United States, Canada and much of the Caribbean
        "0000",  # not a number
        "",
    ],
)
def test_a_country_spanning_zones_that_differ_or_no_country_gets_none(wa_id: str) -> None:
    assert zone_of_number(wa_id, NOW) is None


def test_zones_resolve_on_a_machine_without_system_zone_data(tmp_path: Path) -> None:
    # Slim containers and Windows have no /usr/share/zoneinfo: without the tzdata package every
    # zone lookup failed there, and every number silently got no zone at all.
    script = (
        "import datetime as dt, json, zoneinfo\n"
        "from bot.channels.whatsapp.zones import zone_of_number\n"
        "now = dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)\n"
        "print(json.dumps([zoneinfo.TZPATH, [zone_of_number(n, now) for n in NUMBERS]]))\n"
    ).replace("NUMBERS", repr(["254700000051", "393123456789"]))
    no_zone_data = tmp_path / "zoneinfo"
    no_zone_data.mkdir()
    environ = {"PYTHONTZPATH": str(no_zone_data)}
    output = subprocess.check_output([sys.executable, "-c", script], env=environ, text=True)
    tzpath, zones = json.loads(output)
    assert tzpath == [str(no_zone_data)]  # no system zone data to be found
    assert zones == ["UTC+03:00", "Europe/Rome"]
