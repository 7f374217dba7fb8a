"""A grievance case as the conversation knows it: its statuses, the desk's categories and
urgencies, what a participant may read of their own cases (`CaseSummary`, loaded by the
worker) and what they answer about one (`CaseAnswer`, written by the commit).

Kept free of Redis: `bot.records.cases` stores cases, `bot.loop.grievances` steps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.privacy import ParticipantId, field_aad


class CaseStatus(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    REOPENED = "reopened"  # the participant appealed a resolution, within the reopen time

    @property
    def open(self) -> bool:
        """Still owed an answer: counts towards the response time."""
        return self in (CaseStatus.RECEIVED, CaseStatus.UNDER_REVIEW, CaseStatus.REOPENED)


class Category(StrEnum):
    """What a case is about: a telecom or tech company's grievance desk's usual headings
    (docs/decisions.md, the grievance desk). Set by the desk, never by the participant."""

    ACCESS = "access"  # coverage, outages, being cut off, SIM or account access
    BILLING = "billing"  # charges, mobile money, refunds, tariffs
    CONDUCT = "conduct"  # staff, agents or contractors: behaviour, discrimination
    PRIVACY = "privacy"  # personal data, SIM registration, disclosure, surveillance
    LAND = "land"  # masts and sites: land use, noise, environment, compensation
    SAFETY = "safety"  # harm or threats to a person because of the service
    OTHER = "other"


UNCATEGORISED = "uncategorised"  # how the desk reads a case no one has categorised yet


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # answered before the rest, after safety
    SAFETY = "safety"  # someone's safety is at stake: first on the desk, whatever else


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One of a participant's own cases, as they may read it ("my cases", "my data")."""

    reference: str
    status: CaseStatus
    created_ms: int
    resolved_ms: int | None  # when it was last resolved (None: never)
    desk_message: bytes | None  # the desk's last message to them, sealed with their key
    satisfied: bool | None = None  # their answer to "are you satisfied?" (None: none)


@dataclass(frozen=True, slots=True)
class CaseAnswer:
    """What a participant said about one of their cases, for the commit to record."""

    reference: str
    kind: str  # SATISFIED | UNSATISFIED | REOPEN | WHY
    due_ms: int = 0  # a reopened case: the answer promised by then
    text: str = ""  # WHY: what is still wrong, in their words (sealed before it is stored)


SATISFIED, UNSATISFIED, REOPEN, WHY = "yes", "no", "reopen", "why"


def desk_message_aad(participant_id: str, reference: str) -> bytes:
    """What the desk's message to a participant is sealed to (their key, this case)."""
    return field_aad(ParticipantId(participant_id), f"case:{reference}:m")


def why_aad(participant_id: str, reference: str) -> bytes:
    """What their "why not satisfied" is sealed to (their key, this case)."""
    return field_aad(ParticipantId(participant_id), f"case:{reference}:why")
