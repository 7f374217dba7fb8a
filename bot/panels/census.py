"""Counting an organisation's panel: how many members, by language, channel, area and group.
Raw counts, for `shown` to pass through small-cell suppression before anyone reads them.

A member is someone of the panel's people (bot.panels.members) who may be contacted again
now: a current yes to the contact consent, not stopped, not erased.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.conversation.consents import may_contact_again
from bot.panels.members import PanelReader, Scope
from bot.panels.segment import Segment


@dataclass
class PanelCounts:
    members: int = 0
    by: dict[str, Counter[str]] = field(
        default_factory=lambda: {name: Counter() for name in ("language", "channel", "area")}
    )
    groups: Counter[str] = field(default_factory=Counter)  # one person may be in several
    area_unknown: int = 0


async def count_panel(
    reader: PanelReader, shards: int, scope: Scope, segment: Segment, batch: int
) -> PanelCounts:
    counts = PanelCounts()
    for shard in range(shards):
        pids = await reader.shard_members(shard, scope)
        for start in range(0, len(pids), batch):
            for member in await reader.load(pids[start : start + batch], scope):
                record, profile = member.record, member.profile
                if record is None or profile is None or record.opted_out:
                    continue
                if not may_contact_again(record.consents) or not segment.matches(profile):
                    continue
                counts.members += 1
                counts.by["language"][profile.language] += 1
                counts.by["channel"][profile.channel] += 1
                if profile.area:
                    counts.by["area"][profile.area] += 1
                else:
                    counts.area_unknown += 1
                counts.groups.update(profile.groups)
    return counts
