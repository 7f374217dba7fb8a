"""What Sauti knows of a participant's local time, so that decision notices never wake them
(quiet hours, `bot.loop.pacing`): the time they told us (the `time` command), kept as a fixed
UTC offset, or until then a zone their channel inferred (WhatsApp: the number's country code).

Called by `bot.conversation`. Pure: the instant is the event's, the turn records what
the commit writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.participants import ParticipantRecord
from bot.conversation.turns import Turn
from bot.time_zones import fixed_offset_name
from dialogues.clock import read_clock, utc_offset_minutes
from dialogues.localization import Catalog


@dataclass(frozen=True, slots=True)
class ToldTime:
    time: str  # the time of day as read, "14:30": shown back, so a misreading is noticed
    zone: str  # the fixed offset it implies, "UTC+03:00"


def zone_from_clock(text: str, *, at_ms: int, catalog: Catalog) -> ToldTime | None:
    """The zone of someone who typed `text` as their time of day at the instant `at_ms`, or
    None when `text` is not a time.

    `at_ms` is when they wrote (the event's time), not when the worker got to it: a backlog,
    a webhook Meta delivered late or a replay after a crash must not shift their zone."""
    minutes = read_clock(text, catalog)
    if minutes is None:
        return None
    hours, rest = divmod(minutes, 60)
    offset = utc_offset_minutes(minutes, at_ms)
    return ToldTime(f"{hours:02d}:{rest:02d}", fixed_offset_name(offset))


def take_zone_hint(turn: Turn, hint: str | None) -> None:
    """A zone the channel inferred, kept when the participant (created or loaded by this turn)
    has none yet: never over one they told us, nor over an earlier guess."""
    participant = turn.participant
    if hint and participant is not None and not turn.erase and not participant.time_zone:
        turn.update(participant, time_zone=hint)


def my_data_zone_line(
    participant: ParticipantRecord, language: str, catalog: Catalog, *, command: str
) -> str:
    """The "my data" line about their time zone (data about them: it says roughly where they
    are). `command`: how to write the time command, to change it."""
    if not participant.time_zone:
        return catalog.message("mydata.zone_unknown", language, time=command)
    key = "mydata.zone_told" if participant.time_zone_chosen else "mydata.zone_guessed"
    return catalog.message(key, language, zone=participant.time_zone, time=command)
