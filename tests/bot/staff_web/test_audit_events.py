"""Sign-in events in the audit logs of every organisation the account belongs to — and the
organisation a session works in named only in that organisation's own log."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.audit import AuditLog
from bot.privacy import ParticipantCrypto
from bot.secret import Secret
from bot.staff_web.audit_events import AuditedSignInEvents
from bot.storage.keys import KeySchema

SCHEMA = KeySchema(prefix="t-signin-audit")


async def test_each_organisation_hears_of_the_sign_in_but_only_the_chosen_one_is_named(
    redis_client: Redis,
) -> None:
    crypto = ParticipantCrypto(master_key=Secret(b"m" * 32), id_secret=Secret(b"i" * 32))
    audit = AuditLog.keyed_by(redis_client, SCHEMA, crypto)
    events = AuditedSignInEvents(audit)

    await events.signed_in(
        email="ama@acme.example",
        organisations=("acme", "globex"),
        org="globex",
        address="192.0.2.7",
    )

    seen = {}
    for org in ("acme", "globex"):
        [entry] = [e.record async for e in audit.everything(org)]
        assert entry is not None
        assert (entry.action, entry.actor, entry.address) == (
            "sign_in",
            "staff:ama@acme.example",
            "192.0.2.7",
        )
        seen[org] = dict(entry.details)
    assert seen == {"acme": {}, "globex": {"org": "globex"}}
