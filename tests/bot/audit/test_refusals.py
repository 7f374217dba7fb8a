"""What an audit entry may hold: short typed facts. Blobs, long text, phone numbers and
participant ids are refused before anything is written."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.audit import OPERATOR, AuditAction, AuditLog
from tests.bot.audit import CRYPTO, ORG

PARTICIPANT = CRYPTO.participant_id("telegram", "123456789")


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"answer": "We have had no clean water since the mine opened " * 3}, "at most 64"),
        ({"answers": {"q1": "yes", "q2": "no"}}, "only short strings and whole numbers"),
        ({"answers": ["yes", "no"]}, "only short strings and whole numbers"),
        ({"body": b"\x00\x01raw bytes"}, "only short strings and whole numbers"),
        ({"score": 2.5}, "only short strings and whole numbers"),
        ({"flag": True}, "only short strings and whole numbers"),
        ({"note": "line one\nline two"}, "printable"),
        ({"caller": "+255 700 000 001"}, "phone number"),
        ({"who": PARTICIPANT}, "participant id"),
        ({"who": f"pid={PARTICIPANT}"}, "participant id"),
        ({f"k{n}": n for n in range(9)}, "at most 8 details"),
        ({"Bad Name": "x"}, "a detail's name"),
        ({"n": -1}, "whole number from 0"),
        ({"n": 2**60}, "whole number from 0"),
    ],
)
async def test_details_that_could_carry_personal_data_are_refused_and_nothing_is_written(
    audit_log: AuditLog, redis_client: Redis, details: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await audit_log.record(
            ORG, actor=OPERATOR, action=AuditAction.EXPORT_CREATED, details=details
        )
    assert await redis_client.dbsize() == 0


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"actor": "amina"}, "an actor is"),
        ({"actor": "staff:amina"}, "an actor is"),
        ({"actor": "token:tk 1"}, "an actor is"),
        ({"target": "water-2026"}, "a target is"),
        ({"target": "campaign:water 2026"}, "a target is"),
        ({"target": f"participant:{PARTICIPANT}"}, "participant id"),
        ({"target": "campaign:" + "x" * 201}, "a target is"),
        ({"count": True}, "the count must be"),
        ({"count": "12"}, "the count must be"),
        ({"address": "somewhere"}, "IP address"),
        ({"action": "sign_in"}, "not an audit action"),
    ],
)
async def test_facts_of_the_wrong_shape_are_refused(
    audit_log: AuditLog, redis_client: Redis, facts: dict[str, Any], message: str
) -> None:
    given: dict[str, Any] = {"actor": OPERATOR, "action": AuditAction.STAFF_ADDED, **facts}
    with pytest.raises(ValueError, match=message):
        await audit_log.record(ORG, **given)
    assert await redis_client.dbsize() == 0


async def test_short_non_personal_details_are_kept_as_given(audit_log: AuditLog) -> None:
    details: dict[str, str | int] = {
        "format": "csv",
        "role": "analyst",
        "rows": 1200,
        "since": "2026-11-01",
    }

    entry = await audit_log.record(
        ORG,
        actor="staff:dpo@acme.example",
        action=AuditAction.EXPORT_CREATED,
        target="campaign:water-2026",
        count=1200,
        details=details,
    )

    listed = (await audit_log.entries(ORG)).entries
    assert [e.record.details if e.record else None for e in listed] == [details]
    assert listed[0].id == entry.id
