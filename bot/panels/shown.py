"""The panel and an invitation preview as an organisation may read them: every count of people
through the one small-cell suppression function (bot.records.suppression), a withheld one
shown as None (`<minimum`). The CLI and the API show these, never the raw counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.panels.census import PanelCounts
from bot.panels.eligibility import EXCLUSIONS
from bot.panels.inviting import InvitationCounts
from bot.records.suppression import Cell, suppress_count, suppress_counts, suppress_distribution


@dataclass(frozen=True)
class ShownPanel:
    members: int | None
    by: dict[str, list[tuple[str, int | None]]]  # attribute -> (value, count), largest first
    groups: list[tuple[str, int | None]]


@dataclass(frozen=True)
class ShownInvitation:
    members: int | None  # of the segment
    invited: int | None
    by_language: list[tuple[str, int | None]]
    by_channel: list[tuple[str, int | None]]
    excluded: list[tuple[str, int | None]]  # reason -> people, in EXCLUSIONS order
    held: int | None  # quiet hours now: a later run


def shown_panel(counts: PanelCounts, minimum: int) -> ShownPanel:
    by = {}
    for attribute, counted in counts.by.items():
        values = counted.copy()
        if attribute == "area" and counts.area_unknown:
            values[""] = counts.area_unknown  # not told: in the line, so it adds up to all
        names = sorted(values)
        cells = suppress_distribution([values[n] for n in names], minimum, total=counts.members)
        by[attribute] = _largest_first(names, [cell.count for cell in cells.cells])
    groups = [(name, cell.count) for name, cell in suppress_counts(counts.groups, minimum)]
    return ShownPanel(suppress_count(counts.members, minimum).count, by, groups)


def shown_invitation(counts: InvitationCounts, minimum: int) -> ShownInvitation:
    """Those invited by language and by channel (each a line adding up to those invited), and
    the segment's members by what becomes of them (a line adding up to the members)."""
    languages = sorted({language for language, _ in counts.invited})
    channels = sorted({channel for _, channel in counts.invited})
    by_language = [
        sum(n for (lang, _), n in counts.invited.items() if lang == x) for x in languages
    ]
    by_channel = [sum(n for (_, ch), n in counts.invited.items() if ch == x) for x in channels]
    languages_shown = suppress_distribution(by_language, minimum)
    channels_shown = suppress_distribution(by_channel, minimum)
    reasons = [reason for reason in EXCLUSIONS if counts.excluded[reason]]
    fates = [counts.invited_total, counts.held, *(counts.excluded[r] for r in reasons)]
    fates_shown = suppress_distribution(fates, minimum, total=counts.members)
    invited = fates_shown.cells[0].count
    return ShownInvitation(
        members=fates_shown.total.count,
        invited=invited,
        by_language=_largest_first(languages, _counts(languages_shown.cells, invited)),
        by_channel=_largest_first(channels, _counts(channels_shown.cells, invited)),
        excluded=[(r, cell.count) for r, cell in zip(reasons, fates_shown.cells[2:], strict=True)],
        held=fates_shown.cells[1].count,
    )


def _counts(cells: tuple[Cell, ...], invited: int | None) -> list[int | None]:
    """A breakdown of those invited: withheld whole when their number is (to protect another
    line's small count, it may be withheld though large: its parts would give it back)."""
    if invited is None:
        return [None for _ in cells]
    return [cell.count for cell in cells]


def _largest_first(names: list[str], counts: list[int | None]) -> list[tuple[str, int | None]]:
    """Shown counts largest first, withheld ones after by name: their order says nothing."""
    pairs = list(zip(names, counts, strict=True))
    return sorted(pairs, key=lambda p: (p[1] is None, -(p[1] or 0), p[0]))
