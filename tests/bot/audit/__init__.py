"""The audit log: recording, reading, verifying, and catching a log that was tampered with."""

from __future__ import annotations

from bot.audit import AuditAction, AuditLog
from bot.privacy import ParticipantCrypto
from bot.secret import Secret

ORG = "acme"
CRYPTO = ParticipantCrypto(Secret(bytes(32)), Secret(bytes(range(32))))
START_MS = 1_795_000_000_000


class StepClock:
    """A clock one second further on at every reading, so entries' times are known."""

    def __init__(self) -> None:
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return (START_MS + 1000 * self.readings) / 1000


async def record_sign_ins(log: AuditLog, count: int, org: str = ORG) -> list[str]:
    """`count` sign-ins of different staff members; returns the entries' ids in order."""
    ids = []
    for n in range(count):
        entry = await log.record(
            org,
            actor=f"staff:person{n}@acme.example",
            action=AuditAction.SIGN_IN,
            target=f"staff:person{n}@acme.example",
            address="192.0.2.10",
            details={"method": "password"},
        )
        ids.append(entry.id)
    return ids
