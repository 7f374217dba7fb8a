"""What a worker loaded for one batch of inbound events, kept up to date as it works out each
event in turn: later events of a participant in the batch see the effects of earlier ones,
though nothing of the batch is committed until all of it is worked out."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation.participants import ParticipantRecord
from bot.runtime.commit_writes import AnswerWrites
from dialogues import Session


@dataclass
class BatchState:
    codes: tuple[str, ...] = ()  # open campaigns' join codes, in menu order
    participants: dict[str, ParticipantRecord | None] = field(default_factory=dict)
    sessions: dict[tuple[str, str], Session | None] = field(default_factory=dict)
    broken: dict[str, Exception] = field(default_factory=dict)  # participant -> load error
    histories: set[str] = field(default_factory=set)  # participants who asked for their data
    # Each participant's event planned last in this batch: the next one commits only after it.
    last_planned: dict[str, str] = field(default_factory=dict)
    answers: dict[tuple[str, str], dict[bytes, bytes]] = field(default_factory=dict)
    # Answers planned earlier in the batch: not in Redis until the batch commits, but "my data"
    # later in the same batch must show them. (Should the earlier event's commit fail, "my data"
    # showed an answer stored only once that event is retried; failing events are retried.)
    planned: dict[tuple[str, str], list[AnswerWrites]] = field(default_factory=dict)

    def answered(self, pid: str, writes: AnswerWrites) -> None:
        if not writes.sets and not writes.deletes:
            return
        key = (pid, writes.campaign_id)
        self.planned.setdefault(key, []).append(writes)
        if key in self.answers:
            writes.apply(self.answers[key])

    def as_committed(
        self, pid: str, campaign_id: str, stored: dict[bytes, bytes]
    ) -> dict[bytes, bytes]:
        """Answers read from Redis, with what this batch planned for them applied."""
        for writes in self.planned.get((pid, campaign_id), []):
            writes.apply(stored)
        return stored
