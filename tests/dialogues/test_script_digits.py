"""Digits of every script a shipped language writes numbers in are read as numbers: Bengali
১২, Burmese ၁၂, Eastern Arabic ١٢ and Persian ۱۲, for whole and decimal answers, a scale's
points and option numbers alike (what a participant types on their own phone's keyboard)."""

from __future__ import annotations

import pytest

from tests.dialogues.test_interpret import recorded

TWELVE = {"bengali": "১২", "burmese": "၁၂", "eastern arabic": "١٢", "persian": "۱۲"}
THREE = {"bengali": "৩", "burmese": "၃", "eastern arabic": "٣", "persian": "۳"}


@pytest.mark.parametrize("script", sorted(TWELVE))
def test_a_whole_number_in_the_scripts_digits(script: str) -> None:
    value = recorded("integer", TWELVE[script])
    assert value == 12
    assert type(value) is int


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("১২.৫", 12.5), ("၁၂.၅", 12.5), ("١٢٫٥", 12.5), ("۱۲٫۵", 12.5), ("၁,၀၀၀", 1000.0)],
)
def test_a_decimal_number_in_the_scripts_digits(typed: str, expected: float) -> None:
    assert recorded("decimal", typed) == expected


@pytest.mark.parametrize("script", sorted(THREE))
def test_a_scale_point_and_an_option_number_in_the_scripts_digits(script: str) -> None:
    assert recorded("scale", THREE[script]) == 3
    assert recorded("single", THREE[script]) == "net"


@pytest.mark.parametrize("typed", ["১, ৩", "၁ ၃", "١، ٣", "۱,۳"])
def test_option_numbers_of_a_multiple_choice_in_the_scripts_digits(typed: str) -> None:
    assert recorded("multiple", typed) == ("calls", "money")
