"""Redis keys of loop closure (documented in docs/keys.md).

Deployment-wide keys (decisions, publications) are only ever touched one at a time. Everything
a publication writes for one participant lives under that participant's shard tag `{sN}`, so
the planner and feeder scripts stay inside one hash slot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.runtime.keys import Keys


@dataclass(frozen=True, slots=True)
class LoopKeys:
    keys: Keys

    # -- deployment-wide -------------------------------------------------------------------
    def decision(self, campaign_id: str, decision_id: str) -> str:
        """Hash: `latest` version, `src:<n>` / `at:<n>` per version, `ref`, `pub`."""
        return f"{self.keys.prefix}:loop:d:{campaign_id}:{decision_id}"

    def decisions(self, campaign_id: str) -> str:
        """Set of a campaign's decision ids."""
        return f"{self.keys.prefix}:loop:ds:{campaign_id}"

    @property
    def refs(self) -> str:
        """Hash: short decision reference (in button payloads) -> "<campaign>/<decision>"."""
        return f"{self.keys.prefix}:loop:refs"

    def publication(self, ref: str, version: int) -> str:
        """Hash: status, options and timing of publishing one version of a decision."""
        return f"{self.keys.prefix}:loop:pub:{ref}:{version}"

    @property
    def active(self) -> str:
        """Set of "<ref>:<version>" publications the publisher role is feeding."""
        return f"{self.keys.prefix}:loop:active"

    def campaign(self, campaign_id: str) -> str:
        """Hash: loop settings of a campaign (`tz`: its time zone)."""
        return f"{self.keys.prefix}:loop:campaign:{campaign_id}"

    # -- per shard -------------------------------------------------------------------------
    def shard_publication(self, shard: int, ref: str, version: int) -> str:
        """Hash: this shard's planning cursor, target count, feed cursor and counters."""
        return f"{self.keys.tag(shard)}:pub:{ref}:{version}"

    def targets(self, shard: int, ref: str, version: int) -> str:
        """List: participant ids to tell, in the order they were planned (the feed cursor is an
        index into it)."""
        return f"{self.keys.tag(shard)}:pub:{ref}:{version}:t"

    def schedule(self, shard: int) -> str:
        """Sorted set: notices held back by quiet hours or the weekly budget, by due time."""
        return f"{self.keys.tag(shard)}:later"

    def schedule_bodies(self, shard: int) -> str:
        """Hash: `m:<key>` (participant, channel, consent field) and `b:<key>` (sealed body)
        of each scheduled notice."""
        return f"{self.keys.tag(shard)}:later:b"

    def move_due_prefixes(self, shard: int) -> list[str]:
        """What MOVE_DUE puts a participant id, campaign id or "<ref>:<version>" after to name
        the participant, what they were told, the campaign's stats, the publication and the
        participant's weekly budget."""
        tag = self.keys.tag(shard)
        return [f"{tag}:p:", f"{tag}:n:", self.stats(shard, ""), f"{tag}:pub:", f"{tag}:nb:"]

    def stats(self, shard: int, campaign_id: str) -> str:
        """Hash: participants told (`told`) and days from answer to notice (`days:<n>`)."""
        return f"{self.keys.tag(shard)}:loop:{campaign_id}"

    def reactions(self, shard: int, ref: str) -> str:
        """Hash: participants who found a decision helpful / still have concerns / asked more."""
        return f"{self.keys.tag(shard)}:rx:{ref}"

    def concerns(self, shard: int, ref: str) -> str:
        """Sorted set: case references of concerns about a decision, by time."""
        return f"{self.keys.tag(shard)}:rx:{ref}:c"

    # -- per participant (their shard's tag) -------------------------------------------------
    def told(self, participant_id: str) -> str:
        """Hash: `d:<ref>` -> "<version>|<told ms>|<answer s>" (plus "|h<earlier version>" while
        held back), `c:<campaign>` -> first told
        ms, `r:<ref>` -> their reaction, `m:<ref>` -> asked for more."""
        return f"{self._tag_of(participant_id)}:n:{participant_id}"

    def budget(self, participant_id: str) -> str:
        """Sorted set: when their recent and scheduled push notices go out (the weekly budget)."""
        return f"{self._tag_of(participant_id)}:nb:{participant_id}"

    def themes(self, participant_id: str, campaign_id: str) -> str:
        """Hash: question id -> comma-separated themes of their free-text answer."""
        return f"{self._tag_of(participant_id)}:th:{campaign_id}:{participant_id}"

    def _tag_of(self, participant_id: str) -> str:
        return self.keys.tag(self.keys.shard_of(participant_id))

    def participant_prefixes(self, shard: int, campaign_id: str) -> dict[str, str]:
        """What the scripts put a participant id after to name their keys (see the methods
        above); scripts build these names themselves so a chunk of ids needs no key list."""
        tag = self.keys.tag(shard)
        return {
            "p": f"{tag}:p:",
            "a": f"{tag}:a:{campaign_id}:",
            "th": f"{tag}:th:{campaign_id}:",
            "n": f"{tag}:n:",
            "nb": f"{tag}:nb:",
            "wc": f"{tag}:wc:",
        }


def participant_keys_to_erase(
    loop: LoopKeys, participant_id: str, campaigns: set[str]
) -> list[str]:
    """A participant's loop records, for erasure: what they were told, their budget, the
    themes tagged on their answers."""
    return [
        loop.told(participant_id),
        loop.budget(participant_id),
        *(loop.themes(participant_id, campaign) for campaign in sorted(campaigns)),
    ]
