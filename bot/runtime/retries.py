"""Recipients waiting for a retry, per shard and in the sender's process: whose oldest message
failed for now, and when it may be tried again (bot.runtime.sender)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Retries:
    """Per shard, in this process: recipients whose oldest message failed for now and when it
    may be retried. Their later messages wait behind it (order per recipient), while everyone
    else's messages go on; the backoff doubles per failure."""

    due: dict[str, float] = field(default_factory=dict)  # participant -> monotonic due time
    attempts: dict[bytes, int] = field(default_factory=dict)  # entry id -> failures

    def waiting_now(self) -> set[str]:
        """Who waits, read at one instant: filtering a recipient's entries one by one against a
        moving clock could let their later messages through while their oldest still waits
        (the clock passing the due time between two entries), which broke their order."""
        now = time.monotonic()
        return {pid for pid, due in self.due.items() if now < due}

    def waiting(self, participant_id: str) -> bool:
        due = self.due.get(participant_id)
        return due is not None and time.monotonic() < due

    def ms_until_due(self) -> int:
        if not self.due:
            return 0
        return max(1, round((min(self.due.values()) - time.monotonic()) * 1000))

    def failed(
        self, entry_id: bytes, participant_id: str, backoff_seconds: float, max_seconds: float
    ) -> int:
        """Count a failure of the entry; its recipient waits the doubled backoff."""
        attempts = self.attempts.get(entry_id, 0) + 1
        self.attempts[entry_id] = attempts
        delay = min(backoff_seconds * 2 ** (attempts - 1), max_seconds)
        self.due[participant_id] = time.monotonic() + delay
        return attempts

    def forget(self, entry_id: bytes, participant_id: str) -> None:
        self.attempts.pop(entry_id, None)
        self.due.pop(participant_id, None)
