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

A walk may go on from an earlier intact verdict (`resume`): only the entries appended since are
checked, and the head; the entries before count as checked when the log still holds exactly as
many as were found then plus the new ones (an entry removed or inserted among them changes the
count, and the whole chain is walked again to say where). An entry rewritten in place (the
stream rebuilt with the same ids) is not seen by such a walk, only by the next full one: so
`RecentVerdicts`, which keeps the last verdict of each organisation for that and walks
everything again every few minutes, also says when the whole chain was last walked and how
many entries were appended since, for the verdict to say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # The last entry found intact and its hash: where a later walk may go on from.
    last_id: str | None = None
    last_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


async def verify_chain(
    redis: Redis,
    schema: KeySchema,
    key: Secret[bytes],
    org: str,
    resume: Verification | None = None,
) -> Verification:
    stream, head_key = schema.audit(org), schema.audit_head(org)
    expected, checked, last_id, start = GENESIS, 0, None, "-"
    resumed = resume is not None and resume.ok and bool(resume.last_id and resume.last_hash)
    if resumed and resume is not None and resume.last_hash is not None:
        expected, checked, last_id = resume.last_hash, resume.checked, resume.last_id
        start = f"({last_id}"
    while True:
        pipe = redis.pipeline(transaction=True)  # one hash slot: atomic on a cluster too
        pipe.get(head_key)
        pipe.xrange(stream, start, "+", count=PAGE)
        pipe.xlen(stream)
        reply: Any = await pipe.execute()
        head: bytes | None = reply[0]
        page: list[tuple[bytes, dict[bytes, bytes]]] = reply[1]
        for stream_id, raw in page:
            entry = read_entry(stream_id, raw)
            problem = _problem(entry, expected, key, org)
            if problem is not None:
                if resumed:  # a break is said from the first entry on
                    return await verify_chain(redis, schema, key, org)
                detail = entry.unreadable or EXPLANATIONS[problem]
                return Verification(checked, problem, entry.id, detail)
            checked, expected, last_id = checked + 1, entry.hash, entry.id
        if len(page) == PAGE:
            start = f"({last_id}"
            continue
        if resumed and int(reply[2]) != checked:  # the entries before changed
            return await verify_chain(redis, schema, key, org)
        return _head_verdict(head, key, expected, checked, last_id)


@dataclass
class RecentVerdicts:
    """The last intact verdict on each organisation's log, for the next walk to go on from
    (`verify_chain`'s `resume`), so that pages showing the verdict do not each walk a long
    log; the whole chain is walked again once the last full walk is `max_age` seconds old."""

    max_age: float = 300.0
    _kept: dict[str, tuple[float, Verification]] = field(default_factory=dict)
    # When the whole chain was last walked, and how many entries it held then.
    _full: dict[str, tuple[float, int]] = field(default_factory=dict)

    def resumable(self, org: str, now: float) -> Verification | None:
        kept = self._kept.get(org)
        if kept is None or now - kept[0] >= self.max_age:
            return None
        return kept[1]

    def keep(self, org: str, now: float, verdict: Verification, *, resumed: bool) -> None:
        """Keep an intact verdict (a broken one is walked whole every time); a resumed walk
        keeps the time of the full walk it went on from."""
        if not verdict.ok:
            self._kept.pop(org, None)
            self._full.pop(org, None)
            return
        full = not resumed or org not in self._full
        walked = now if full else self._kept[org][0]
        self._kept[org] = (walked, verdict)
        if full:
            self._full[org] = (now, verdict.checked)

    def last_full_walk(self, org: str) -> tuple[float, int] | None:
        """When the whole chain of `org` was last walked and found intact, and how many
        entries it held then (None: its last verdict was not intact, or there is none)."""
        return self._full.get(org)


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
    return Verification(checked, last_id=last_id, last_hash=expected)
