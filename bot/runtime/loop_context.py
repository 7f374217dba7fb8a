"""The port through which the worker asks the loop what a turn needs to know of decisions.

The loop (bot.loop.context.LoopContextLoader) implements it and sits above the runtime, so
the worker receives it from the composition root instead of importing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.conversation.decisions.view import LoopView
from bot.conversation.inbound import InboundEvent
from bot.conversation.participants import ParticipantRecord


class LoopContext(Protocol):
    async def view_for(
        self,
        event: InboundEvent,
        participant: ParticipantRecord | None,
        answers: Mapping[tuple[str, str], Mapping[bytes, bytes]],
    ) -> LoopView | None:
        """The decisions this event's turn needs, or None (and no Redis call) when it needs
        none. `answers`: the stored answers the worker loaded, for "my data"."""
        ...
