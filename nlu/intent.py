"""What understanding a message concludes, and the one interface every model implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The control intents: what people say instead of answering. Each maps to a command or a
# survey action in the shell; `NONE` is an ordinary answer or chat, `SAFETY` a person at risk.
CONTROL_INTENTS: tuple[str, ...] = (
    "skip",
    "back",
    "yes",
    "no",
    "dont_know",
    "help",
    "stop",
    "delete_my_data",
    "my_data",
    "feedback",
    "quick_exit",
    "my_cases",
    "greet",
)
SAFETY = "safety"  # a threat, violence, self-harm, someone watching their phone
NONE = "none"  # not a control word: an answer, a comment, a question about something else
INTENT_NAMES: tuple[str, ...] = (*CONTROL_INTENTS, SAFETY, NONE)

# Below this the caller asks the person to choose instead of guessing. Measured on the
# held-out set (docs/benchmarks.md): wrong conclusions above it are rare, right ones below rare.
DEFAULT_THRESHOLD = 0.4
# A missed safety message costs far more than a human reading one false alarm: it is flagged
# from a lower confidence than a control word is acted on.
SAFETY_THRESHOLD = 0.3


@dataclass(frozen=True, slots=True)
class Intent:
    """One conclusion: the intent's name (one of `INTENT_NAMES`) and how sure the model is,
    from 0 to 1."""

    name: str
    confidence: float


class Classifier(Protocol):
    """Anything that reads a message: the embedded model, or a Rasa server behind an adapter."""

    def classify(self, text: str, language: str) -> Intent:
        """The most likely intent of `text`, written by someone reading `language`."""
        ...


def decided(intent: Intent, threshold: float = DEFAULT_THRESHOLD) -> str | None:
    """The intent to act on, or None when the model is not sure enough (the caller then asks
    the person to choose, or treats the message as an ordinary answer). A safety intent counts
    from `SAFETY_THRESHOLD`, whatever `threshold` is for control words."""
    if intent.name == SAFETY:
        return SAFETY if intent.confidence >= min(threshold, SAFETY_THRESHOLD) else None
    if intent.name == NONE or intent.confidence < threshold:
        return None
    return intent.name
