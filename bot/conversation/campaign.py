"""A campaign: a survey, whether it is open for people to join, and the organisation it belongs
to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogues import Survey

DAY_MS = 24 * 60 * 60 * 1000


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Campaign:
    survey: Survey
    status: CampaignStatus
    org: str  # the organisation's slug
    # When it closed (epoch ms); None while open. A campaign closed before this was recorded
    # counts as closed when a Sauti that records it first read it (bot.records.campaigns).
    closed_ms: int | None = None
    # Days its personal-level data is kept after closing: the survey's `retention_days`, else
    # the deployment's default (SAUTI_RETENTION_DAYS).
    retention_days: int = 365

    @property
    def id(self) -> str:
        return self.survey.id

    @property
    def is_open(self) -> bool:
        return self.status is CampaignStatus.OPEN

    @property
    def kept_until_ms(self) -> int | None:
        """When its personal-level data is due for erasure; None while it is open."""
        if self.is_open or self.closed_ms is None:
            return None
        return self.closed_ms + self.retention_days * DAY_MS
