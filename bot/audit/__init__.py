"""The audit log: per organisation, append-only, tamper-evident (a keyed hash chain). Who did
what to which record, when and from where; never the personal data itself.

- `entry`: `AuditAction`, `AuditRecord` (one entry's facts, checked on the way in) and the
  canonical encoding the chain's hash covers;
- `chain`: the audit key (derived from the id secret) and the keyed hash that links entries;
- `stored`: `AuditEntry`, an entry as kept in the organisation's stream, read back strictly;
- `log`: `AuditLog`: record, read a page at a time (filtered, either way), export, verify;
- `verification`: the walk of the chain that finds the first entry that breaks it, and the
  recent verdicts a walk may go on from;
- `recorder`: `AuditRecorder`, the one method of the log that those who record use.

docs/data-protection.md#audit-log says what is recorded and how to verify and archive it.
"""

from bot.audit.chain import GENESIS, audit_key
from bot.audit.entry import OPERATOR, AuditAction, AuditRecord, staff_actor, token_actor
from bot.audit.log import AuditAppendError, AuditLog, AuditPage
from bot.audit.stored import AuditEntry
from bot.audit.verification import ChainBreak, RecentVerdicts, Verification

__all__ = [
    "GENESIS",
    "OPERATOR",
    "AuditAction",
    "AuditAppendError",
    "AuditEntry",
    "AuditLog",
    "AuditPage",
    "AuditRecord",
    "ChainBreak",
    "RecentVerdicts",
    "Verification",
    "audit_key",
    "staff_actor",
    "token_actor",
]
