"""Recording and reading an organisation's audit log: entries come back in order with the facts
given, page by page exactly once, and appends from many clients at once form one chain."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.audit import GENESIS, OPERATOR, AuditAction, AuditLog, staff_actor, token_actor
from bot.audit import log as audit_log_module
from bot.storage import connect
from bot.storage.keys import KeySchema
from tests.bot.audit import CRYPTO, ORG, START_MS, StepClock, record_sign_ins


async def test_entries_come_back_in_order_with_the_facts_given_and_the_chain_is_intact(
    audit_log: AuditLog,
) -> None:
    await audit_log.record(
        ORG,
        actor=staff_actor("amina@acme.example"),
        action=AuditAction.SIGN_IN,
        target="staff:amina@acme.example",
        address="2001:0db8:0000:0000:0000:0000:0000:0001",
    )
    await audit_log.record(
        ORG,
        actor=token_actor("tk_7f3a"),
        action=AuditAction.FREE_TEXT_READ,
        target="campaign:water-2026",
        count=120,
        details={"question": "q3", "page": 2},
    )
    await audit_log.record(ORG, actor=OPERATOR, action=AuditAction.CAMPAIGN_CLOSED)

    page = await audit_log.entries(ORG)

    assert page.after is None
    records = [entry.record for entry in page.entries if entry.record is not None]
    assert [r.action for r in records] == ["sign_in", "free_text_read", "campaign_closed"]
    first, second, third = records
    assert (first.actor, first.target, first.address, first.count) == (
        "staff:amina@acme.example",
        "staff:amina@acme.example",
        "2001:db8::1",  # addresses are kept in one spelling
        None,
    )
    assert (second.actor, second.target, second.count) == (
        "token:tk_7f3a",
        "campaign:water-2026",
        120,
    )
    assert second.details == {"question": "q3", "page": 2}
    assert (third.actor, third.target, third.details) == ("operator", None, {})
    assert [r.at_ms for r in records] == [START_MS + 1000, START_MS + 2000, START_MS + 3000]
    assert page.entries[0].previous == GENESIS
    assert [e.previous for e in page.entries[1:]] == [e.hash for e in page.entries[:-1]]
    assert await audit_log.head(ORG) == page.entries[-1].hash

    verdict = await audit_log.verify(ORG)
    assert (verdict.ok, verdict.checked) == (True, 3)


async def test_pages_return_every_entry_exactly_once(audit_log: AuditLog) -> None:
    recorded = await record_sign_ins(audit_log, 23)

    seen: list[str] = []
    pages = 0
    after = None
    while True:
        page = await audit_log.entries(ORG, after=after, limit=5)
        seen += [entry.id for entry in page.entries]
        pages += 1
        if page.after is None:
            break
        after = page.after

    assert seen == recorded
    assert pages == 5  # 5 + 5 + 5 + 5 + 3: the last full page knows there is more


async def test_a_page_that_ends_with_the_log_says_so(audit_log: AuditLog) -> None:
    recorded = await record_sign_ins(audit_log, 10)

    first = await audit_log.entries(ORG, limit=5)
    second = await audit_log.entries(ORG, after=first.after, limit=5)

    assert [e.id for e in first.entries + second.entries] == recorded
    assert second.after is None


async def test_an_action_filter_lists_only_that_action_and_pages_through_a_long_log(
    audit_log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short scan per call, so the log is "long" with a few entries.
    monkeypatch.setattr(audit_log_module, "MAX_SCANNED", 4)
    await record_sign_ins(audit_log, 5)
    failed = await audit_log.record(
        ORG, actor="staff:x@acme.example", action=AuditAction.SIGN_IN_FAILED
    )
    await record_sign_ins(audit_log, 3)

    found: list[str] = []
    after, calls = None, 0
    while True:
        page = await audit_log.entries(ORG, after=after, action=AuditAction.SIGN_IN_FAILED)
        found += [entry.id for entry in page.entries]
        calls += 1
        if page.after is None:
            break
        after = page.after

    assert found == [failed.id]
    assert calls == 3  # 9 entries, at most 4 read per call


async def test_newest_first_pages_back_through_the_log_exactly_once(audit_log: AuditLog) -> None:
    recorded = await record_sign_ins(audit_log, 12)

    seen: list[str] = []
    after = None
    while True:
        page = await audit_log.entries(ORG, after=after, limit=5, newest_first=True)
        seen += [entry.id for entry in page.entries]
        if page.after is None:
            break
        after = page.after

    assert seen == recorded[::-1]


async def test_entries_are_filtered_by_actor_and_time(audit_log: AuditLog) -> None:
    """The clock steps a second per entry (StepClock): entry n is at START_MS + n s."""
    recorded = await record_sign_ins(audit_log, 6)
    again = await audit_log.record(
        ORG, actor="staff:person2@acme.example", action=AuditAction.SIGN_OUT
    )

    theirs = await audit_log.entries(ORG, actor="staff:person2@acme.example", newest_first=True)
    assert [entry.id for entry in theirs.entries] == [again.id, recorded[2]]
    window = await audit_log.entries(ORG, since_ms=START_MS + 2000, until_ms=START_MS + 4000)
    assert [entry.id for entry in window.entries] == recorded[1:3]
    both = await audit_log.entries(
        ORG, actor="staff:person2@acme.example", action=AuditAction.SIGN_IN, since_ms=START_MS
    )
    assert [entry.id for entry in both.entries] == [recorded[2]]


async def test_a_log_never_written_is_empty_and_intact(audit_log: AuditLog) -> None:
    page = await audit_log.entries("nobody")
    verdict = await audit_log.verify("nobody")

    assert (page.entries, page.after) == ([], None)
    assert (verdict.ok, verdict.checked) == (True, 0)


async def test_each_organisation_has_its_own_chain(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    await record_sign_ins(audit_log, 3, org="acme")
    await record_sign_ins(audit_log, 2, org="bright-water")

    assert len((await audit_log.entries("acme")).entries) == 3
    assert len((await audit_log.entries("bright-water")).entries) == 2
    assert (await audit_log.verify("acme")).checked == 3
    assert (await audit_log.verify("bright-water")).checked == 2
    keys = {key.decode() async for key in redis_client.scan_iter()}
    assert keys == {
        "sauti:{o:acme}:audit",
        "sauti:{o:acme}:audit:head",
        "sauti:{o:bright-water}:audit",
        "sauti:{o:bright-water}:audit:head",
    }


@pytest.mark.parametrize(
    ("after", "limit", "message"),
    [
        ("yesterday", 10, "not an audit cursor"),
        ("-", 10, "not an audit cursor"),
        (None, 0, "the limit must be 1 to 500"),
        (None, 501, "the limit must be 1 to 500"),
    ],
)
async def test_a_bad_cursor_or_limit_is_refused(
    audit_log: AuditLog, after: str | None, limit: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await audit_log.entries(ORG, after=after, limit=limit)


@pytest.mark.parametrize("org", ["", "Acme", "a{b}", "acme:x", "a b", "x" * 65])
async def test_an_organisation_slug_that_would_break_its_keys_is_refused(
    audit_log: AuditLog, org: str
) -> None:
    with pytest.raises(ValueError, match="not an organisation slug"):
        await audit_log.record(org, actor=OPERATOR, action=AuditAction.CAMPAIGN_LOADED)


async def test_fifty_appends_at_once_from_two_clients_form_one_intact_chain(
    redis_url: str,
) -> None:
    # Two processes' worth: separate clients, separate logs (locks), one organisation.
    clients = [connect(redis_url, max_connections=30) for _ in range(2)]
    logs = [AuditLog.keyed_by(c, KeySchema(), CRYPTO, clock=StepClock()) for c in clients]
    try:
        entries = await asyncio.gather(
            *(
                logs[n % 2].record(
                    ORG,
                    actor=f"staff:p{n}@acme.example",
                    action=AuditAction.RESPONSES_READ,
                    target="campaign:water-2026",
                    count=n,
                )
                for n in range(50)
            )
        )
        verdict = await logs[0].verify(ORG)
        page = await logs[1].entries(ORG, limit=500)
    finally:
        for client in clients:
            await client.aclose()

    assert (verdict.ok, verdict.checked) == (True, 50)
    counts = [e.record.count for e in page.entries if e.record and e.record.count is not None]
    assert sorted(counts) == list(range(50))
    assert sorted(e.id for e in entries) == [e.id for e in page.entries]


async def test_appends_racing_without_the_lock_are_kept_in_one_chain_by_the_script(
    redis_url: str,
) -> None:
    # Twenty logs, each on a client of its own, as twenty processes would be: no lock shared,
    # so only the compare-and-set keeps them apart.
    clients = [connect(redis_url, max_connections=4) for _ in range(20)]
    logs = [AuditLog.keyed_by(client, KeySchema(), CRYPTO) for client in clients]
    try:
        async with asyncio.TaskGroup() as appending:
            for log in logs:
                appending.create_task(
                    log.record(ORG, actor=OPERATOR, action=AuditAction.AUDIT_READ)
                )
        verdict = await logs[0].verify(ORG)
    finally:
        for client in clients:
            await client.aclose()

    assert (verdict.ok, verdict.checked) == (True, 20)
