"""The keyed hash chain behind the audit log.

Each entry carries the hash of the one before it (`previous`) and its own:

    hash = HMAC-SHA256(audit key, previous || canonical encoding of the entry), in hex

where the canonical encoding names the organisation too (`AuditRecord.canonical`).

with `previous` the 64 hex characters of the previous entry's hash, and `GENESIS` before the
first entry. Changing an entry changes its hash; removing or inserting one breaks the link of
the entry after it. The head key holds the last hash, how many entries the chain has, and a MAC
of the two (`head_value`): removing entries from the end and setting the head to the hash now
last would need a new MAC, which needs the audit key — so a truncated log no longer verifies.

Why keyed, not a plain SHA-256 chain: a plain chain proves nothing against whoever can write
to Redis, the very access the log should hold to account (an operator with `redis-cli`, a
leaked Redis password, a restored backup edited on the way): they would rewrite an entry and
recompute every hash after it. Under an HMAC, a consistent rewrite needs the audit key too, and
that key is derived from the server's id secret, which never goes into Redis:

    audit key = HMAC-SHA256(id secret, "sauti audit chain v1")   (ParticipantCrypto.keyed_digest)

What it does not prove: a server that holds the id secret can rewrite the chain (so can anyone
who steals the secret), and deleting an organisation's whole log (stream and head) leaves
nothing to check. An archived export (`sauti audit export`) is the answer to both: its last
hash must still be in the live chain. Rotating the id secret makes the existing chain
unverifiable: export before.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.privacy import ParticipantCrypto
from bot.secret import Secret

GENESIS = "0" * 64
AUDIT_KEY_LABEL = b"sauti audit chain v1"


def audit_key(crypto: ParticipantCrypto) -> Secret[bytes]:
    """The key of every organisation's audit chain, derived from the server's id secret."""
    return Secret(crypto.keyed_digest(AUDIT_KEY_LABEL))


def link_hash(key: Secret[bytes], previous: str, canonical: bytes) -> str:
    """An entry's hash: HMAC-SHA256 of the previous hash (hex) followed by its canonical
    encoding. `previous` has a fixed length, so no two (previous, entry) pairs give one input."""
    return hmac.new(key.reveal(), previous.encode("ascii") + canonical, hashlib.sha256).hexdigest()


def head_value(key: Secret[bytes], last_hash: str, count: int) -> str:
    """What the head key holds: `<last hash>.<entries>.<MAC of both>`."""
    return f"{last_hash}.{count}.{_head_mac(key, last_hash, count)}"


def genesis_head(key: Secret[bytes]) -> str:
    """The head of a log with no entry yet."""
    return head_value(key, GENESIS, 0)


def read_head(value: str) -> tuple[str, int] | None:
    """(last hash, entries) of a head, or None when it is not one (its MAC is not checked)."""
    last_hash, _, rest = value.partition(".")
    count, _, mac = rest.partition(".")
    if len(last_hash) != len(GENESIS) or not count.isdigit() or not mac:
        return None
    return last_hash, int(count)


def head_holds(key: Secret[bytes], value: str, last_hash: str, count: int) -> bool:
    """Whether a head says exactly this last hash and count, under the audit key."""
    return same_hash(value, head_value(key, last_hash, count))


def _head_mac(key: Secret[bytes], last_hash: str, count: int) -> str:
    message = b"sauti audit head|" + last_hash.encode("ascii") + b"|" + str(count).encode()
    return hmac.new(key.reveal(), message, hashlib.sha256).hexdigest()


def same_hash(one: str, other: str) -> bool:
    """Compared in constant time: a check on a keyed hash should leak nothing of it."""
    return hmac.compare_digest(one.encode(), other.encode())
