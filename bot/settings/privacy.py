"""Settings of what organisations may see of participants in aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import setting
from bot.settings.parsers import integer

# The conventional smallest count of official statistics; bot.records.suppression uses these.
DEFAULT_MIN_CELL = 5
LOWEST_MIN_CELL = 2  # 1 would show every count: no suppression at all
# How long a campaign's personal-level data is kept after it closes, when its survey file does
# not say (`retention_days`): a year, then only its aggregates remain.
DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True)
class PrivacySettings:
    min_cell: int = setting(
        "SAUTI_PRIVACY_MIN_CELL", DEFAULT_MIN_CELL, integer(LOWEST_MIN_CELL, 1000)
    )
    """The smallest count an aggregate shows: a count below it is withheld, and so is another
    that would give it away (bot/records/suppression.py). At least 2."""
    retention_days: int = setting("SAUTI_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, integer(0, 3650))
    """Days a closed campaign's personal-level data is kept when its survey file declares no
    `retention_days`; then it is erased and only the aggregates remain
    (bot/runtime/retention.py)."""
    retention_interval_seconds: int = setting(
        "SAUTI_RETENTION_INTERVAL_SECONDS", 3600, integer(60, 7 * 86400)
    )
    """How often `sauti run` erases what retention made due (one process at a time)."""
