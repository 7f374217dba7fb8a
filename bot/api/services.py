"""What the API's operations use, handed over once by the web server (`bot.web`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from bot.access.organisations import OrganisationStore
from bot.access.staff import StaffStore
from bot.access.tokens import TokenStore
from bot.api.audit import AuditRecorder
from bot.api.live import LiveStreams
from bot.audit.verification import RecentVerdicts
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.records.translations import TranslationRecords
from bot.runtime.metrics import Metrics
from bot.settings.loop import DEFAULT_REOPEN_DAYS
from bot.settings.model import ApiSettings
from bot.settings.privacy import DEFAULT_MIN_CELL
from bot.storage.keys import KeySchema

if TYPE_CHECKING:
    from bot.access.membership import StaffChanges
    from bot.channels.whatsapp.templates import TemplateBook
    from bot.loop.ledger import DecisionLedger
    from bot.loop.preview_cache import PreviewCache
    from bot.loop.publisher import Publisher
    from bot.loop.templates import TemplateCoverage
    from bot.panels.inviting import Inviter


@dataclass(frozen=True)
class DecisionTools:
    """What the decisions operations use of the app: its ledger (which turns a file's
    pseudonyms into participants) and publisher (with the loop settings, on the given clock),
    the WhatsApp templates approved per campaign language (None: not known) and the
    templates themselves (what a closed window's notice reads), and each push channel's send
    rate (for ETAs)."""

    ledger: Callable[[], DecisionLedger]
    publisher: Callable[[Callable[[], float]], Publisher]
    templates: Callable[[tuple[str, ...]], TemplateCoverage | None]
    send_rates: Mapping[str, float]
    template_book: Callable[[], TemplateBook | None] = lambda: None
    # The decision previews' kept counts: the app's one, which runs their background counts.
    previews: PreviewCache | None = None


@dataclass(frozen=True)
class StaffTools:
    """What the staff and tokens operations use of the app: the changes, with their rules and
    audit entries (bot.access.membership, as on the command line), and the address a setup
    link's token opens."""

    changes: StaffChanges
    setup_url: Callable[[str], str]
    setup_link_seconds: int


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
    reopen_days: int = DEFAULT_REOPEN_DAYS  # SAUTI_CASE_REOPEN_DAYS: a resolution's Reopen button
    decisions: DecisionTools | None = None  # the decisions operations' (bot.web gives them)
    inviter: Inviter | None = None  # the panels operations' (bot.web gives it)
    staff_tools: StaffTools | None = None  # the staff and tokens operations' (bot.web too)
    # The audit chain's last verdict per organisation (GET /audit/verify), kept a while.
    audit_verdicts: RecentVerdicts = field(default_factory=RecentVerdicts)
    live: LiveStreams = field(default_factory=LiveStreams)  # open event streams, this process
    metrics: Metrics | None = None  # the app's Prometheus metrics (safety alerts raised)
    # SAUTI_WHATSAPP_MAX_BUTTON_TITLE_CHARS: the longest label a translation may give a button
    button_chars: int = 20

    @property
    def translations(self) -> TranslationRecords:
        return TranslationRecords(self.redis, self.schema, button_chars=self.button_chars)

    @property
    def organisations(self) -> OrganisationStore:
        return OrganisationStore(self.redis, self.schema)

    @property
    def staff(self) -> StaffStore:
        return StaffStore(self.redis, self.schema)

    @property
    def tokens(self) -> TokenStore:
        return TokenStore(self.redis, self.schema)
