"""A survey session as kept in Redis (`KeySchema.session`), and reading it back.

The engine's session is a small JSON document (`dialogues.to_dict`, about 300 bytes once a
survey is done); Redis keeps it deflated: one version byte, then raw deflate with a preset
dictionary of the document's own keys, which takes a third off. Written before: the JSON
itself (it starts with `{`); both are read (an upgrade rewrites no sessions).
"""

from __future__ import annotations

import json
import zlib

from dialogues import Session, SessionFormatError, from_dict, to_dict

_VERSION = b"\x01"
# What every session document repeats. Part of format 1: never change it (a new dictionary
# needs a new version byte).
_DICTIONARY = (
    b'"dc":["sk":["tx":["d":["],"a":{",'
    b'"t1":17","t0":17","c":null,"c":"","st":"a","st":"c","l":"en","r":"{"v":1,"s":"'
)
_WBITS = -15  # raw deflate: no zlib header or checksum (AES-GCM is not needed here; Redis is)


def encode_session(session: Session) -> bytes:
    document = json.dumps(to_dict(session), separators=(",", ":")).encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, _WBITS, 9, zlib.Z_DEFAULT_STRATEGY, _DICTIONARY)
    return _VERSION + deflate.compress(document) + deflate.flush()


def decode_session(raw: bytes | str) -> Session:
    """The session in either format; SessionFormatError when it cannot be read."""
    if isinstance(raw, str):  # a client that decodes replies: only JSON survives that
        raw = raw.encode()
    if raw.startswith(b"{"):
        document = raw
    elif raw.startswith(_VERSION):
        try:
            inflate = zlib.decompressobj(_WBITS, _DICTIONARY)
            document = inflate.decompress(raw[1:]) + inflate.flush()
        except zlib.error as error:
            raise SessionFormatError(f"corrupt session: {error}") from error
    else:
        raise SessionFormatError("not a stored session")
    try:
        return from_dict(json.loads(document))
    except ValueError as error:  # not JSON
        raise SessionFormatError(f"corrupt session: {error}") from error
