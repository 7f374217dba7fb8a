"""Reading a Redis data directory as an attacker with the server's keys would: every file byte
by byte, every value in it tried against every key.

The embedded Redis writes its AOF as plain commands (no RDB preamble), so every value Redis
holds or held appears in it verbatim as a RESP bulk string: the attack takes every bulk string
of every command, tries to unwrap it as a data key under every master key, to open it as a
transit-sealed body bound to any other argument of the same command (or a suffix of one after a
":", alone or after a known label), and to open it as a field
under every data key it found, bound to any participant's field name in the command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.privacy import DecryptionError, ParticipantCrypto, decrypt_field
from bot.storage.disk_rewrite import data_files

_SEALED = b"\x01"  # the format byte of sealed fields and wrapped keys
_SEALED_MIN = 1 + 12 + 16  # format, nonce, tag


def resp_commands(data: bytes) -> Iterator[list[bytes]]:
    """The commands of an AOF written without an RDB preamble (RESP arrays of bulk strings)."""
    position = 0
    while position < len(data):
        if data[position : position + 1] != b"*":
            raise ValueError(f"not a RESP array at byte {position}: an RDB preamble?")
        end = data.index(b"\r\n", position)
        count = int(data[position + 1 : end])
        position = end + 2
        command = []
        for _ in range(count):
            end = data.index(b"\r\n", position)
            length = int(data[position + 1 : end])
            start = end + 2
            command.append(data[start : start + length])
            position = start + length + 2
        yield command


@dataclass
class Traces:
    """What an attacker holding every key recovers from the files."""

    data_keys: set[bytes] = field(default_factory=set)  # unwrapped from wrapped keys found
    transit_texts: list[str] = field(default_factory=list)  # transit-sealed bodies opened
    field_texts: list[str] = field(default_factory=list)  # fields opened with a data key found

    def mention(self, *needles: str) -> list[str]:
        """Every recovered text that contains any of `needles`."""
        return [
            text
            for text in [*self.transit_texts, *self.field_texts]
            if any(needle in text for needle in needles)
        ]


def raw_bytes(directory: Path) -> bytes:
    """Every data file Redis wrote in `directory`, concatenated."""
    return b"".join(path.read_bytes() for path in data_files(directory))


def recover(
    files: Iterable[Path], cryptos: Iterable[ParticipantCrypto], participants: Iterable[str]
) -> Traces:
    """Everything that decrypts in `files` with the keys of `cryptos` (every master key and
    transit key they hold). Field ciphertexts are bound to "<participant>/<field>": each is
    tried for the ids in `participants` and every argument of its command as the field name."""
    commands = [command for path in files for command in resp_commands(path.read_bytes())]
    cryptos = list(cryptos)
    pids = list(participants)
    traces = Traces()
    for command in commands:
        for value in command:
            for crypto in cryptos:
                with contextlib.suppress(DecryptionError, IndexError):
                    traces.data_keys.add(crypto.unwrap_data_key(value))
    for command in commands:
        for value in [*command, *_chunked_texts(command)]:
            traces.transit_texts += _opened_in_transit(value, command, cryptos)
            traces.field_texts += _opened_as_field(value, command, traces.data_keys, pids)
    return traces


def _chunked_texts(command: list[bytes]) -> list[bytes]:
    """Free text is stored in 64-byte chunks, fields `<question>#1`, `#2`, ...: joined again."""
    chunks: dict[bytes, dict[int, bytes]] = {}
    for name, value in zip(command[2::2], command[3::2], strict=False):
        question, mark, number = name.rpartition(b"#")
        if mark and number.isdigit():
            chunks.setdefault(question, {})[int(number)] = value
    return [b"".join(parts[n] for n in sorted(parts)) for parts in chunks.values()]


def _opened_in_transit(
    value: bytes, command: list[bytes], cryptos: list[ParticipantCrypto]
) -> list[str]:
    opened: list[str] = []
    if not value.startswith(_SEALED) or len(value) < _SEALED_MIN:
        return opened
    for crypto in cryptos:
        for binding in command:
            for bound_to in _bindings(binding):
                try:
                    opened.append(crypto.open_in_transit(value, bound_to))
                except DecryptionError:
                    continue
    return opened


# Labels Sauti puts before a name to bind a sealed value to it (bot/access/totp.py): a
# binding may be "<label><name>" as well as the name itself.
_LABELS = (b"staff totp\x00",)


def _bindings(argument: bytes) -> list[bytes]:
    """What a sealed value in the same command may be bound to: the argument, every suffix of
    it after a ":" (a held notice's body sits under "b:<key>" bound to <key>, a WhatsApp resend
    copy under "...:wa:b:<digest>" bound to <digest>), each alone or after a known label."""
    parts = argument.split(b":")
    names = {b":".join(parts[n:]) for n in range(len(parts))}
    return [*names, *(label + name for label in _LABELS for name in names)]


def _opened_as_field(
    value: bytes, command: list[bytes], data_keys: set[bytes], pids: list[str]
) -> list[str]:
    opened: list[str] = []
    if not pids or not value.startswith(_SEALED) or len(value) < _SEALED_MIN:
        return opened  # not shaped like a sealed field: saves millions of hopeless tries
    names = [argument.decode(errors="replace") for argument in command]
    for key in data_keys:
        for pid in pids:
            for name in [*names, *_answer_names(names)]:
                try:
                    opened.append(decrypt_field(key, value, f"{pid}/{name}".encode()))
                except DecryptionError:
                    continue
    return opened


def _answer_names(names: list[str]) -> list[str]:
    """Answers are bound to "answer:<campaign>:<question>": the campaign is in the answers
    key's name (`...:a:<campaign>:<pid>`), the question starts the field name."""
    found = []
    for key in names:
        parts = key.split(":")
        if len(parts) >= 4 and parts[-3] == "a":
            campaign = parts[-2]
            found += [f"answer:{campaign}:{name.split('|')[0]}" for name in names]
    return found
