"""How an audit entry is kept in its organisation's stream, and read back.

Fields: `at` (epoch ms), `actor`, `action`, `target`, `count`, `addr`, `details` (canonical
JSON), `prev` (the previous entry's hash) and `hash` (its own); `target`, `count`, `addr` and
`details` are left out when empty. Reading is strict: a field that is missing, unknown, or not
in the exact form Sauti writes makes the entry unreadable, because anything the hash does not
cover exactly could be changed without the chain noticing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.audit.entry import AuditRecord, DetailValue, canonical_json

_HASH = re.compile(r"[0-9a-f]{64}")
_NUMBER = re.compile(r"0|[1-9][0-9]{0,15}")
_REQUIRED = ("at", "actor", "action", "prev", "hash")
_OPTIONAL = ("target", "count", "addr", "details")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An entry as stored: its stream id (also the listing's cursor), what it says, and its
    links. `record` is None when the stored fields are not an entry Sauti wrote (`unreadable`
    says why); `fields` are the stored fields as they are, for an export to keep either way."""

    id: str
    fields: Mapping[str, str]
    record: AuditRecord | None
    previous: str
    hash: str
    unreadable: str | None = None


def stream_fields(record: AuditRecord, previous: str, entry_hash: str) -> dict[str, str]:
    fields = {"at": str(record.at_ms), "actor": record.actor, "action": record.action}
    if record.target is not None:
        fields["target"] = record.target
    if record.count is not None:
        fields["count"] = str(record.count)
    if record.address is not None:
        fields["addr"] = record.address
    if record.details:
        fields["details"] = canonical_json(dict(record.details))
    fields["prev"] = previous
    fields["hash"] = entry_hash
    return fields


def read_entry(stream_id: bytes | str, raw: Mapping[bytes, bytes]) -> AuditEntry:
    """An entry from a stream reply (bytes, as the client returns them)."""
    entry_id = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    fields = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}
    previous, entry_hash = fields.get("prev", ""), fields.get("hash", "")
    try:
        _check_bytes(raw)
        record = _record(fields)
    except ValueError as error:
        return AuditEntry(entry_id, fields, None, previous, entry_hash, unreadable=str(error))
    return AuditEntry(entry_id, fields, record, previous, entry_hash)


def _check_bytes(raw: Mapping[bytes, bytes]) -> None:
    for name, value in raw.items():
        try:
            name.decode()
            value.decode()
        except UnicodeDecodeError:
            raise ValueError("a field is not UTF-8") from None


def _record(fields: Mapping[str, str]) -> AuditRecord:
    missing = [name for name in _REQUIRED if name not in fields]
    unknown = sorted(set(fields) - {*_REQUIRED, *_OPTIONAL})
    if missing or unknown:
        raise ValueError(f"fields missing {missing} or unknown {unknown}")
    if not (_HASH.fullmatch(fields["prev"]) and _HASH.fullmatch(fields["hash"])):
        raise ValueError("a hash is not 64 hex characters")
    count = fields.get("count")
    return AuditRecord(
        at_ms=_number(fields["at"]),
        actor=fields["actor"],
        action=fields["action"],
        target=fields.get("target"),
        count=None if count is None else _number(count),
        address=fields.get("addr"),
        details=_details(fields.get("details")),
    )


def _number(text: str) -> int:
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"not a number as Sauti writes one: {text!r}")
    return int(text)


def _details(text: str | None) -> dict[str, DetailValue]:
    if text is None:
        return {}
    try:
        details: object = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("details are not JSON") from None
    if not isinstance(details, dict) or not details or canonical_json(details) != text:
        raise ValueError("details are not written as Sauti writes them")
    checked: dict[str, DetailValue] = {}
    for name, value in details.items():
        if type(value) not in (str, int):
            raise ValueError("details are not written as Sauti writes them")
        checked[name] = value
    return checked
