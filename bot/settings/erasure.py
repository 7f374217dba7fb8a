"""Settings of erasure that holds on disk: the rewrite after an erasure, and master key epochs
(docs/data-protection.md, "Erasure on disk" and "Key rotation")."""

from __future__ import annotations

from dataclasses import dataclass

from bot.secret import Secret
from bot.settings.fields import setting
from bot.settings.parsers import boolean, integer, master_keys


@dataclass(frozen=True)
class ErasureSettings:
    rewrite_seconds: int = setting("SAUTI_ERASURE_REWRITE_SECONDS", 300, integer(0, 86_400))
    """This long after an erasure (plus a settle of 1 to 30 s, a 1 s poll and the rewrite
    itself), the embedded Redis's files are rewritten without it; erasures within the window
    share one rewrite. 0: rewrite as soon as one is seen."""
    rewrite_external: bool = setting("SAUTI_ERASURE_REWRITE_EXTERNAL", False, boolean)
    """With REDIS_URL (a single Redis, not a Cluster): also ask that server to rewrite its AOF
    (BGREWRITEAOF) after erasures.
    Its files are not Sauti's to check: what holds there is the master key epochs."""
    master_key_id: int = setting("SAUTI_MASTER_KEY_ID", 0, integer(0, 255))
    """With a configured SAUTI_MASTER_KEY: its id, written into every data key it wraps. A
    new key gets a new id (`sauti keys rotate` says which)."""
    previous_master_keys: Secret[str] | None = setting(
        "SAUTI_PREVIOUS_MASTER_KEYS", None, master_keys, secret=True
    )
    """Older master keys still opening what they wrapped until `sauti keys rewrap` has wrapped
    it again: `<id>:<base64 key>` pairs, comma-separated."""
    backup_retention_days: int = setting("SAUTI_BACKUP_RETENTION_DAYS", 30, integer(0, 3650))
    """How long backups of the data are kept: an old master key is retired (`sauti keys
    retire`) only this long after the end of the rewrap pass that left nothing under it."""
