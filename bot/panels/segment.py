"""A panel segment: which members an invitation is for, as a query over profile attributes.

Written as `attribute=value` terms separated by spaces, `language=sw area=north
group=displaced`: every term must hold (and), several values of one attribute separated by
commas are alternatives (`language=sw,fr`: either). An empty segment is the whole panel.
Attributes: `language`, `channel` (telegram, whatsapp, webchat), `area`, `group` (a member
with several groups matches if any of theirs is named). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.panels.profile import Profile

ATTRIBUTES = ("language", "channel", "area", "group")
_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class SegmentError(ValueError):
    """A segment that cannot be read; the message says which term and why."""


@dataclass(frozen=True, slots=True)
class Segment:
    # attribute -> the values any of which matches; an attribute not named matches everyone
    terms: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def matches(self, profile: Profile) -> bool:
        for attribute, wanted in self.terms.items():
            if not wanted.intersection(profile.values(attribute)):
                return False
        return True

    def __str__(self) -> str:
        return " ".join(
            f"{attribute}={','.join(sorted(self.terms[attribute]))}"
            for attribute in ATTRIBUTES
            if attribute in self.terms
        )


def parse_segment(text: str) -> Segment:
    """The segment a query names; SegmentError on an unknown attribute or a malformed term."""
    terms: dict[str, frozenset[str]] = {}
    for term in text.split():
        attribute, equals, values = term.partition("=")
        if not equals:
            raise SegmentError(f"'{term}': write attribute=value, like area=north")
        if attribute not in ATTRIBUTES:
            raise SegmentError(
                f"'{attribute}' is not a profile attribute (attributes: {', '.join(ATTRIBUTES)})"
            )
        if attribute in terms:
            raise SegmentError(f"'{attribute}' is named twice: list its values as a,b")
        chosen = values.split(",")
        bad = [value for value in chosen if not _VALUE.match(value)]
        if bad:
            raise SegmentError(f"'{term}': '{bad[0]}' is not a value (letters, digits, _ or -)")
        terms[attribute] = frozenset(chosen)
    return Segment(terms)
