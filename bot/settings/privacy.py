"""Settings of what organisations may see of participants in aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import setting
from bot.settings.parsers import integer

# The conventional smallest count of official statistics; bot.records.suppression uses these.
DEFAULT_MIN_CELL = 5
LOWEST_MIN_CELL = 2  # 1 would show every count: no suppression at all


@dataclass(frozen=True)
class PrivacySettings:
    min_cell: int = setting(
        "SAUTI_PRIVACY_MIN_CELL", DEFAULT_MIN_CELL, integer(LOWEST_MIN_CELL, 1000)
    )
    """The smallest count an aggregate shows: a count below it is withheld, and so is another
    that would give it away (bot/records/suppression.py). At least 2."""
