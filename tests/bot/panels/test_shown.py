"""What an organisation reads of its panel and of an invitation: no count of people below the
minimum cell size, and nothing that gives one away by subtraction."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.panels.census import PanelCounts
from bot.panels.inviting import InvitationCounts
from bot.panels.profile import Profile
from bot.panels.segment import SegmentError, parse_segment
from bot.panels.shown import shown_invitation, shown_panel


def test_a_small_group_of_those_left_out_is_withheld_and_so_is_what_would_give_it_away() -> None:
    counts = InvitationCounts(
        members=40,
        invited=Counter({("sw", "whatsapp"): 20, ("en", "telegram"): 2, ("fr", "telegram"): 8}),
        excluded=Counter({"no_consent": 8, "over_budget": 2}),
    )
    shown = shown_invitation(counts, 5)
    assert shown.members == 40
    assert dict(shown.excluded)["over_budget"] is None  # 2 people: withheld
    assert dict(shown.excluded)["no_consent"] is None  # else 40 - 30 - 8 would give it away
    assert dict(shown.by_language)["en"] is None
    assert dict(shown.by_language)["sw"] == 20
    assert dict(shown.by_language)["fr"] is None  # else 30 - 20 - 8 = 2
    assert dict(shown.by_channel) == {"whatsapp": 20, "telegram": 10}


def test_when_those_invited_are_few_none_of_their_breakdowns_is_shown() -> None:
    counts = InvitationCounts(
        members=12, invited=Counter({("sw", "whatsapp"): 3}), excluded=Counter({"unfinished": 9})
    )
    shown = shown_invitation(counts, 5)
    assert shown.invited is None
    assert shown.by_language == [("sw", None)]
    assert shown.by_channel == [("whatsapp", None)]


def test_the_panel_by_area_counts_those_who_did_not_say_in_its_line() -> None:
    counts = PanelCounts(members=23, area_unknown=3)
    counts.by["language"].update({"sw": 23})
    counts.by["channel"].update({"whatsapp": 12, "telegram": 11})
    counts.by["area"].update({"north": 12, "south": 8})
    counts.groups.update({"displaced": 9, "woman": 2})
    shown = shown_panel(counts, 5)
    assert dict(shown.by["area"]) == {"north": 12, "south": None, "": None}
    assert dict(shown.groups) == {"displaced": 9, "woman": None}


def test_a_segment_names_known_attributes_and_matches_any_of_the_values_given() -> None:
    segment = parse_segment("language=sw,fr group=displaced")
    assert segment.matches(Profile("fr", "whatsapp", "north", frozenset({"displaced", "woman"})))
    assert not segment.matches(Profile("en", "whatsapp", "north", frozenset({"displaced"})))
    assert not segment.matches(Profile("sw", "whatsapp", "", frozenset()))
    assert parse_segment("").matches(Profile("ar", "webchat"))
    for wrong in ("colour=red", "area", "area=north area=south", "area=no rth!"):
        with pytest.raises(SegmentError):
            parse_segment(wrong)
