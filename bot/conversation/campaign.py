"""A campaign: a survey and whether it is open for people to join."""

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

    @property
    def id(self) -> str:
        return self.survey.id

    @property
    def is_open(self) -> bool:
        return self.status is CampaignStatus.OPEN
