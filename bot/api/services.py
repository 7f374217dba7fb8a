"""What the API's operations use, handed over once by the web server (`bot.web`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot.access.organisations import OrganisationStore
from bot.access.staff import StaffStore
from bot.access.tokens import TokenStore
from bot.api.audit import AuditRecorder
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.settings.model import ApiSettings
from bot.settings.privacy import DEFAULT_MIN_CELL
from bot.storage.keys import KeySchema


@dataclass
class ApiServices:
    redis: Redis
    schema: KeySchema
    crypto: ParticipantCrypto
    campaigns: CampaignStore
    audit: AuditRecorder  # the organisations' audit log (bot.audit.AuditLog)
    settings: ApiSettings = field(default_factory=ApiSettings)
    min_cell: int = (
        DEFAULT_MIN_CELL  # the smallest count an aggregate shows (SAUTI_PRIVACY_MIN_CELL)
    )
    clock: Callable[[], float] = time.time

    @property
    def organisations(self) -> OrganisationStore:
        return OrganisationStore(self.redis, self.schema)

    @property
    def staff(self) -> StaffStore:
        return StaffStore(self.redis, self.schema)

    @property
    def tokens(self) -> TokenStore:
        return TokenStore(self.redis, self.schema)
