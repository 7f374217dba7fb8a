"""A campaign: a survey, whether it is open for people to join, and the organisation it belongs
to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogues import Survey


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Campaign:
    survey: Survey
    status: CampaignStatus
    org: str  # the organisation's slug

    @property
    def id(self) -> str:
        return self.survey.id

    @property
    def is_open(self) -> bool:
        return self.status is CampaignStatus.OPEN
