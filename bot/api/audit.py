"""What the API tells the organisation's audit log (`bot.audit`): every read of personal-level
data (which campaign or case, how many records), and every change (campaign load, open and
close, case steps), recorded before the answer leaves.

Operations record through `AuditRecorder`, the one method of `bot.audit.AuditLog` they use, so
that the web server hands them the real log and tests may wrap it to read what was recorded.
"""

from __future__ import annotations

from bot.audit import AuditAction
from bot.audit.recorder import AuditRecorder

__all__ = ["AuditAction", "AuditRecorder"]
