"""The key schema is the one list of Redis keys: docs/keys.md documents exactly the keys it
makes, and erasure knows every key that names a participant (or says why it leaves it)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from itertools import product
from pathlib import Path
from typing import Any

import bot
from bot.storage.keys import KEPT_ON_ERASURE, KeySchema

DOC = Path(bot.__file__).parent.parent / "docs" / "keys.md"
SCHEMA = KeySchema()  # the default prefix, `sauti`, as the documentation writes it
# What the documentation writes in place of each argument (several values: each is a key).
PLACEHOLDERS: dict[str, tuple[object, ...]] = {
    "participant_id": ("<pid>",),
    "campaign_id": ("<cid>",),
    "decision_id": ("<did>",),
    "ref": ("<ref>",),
    "version": ("<v>",),
    "reference": ("<case ref>",),
    "event_id": ("<event id>",),
    "idempotency_key": ("<key>",),
    "digest": ("<digest>",),
    "channel": ("<channel>",),
    "org": ("<org>",),
    "email": ("<email>",),
    "token_id": ("<token id>",),
    "role": ("worker", "sender"),
    "priority": ("reply", "bulk"),
    "kind": ("account", "address"),
    "shard": (0,),
    "number": ("<n>",),
}
# Members that make no key: the shard arithmetic, the erasure enumerator, the prefixes the
# loop's scripts put a participant id after (tests/bot/loop/test_rules.py checks those), and
# the SCAN patterns of retired formats.
NOT_FAMILIES = {
    "prefix",
    "shards",
    "shard_of",
    "tag",
    "keys_of",
    "participant_prefixes",
    "move_due_prefixes",
    "older_marker_patterns",
}


def _reader(name: str) -> Callable[[], str]:
    """A property of the schema as a family without arguments."""

    def read() -> str:
        value: str = getattr(SCHEMA, name)
        return value

    return read


def _families() -> dict[str, Callable[..., str | tuple[str, ...]]]:
    found: dict[str, Callable[..., Any]] = {}
    for name, member in inspect.getmembers(KeySchema):
        if name.startswith("_") or name in NOT_FAMILIES:
            continue
        if isinstance(member, property):
            found[name] = _reader(name)
        else:
            found[name] = getattr(SCHEMA, name)
    return found


def _parameters(family: Callable[..., object]) -> list[str]:
    return list(inspect.signature(family).parameters)


def _pattern(key: str) -> str:
    return re.sub(r"\{s\d+\}", "{sN}", key)


def _made_by(family: Callable[..., str | tuple[str, ...]]) -> Iterator[str]:
    names = _parameters(family)
    for values in product(*(PLACEHOLDERS[name] for name in names)):
        made = family(*values)
        yield from map(_pattern, (made,) if isinstance(made, str) else made)


def _schema_patterns() -> set[str]:
    return {key for family in _families().values() for key in _made_by(family)}


def _documented_patterns() -> set[str]:
    """The first cell of every row of the doc's key tables (those headed `| key |`)."""
    patterns: set[str] = set()
    in_key_table = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_key_table = False
            continue
        first = line.split("|")[1].strip()
        if first == "key":
            in_key_table = True
        elif in_key_table and not first.startswith("---"):
            patterns.update(re.findall(r"`([^`]+)`", first))
    return patterns


def test_every_key_in_the_docs_is_made_by_the_schema_and_every_key_it_makes_is_documented() -> None:
    documented = _documented_patterns()
    made = _schema_patterns()
    assert sorted(documented - made) == [], "documented, but no schema family makes it"
    assert sorted(made - documented) == [], "made by the schema, but not in docs/keys.md"


def test_the_doc_tables_are_read_at_all() -> None:
    # Guard against the parser silently finding nothing.
    assert {"sauti:meta", "sauti:{sN}:p:<pid>", "sauti:{sN}:wa:m:<digest>"} <= (
        _documented_patterns()
    )


def test_erasure_deletes_every_key_of_a_participant_or_says_why_it_is_kept() -> None:
    erased = set(map(_pattern, SCHEMA.keys_of("<pid>", ["<cid>"])))
    named_by_participant = {
        name: set(_made_by(family))
        for name, family in _families().items()
        if "participant_id" in _parameters(family)
    }
    for name, keys in named_by_participant.items():
        if name in KEPT_ON_ERASURE:
            assert not keys & erased, f"{name} is erased, yet listed as kept"
        else:
            assert keys <= erased, f"erasure forgets {name}: delete it, or say why it stays"
    assert set(KEPT_ON_ERASURE) <= set(named_by_participant)
    assert erased <= set().union(*named_by_participant.values())


def test_erasure_covers_every_campaign_they_joined() -> None:
    erased = SCHEMA.keys_of("p1", ["c2", "c1", "c1"])
    for campaign in ("c1", "c2"):
        assert SCHEMA.session("p1", campaign) in erased
        assert SCHEMA.answers("p1", campaign) in erased
        assert SCHEMA.themes("p1", campaign) in erased
    assert len(erased) == len(set(erased))
