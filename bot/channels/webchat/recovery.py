"""A way back for someone who lost their private link: recovery codes, and links issued anew.

A code is shown once, on the page that answers "Get a recovery code" (never stored in the
conversation, so a later look at the page does not show it). Redis keeps only a keyed hash of
it (`KeySchema.webchat_recovery`, naming the participant id), and the participant record the
hashes of their live codes (`rc`, in the order they were made): a code counts only while it is
listed there. Entered on the campaign's join page (counted against the join limit of the
client's address, like a join), it opens their conversation on a new link, and then:

- the old link stops working: the record keeps a keyed hash of the link now valid (`lk`), and
  a link is taken only when it matches (the first link, made at joining, while there is none);
- the code is used up, and so are the codes made after it; those made before it stay good.

A new code cancels no earlier one, and a participant holds at most `MAX_LIVE_CODES` live ones
(a further press is refused until one is used or expires). So whoever holds the link (someone
who watched the phone) can make codes, but cannot cancel a code the owner wrote down before,
nor push it out: using the owner's code takes the conversation back and ends the codes made
after it. What stays open is said in docs/conversation.md.

A new link carries the participant id sealed with a key of its own (AES-GCM under a key derived
from the id secret): it needs no key in Redis to be found, and no one can make one.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets

from bot.conversation.inbound import Channel
from bot.privacy import DecryptionError, ParticipantCrypto
from bot.privacy.sealing import open_sealed, seal

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives; a typed
# O, I or L is read as 0, 1, 1.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# 80 bits: guessing one at the join limit's pace takes longer than ages, and so does testing
# guesses offline against a copy of Redis for someone who holds the id secret.
CODE_CHARACTERS = 16
# Enough for a code written down, one lost, and one more; few enough that someone holding the
# link cannot make codes without end (a page's Back and resend asks again).
MAX_LIVE_CODES = 3
_GROUP = 4
_LINK_HEADER = b"wl1"
_PID_BYTES = 20  # a participant id: 32 base32 characters (bot.privacy.ids)
_FIRST_LINK = re.compile(r"[A-Za-z0-9_-]{32}")
_NEW_LINK = re.compile(r"[A-Za-z0-9_-]{64}")


def new_code() -> str:
    """A fresh recovery code, grouped for reading: "7KQ2-XD9M-4WTR-H3PA"."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_CHARACTERS))
    return "-".join(raw[i : i + _GROUP] for i in range(0, CODE_CHARACTERS, _GROUP))


def typed_code(text: str) -> str | None:
    """A code as typed (any case, spaces or dashes, O for 0): its canonical form, or None
    for anything that cannot be one."""
    folded = re.sub(r"[\s-]", "", text).upper().translate(_TYPOS)
    if len(folded) != CODE_CHARACTERS or any(c not in _ALPHABET for c in folded):
        return None
    return "-".join(folded[i : i + _GROUP] for i in range(0, CODE_CHARACTERS, _GROUP))


def code_digest(crypto: ParticipantCrypto, code: str) -> str:
    """What Redis keeps of a code: a keyed hash, never the code."""
    canonical = typed_code(code) or code
    return crypto.keyed_digest(b"webchat recovery code\x00" + canonical.encode()).hex()[:32]


def link_digest(crypto: ParticipantCrypto, token: str) -> str:
    """What the record keeps of the link now valid (`lk`)."""
    return crypto.keyed_digest(b"webchat link\x00" + token.encode()).hex()[:32]


def is_link(token: str) -> bool:
    return bool(_FIRST_LINK.fullmatch(token) or _NEW_LINK.fullmatch(token))


def new_link(crypto: ParticipantCrypto, participant_id: str) -> str:
    """A new private link for a participant: their id sealed, 64 characters."""
    raw = base64.b32decode(participant_id.upper())
    sealed = seal(_link_key(crypto), _LINK_HEADER, raw, b"")
    return base64.urlsafe_b64encode(sealed[len(_LINK_HEADER) :]).decode()


def participant_of(crypto: ParticipantCrypto, token: str) -> str | None:
    """The participant a link names: the id of a first link's platform identity, the sealed
    id of a new one; None for anything that is neither (a new link Sauti did not make)."""
    if _FIRST_LINK.fullmatch(token):
        return crypto.participant_id(Channel.WEBCHAT.value, token)
    if not _NEW_LINK.fullmatch(token):
        return None
    try:
        body = base64.urlsafe_b64decode(token)
        raw = open_sealed(_link_key(crypto), _LINK_HEADER, _LINK_HEADER + body, b"")
    except (DecryptionError, binascii.Error, ValueError):
        return None
    if len(raw) != _PID_BYTES:
        return None
    return base64.b32encode(raw).decode("ascii").lower()


def asking_link(crypto: ParticipantCrypto, token: str) -> str:
    """What the record's `lk` must hold for `token` to be the link valid now: nothing for a
    first link, the keyed hash of a new one."""
    return "" if _FIRST_LINK.fullmatch(token) else link_digest(crypto, token)


def link_holds(crypto: ParticipantCrypto, token: str, current: bytes | None) -> bool:
    """Whether `token` is the link valid now: the first link while no other was issued,
    else only the latest issued (`current`, the record's `lk`)."""
    if current is None or current == b"":
        return bool(_FIRST_LINK.fullmatch(token))
    return hmac.compare_digest(current.decode(), link_digest(crypto, token))


def _link_key(crypto: ParticipantCrypto) -> bytes:
    return crypto.keyed_digest(b"webchat link sealing key\x00")
