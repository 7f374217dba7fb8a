"""Settings of panels and invitations: the budget on asking people again."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import setting
from bot.settings.parsers import integer


@dataclass(frozen=True)
class PanelSettings:
    invitation_budget: int = setting("SAUTI_INVITATION_BUDGET", 2, integer(0, 100))
    """Invitations a person may get per rolling window (`invitation_budget_days`), across every
    campaign and organisation of the deployment (0: none at all). Over it, they are left out."""
    invitation_budget_days: int = setting("SAUTI_INVITATION_BUDGET_DAYS", 30, integer(1, 365))
    """The window of the invitation budget, in days."""
    invite_batch: int = setting("SAUTI_INVITE_BATCH", 500, integer(1, 10_000))
    """Panel members one round trip loads, and one script call invites, per shard."""
