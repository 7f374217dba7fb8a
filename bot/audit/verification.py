"""Checking an organisation's audit chain, from its first entry to its head.

The walk reads the stream a page at a time and stops at the first entry that breaks the chain,
saying how:
- `altered`: the entry's hash does not match what it says (changed, or not written by Sauti);
- `unlinked`: the entry does not follow the one before it (an entry between them was removed,
  or one was inserted);
- `head`: the head key does not name the last entry (entries were removed from the end, or the
  head was changed).
Each page is read together with the head, atomically, so entries appended during the walk are
checked too and never mistaken for a broken head.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from bot.audit.chain import GENESIS, head_holds, link_hash, same_hash
from bot.audit.stored import AuditEntry, read_entry
from bot.secret import Secret
from bot.storage.keys import KeySchema

PAGE = 500


class ChainBreak(StrEnum):
    ALTERED = "altered"
    UNLINKED = "unlinked"
    HEAD = "head"


EXPLANATIONS = {
    ChainBreak.ALTERED: "its hash does not match its content: the entry was altered",
    ChainBreak.UNLINKED: "it does not follow the entry before it: an entry was removed or "
    "inserted before it",
    ChainBreak.HEAD: "the head does not match the last entry: entries were removed from the end",
}


@dataclass(frozen=True, slots=True)
class Verification:
    """How many entries were found intact, and the first break if any (`broken_at`: the
    entry's stream id; for a head break, the last entry there is, None when there is none)."""

    checked: int
    problem: ChainBreak | None = None
    broken_at: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


async def verify_chain(
    redis: Redis, schema: KeySchema, key: Secret[bytes], org: str
) -> Verification:
    stream, head_key = schema.audit(org), schema.audit_head(org)
    expected, checked, last_id, start = GENESIS, 0, None, "-"
    while True:
        pipe = redis.pipeline(transaction=True)  # one hash slot: atomic on a cluster too
        pipe.get(head_key)
        pipe.xrange(stream, start, "+", count=PAGE)
        reply: Any = await pipe.execute()
        head: bytes | None = reply[0]
        page: list[tuple[bytes, dict[bytes, bytes]]] = reply[1]
        for stream_id, raw in page:
            entry = read_entry(stream_id, raw)
            problem = _problem(entry, expected, key, org)
            if problem is not None:
                detail = entry.unreadable or EXPLANATIONS[problem]
                return Verification(checked, problem, entry.id, detail)
            checked, expected, last_id = checked + 1, entry.hash, entry.id
        if len(page) == PAGE:
            start = f"({last_id}"
            continue
        return _head_verdict(head, key, expected, checked, last_id)


def _problem(entry: AuditEntry, expected: str, key: Secret[bytes], org: str) -> ChainBreak | None:
    if entry.record is None:
        return ChainBreak.ALTERED
    if not same_hash(link_hash(key, entry.previous, entry.record.canonical(org)), entry.hash):
        return ChainBreak.ALTERED
    if not same_hash(entry.previous, expected):
        return ChainBreak.UNLINKED
    return None


def _head_verdict(
    head: bytes | None, key: Secret[bytes], expected: str, checked: int, last_id: str | None
) -> Verification:
    """The head must name the last entry's hash AND how many entries there are, under the
    audit key: entries removed from the end, with the head set to the hash now last, fail."""
    if head is None and checked == 0:
        return Verification(0)  # never written
    if head is None:
        return Verification(checked, ChainBreak.HEAD, last_id, "the head is missing")
    if not head_holds(key, head.decode(errors="replace"), expected, checked):
        return Verification(checked, ChainBreak.HEAD, last_id, EXPLANATIONS[ChainBreak.HEAD])
    return Verification(checked)
