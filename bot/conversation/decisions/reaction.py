"""What a participant answered back to a decision notice, as one turn records it.

Kept free of runtime imports: `bot.conversation.turns` holds one of these on a `Turn`.
"""

from __future__ import annotations

from dataclasses import dataclass

REACT = "react"  # the Command name of the buttons under a notice
HELPFUL, CONCERNS, MORE = "helpful", "concerns", "more"
CONCERN = "concern"  # the concern itself, written after pressing "still concerned"
REACTIONS = (HELPFUL, CONCERNS, MORE)


@dataclass(frozen=True, slots=True)
class Reaction:
    ref: str  # the decision's short reference
    kind: str  # helpful | concerns | more | concern
    reference: str = ""  # a written concern's case reference ("C-…")
    text: str = ""  # a written concern, sealed with the participant's key when stored
    campaign_id: str = ""
    due_ms: int = 0  # a written concern: the answer promised by then (kept with the case)
    org: str = ""  # a written concern: its campaign's organisation, whose desk lists it
