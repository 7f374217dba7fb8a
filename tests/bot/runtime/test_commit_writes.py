"""The COMMIT script's arguments, as `commit_call` lays them out, read back by a Python mirror
of the script's own reading (the header of bot/storage/lua/commit.lua): every named write lands
where the script looks for it. A change to how the script reads must change the mirror too; the
pipeline tests, which run the real script, catch a mirror that drifts from it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.conversation.outgoing import Outgoing
from bot.privacy import ParticipantCrypto
from bot.runtime.commit_writes import (
    AnswerWrites,
    CommittedEvent,
    Committer,
    CommitWrites,
    commit_call,
)
from bot.runtime.markers import marker_member, marker_time
from bot.runtime.outbox import OutboxEntry
from bot.secret import Secret
from bot.storage.keys import KeySchema
from bot.storage.scripts import COMMIT

CRYPTO = ParticipantCrypto(Secret(bytes(32)), Secret(bytes(range(32))))
SCHEMA = KeySchema(prefix="t", shards=2)
COMMITTER = Committer(SCHEMA, group="workers", owner="w1", marker_ttl=600, crypto=CRYPTO)


def _read_like_the_script(args: Sequence[Any]) -> dict[str, Any]:
    """ARGV walked as the COMMIT script walks it (bot/storage/lua/commit.lua)."""
    read: dict[str, Any] = {"fixed": list(args[:7])}
    i = 7

    def counted(width: int) -> list[tuple[Any, ...]]:
        nonlocal i
        n = int(args[i])
        i += 1
        items = [tuple(args[i + k * width : i + (k + 1) * width]) for k in range(n)]
        i += n * width
        return items

    read["participant"] = counted(2)
    read["answer_sets"] = counted(2)
    read["answer_deletes"] = counted(1)
    read["counters"] = counted(2)
    read["respondent"] = args[i]
    i += 1
    read["joiner"] = args[i]
    i += 1
    read["changed"] = args[i]
    i += 1
    read["inbox"] = counted(1)
    read["inbox_cap"] = args[i]
    i += 1
    read["outbox"] = counted(5)
    read["triaged"] = counted(2)
    read["untriaged"] = counted(1)
    read["after"] = args[i]
    assert i == len(args) - 1  # the script reads the last argument as `after`
    return read


def test_every_write_lands_where_the_commit_script_reads_it() -> None:
    event = CommittedEvent(
        shard=1,
        participant_id="p1",
        event_id="e7",
        entry_id="1-0",
        channel="telegram",
        now_ms=1_800_000_000_000,
        after_event_id="e6",
    )
    entry = OutboxEntry("e7:0", "p1", "telegram", Outgoing("hello"), 5)
    writes = CommitWrites(
        event,
        campaign_id="c1",
        participant={"lang": "sw", "in": "5"},
        answers=AnswerWrites("c1", {"q1": b"a5:7"}, ("q0",)),
        counters=Counter({"answers": 1, "started": 1}),
        respondent=True,
        joined="c2",
        inbox=[b"sealed"],
        outbox=[entry],
        triaged={"p1/story": 1_800_000_000_000},
        untriaged=["p1/other"],
    )
    call = commit_call(writes, COMMITTER)
    assert call.script is COMMIT
    assert list(call.keys) == [
        SCHEMA.inbound(1),
        SCHEMA.event_markers("p1"),
        SCHEMA.participant("p1"),
        SCHEMA.session("p1", "c1"),
        SCHEMA.answers("p1", "c1"),
        SCHEMA.counters(1, "c1"),
        SCHEMA.respondents(1, "c1"),
        SCHEMA.webchat_inbox("p1"),
        SCHEMA.outbox(1, "reply"),
        SCHEMA.lease("worker", 1),
        SCHEMA.joiners(1, "c1"),  # started: of the campaign it starts
        SCHEMA.triage(1, "c1"),
        SCHEMA.triage_marks(1, "c1"),
        SCHEMA.safety_alerts(1, "c1"),
        SCHEMA.changed(1, "c1"),
    ]
    read = _read_like_the_script(call.args)
    assert read["fixed"] == [
        "workers",
        "1-0",
        marker_member("e7"),
        "",  # no session: left as it is
        "w1",
        marker_time(1_800_000_000_000),
        600,
    ]
    assert read["participant"] == [("lang", "sw"), ("in", "5")]
    assert read["answer_sets"] == [("q1", b"a5:7")]
    assert read["answer_deletes"] == [("q0",)]
    assert read["counters"] == [("answers", 1), ("started", 1)]
    assert read["respondent"] == read["joiner"] == "p1"
    assert read["changed"] == "p1"  # the counters moved: pending for the next snapshot
    assert read["inbox"] == [(b"sealed",)]
    assert read["inbox_cap"] == COMMITTER.inbox_cap
    [(key, pid, channel, enqueued, body)] = read["outbox"]
    assert (key, pid, channel, enqueued) == ("e7:0", "p1", "telegram", "5")
    assert CRYPTO.open_in_transit(body, b"e7:0") == '{"text":"hello","from":"sauti"}'
    assert read["triaged"] == [("p1/story", 1_800_000_000_000)]
    assert read["untriaged"] == [("p1/other",)]
    assert read["after"] == marker_member("e6")


def test_a_commit_that_writes_nothing_still_has_every_group_counted() -> None:
    event = CommittedEvent(0, "p2", "e1", "2-0", "whatsapp", now_ms=0)
    read = _read_like_the_script(commit_call(CommitWrites(event), COMMITTER).args)
    assert read["participant"] == read["answer_sets"] == read["counters"] == []
    assert read["answer_deletes"] == read["inbox"] == read["outbox"] == []
    assert read["triaged"] == read["untriaged"] == []
    assert read["respondent"] == read["joiner"] == read["changed"] == read["after"] == ""
