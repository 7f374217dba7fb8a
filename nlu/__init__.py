"""Understanding free text: which control intent (skip, stop, delete my data...) or safety
concern a message expresses, in any supported language.

One small interface (`Classifier`: text and language in, `Intent` out); the training data in
Rasa's NLU YAML format (`nlu/data/`); an embedded default model (`EmbeddedClassifier`, trained
in about a second at start-up, nothing downloaded); and `export_rasa` for teams that run a Rasa
server instead (the HTTP adapter lives in the shell, `bot/understanding/`). Pure: no I/O
beyond reading the packaged data, no imports from `bot/` or `dialogues/`.

The model is `nlu.embedded` (imported on its own: scikit-learn takes a while to load, and
most of Sauti's commands never read a message); `nlu.themes`, imported on its own for the same
reason, suggests themes for free-text answers from those a team has tagged. `nlu.intent` holds
the interface, `nlu.training` reads the data, `nlu.text` folds what people type.
"""

from nlu.intent import (
    CONTROL_INTENTS,
    DEFAULT_THRESHOLD,
    NONE,
    SAFETY,
    Classifier,
    Intent,
    decided,
)
from nlu.rasa_export import export_rasa
from nlu.training import Example, builtin_examples, examples_from_yaml

__all__ = [
    "CONTROL_INTENTS",
    "DEFAULT_THRESHOLD",
    "NONE",
    "SAFETY",
    "Classifier",
    "Example",
    "Intent",
    "builtin_examples",
    "decided",
    "examples_from_yaml",
    "export_rasa",
]
