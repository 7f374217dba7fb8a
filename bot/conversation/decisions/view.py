"""The decisions one inbound event needs (loaded by the worker, read by the conversation):
the decision a reaction is about, and the decisions linked to a participant's answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.conversation.decisions.decision import Decision
from dialogues.model import Survey


@dataclass(frozen=True, slots=True)
class DecisionInContext:
    decision: Decision
    survey: Survey  # its campaign's, for the organisation's name and the default language
    org: str = ""  # its campaign's organisation (whose desk lists a concern about it)


@dataclass(frozen=True)
class LoopView:
    by_ref: Mapping[str, DecisionInContext] = field(default_factory=dict)
    # For "my data": every published decision linked to their answers, by campaign order.
    linked: tuple[DecisionInContext, ...] = ()
