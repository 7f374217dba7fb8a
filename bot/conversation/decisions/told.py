"""What a participant was told of a decision: the `d:<ref>` field of their told hash.

"<version>|<told ms>|<answer s>", written when a notice goes (the feeder, and the publisher
for a notice held back), with "|h<earlier version>" appended while the notice of that version
is held back for quiet hours or the weekly budget: until it goes, they were told the earlier
one (0: none). The Lua scripts `feed.lua` and `move_due.lua` (bot/storage/lua) write and read
the same format.
"""

from __future__ import annotations


def told_version(record: bytes | None) -> int:
    """The version of a decision a participant was really told (0: none yet)."""
    if not record:
        return 0
    _, held, earlier = record.rpartition(b"|h")
    if held and earlier.isdigit():
        return int(earlier)
    return int(record.split(b"|", 1)[0])
