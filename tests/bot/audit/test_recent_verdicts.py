"""A verdict that goes on from an earlier one: only the entries appended since are walked, an
entry taken out before them is still found (the whole chain is walked again), and the whole
chain is walked again every few minutes whatever happens."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.audit import AuditLog, ChainBreak, RecentVerdicts
from bot.audit import verification as verification_module
from bot.storage.keys import KeySchema
from tests.bot.audit import ORG, record_sign_ins


async def test_a_resumed_walk_checks_only_the_entries_appended_since(
    audit_log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    await record_sign_ins(audit_log, 6)
    first = await audit_log.verify(ORG)
    ids = await record_sign_ins(audit_log, 2)
    walked: list[str] = []
    checks = verification_module._problem

    def counted(entry, *args):  # type: ignore[no-untyped-def]
        walked.append(entry.id)
        return checks(entry, *args)

    monkeypatch.setattr(verification_module, "_problem", counted)
    later = await audit_log.verify(ORG, resume=first)

    assert (later.ok, later.checked, later.last_id) == (True, 8, ids[-1])
    assert walked == ids


async def test_an_entry_taken_out_before_the_resumed_walk_is_found_where_it_was(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    ids = await record_sign_ins(audit_log, 5)
    first = await audit_log.verify(ORG)
    await record_sign_ins(audit_log, 1)
    await redis_client.xdel(KeySchema().audit(ORG), ids[1])

    later = await audit_log.verify(ORG, resume=first)

    assert (later.problem, later.broken_at, later.checked) == (ChainBreak.UNLINKED, ids[2], 1)


def test_verdicts_are_kept_intact_only_and_walked_whole_again_after_a_while() -> None:
    verdicts = RecentVerdicts(max_age=300)
    intact = verification_module.Verification(3, last_id="1-0", last_hash="ab")
    verdicts.keep(ORG, 1000.0, intact, resumed=False)
    assert verdicts.resumable(ORG, 1100.0) == intact
    longer = verification_module.Verification(5, last_id="2-0", last_hash="cd")
    verdicts.keep(ORG, 1200.0, longer, resumed=True)  # the full walk was at 1000
    assert verdicts.resumable(ORG, 1299.0) == longer
    assert verdicts.resumable(ORG, 1300.0) is None
    broken = verification_module.Verification(1, ChainBreak.ALTERED, "1-0", "altered")
    verdicts.keep(ORG, 1301.0, broken, resumed=False)
    assert verdicts.resumable(ORG, 1302.0) is None
    assert verdicts.resumable("other", 1302.0) is None
