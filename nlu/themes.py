"""Theme suggestions for free-text answers, learnt from the themes a team has already tagged.

One binary model per theme (character n-gram TF-IDF, as the intent model, and a logistic
regression): an answer may carry several themes, and a theme's model learns from the tagged
answers that have it against the tagged answers that do not. Untagged answers teach nothing:
no one has said yet what they are about.

A theme is suggested only once the team has tagged at least `MIN_TAGGED` answers with it and
at least as many without it; below that a model would echo a handful of examples. Training
takes the texts in memory and keeps only n-gram weights: no answer's words, and nothing on
disk (the caller trains again when it needs suggestions). Suggestions are for a person to
accept or dismiss; nothing here applies one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from nlu.text import fold

MIN_TAGGED = 5  # answers tagged with a theme (and as many without it) before it is suggested
SUGGEST_FROM = 0.5  # a theme's probability from which it is suggested
MAX_SUGGESTIONS = 3  # per answer: more would be a list to read, not a suggestion


@dataclass(frozen=True, slots=True)
class TaggedText:
    """A free-text answer's words and the themes the team tagged it with (maybe none)."""

    text: str
    themes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThemeSuggestion:
    theme: str
    confidence: float  # from SUGGEST_FROM to 1


@dataclass(frozen=True, slots=True)
class Readiness:
    """Which themes can be suggested, and how many tagged answers the others have."""

    ready: tuple[str, ...]
    too_few: dict[str, int]  # theme -> answers tagged with it, below the minimum
    minimum: int


class ThemeSuggester:
    """Trained models, one per ready theme; `suggest` reads one answer."""

    def __init__(
        self,
        readiness: Readiness,
        vectorizer: TfidfVectorizer | None,
        models: dict[str, LogisticRegression],
        learnt_from: int = 0,
    ) -> None:
        self.readiness = readiness
        self.learnt_from = learnt_from  # tagged answers it learnt from
        self._vectorizer = vectorizer
        self._themes = tuple(models)
        # Every theme's weights side by side: one product scores them all (asking each model
        # for its probability costs a millisecond of argument checks per theme).
        self._weights: NDArray[np.float64] | None = (
            np.column_stack([model.coef_[0] for model in models.values()]) if models else None
        )
        self._intercepts = np.array([model.intercept_[0] for model in models.values()])

    def suggest(
        self, text: str, already: Iterable[str] = (), dismissed: Iterable[str] = ()
    ) -> tuple[ThemeSuggestion, ...]:
        """The themes `text` is likely about, most likely first, leaving out those it has
        (`already`) and those a person said it is not about (`dismissed`)."""
        if self._vectorizer is None or self._weights is None:
            return ()
        left_out = {*already, *dismissed}
        features = self._vectorizer.transform([fold(text)])
        scores = np.asarray(features @ self._weights).ravel() + self._intercepts
        probabilities = 1.0 / (1.0 + np.exp(-scores))  # the logistic regression's own
        found = [
            ThemeSuggestion(theme, round(float(probability), 3))
            for theme, probability in zip(self._themes, probabilities, strict=True)
            if probability >= SUGGEST_FROM and theme not in left_out
        ]
        found.sort(key=lambda suggestion: (-suggestion.confidence, suggestion.theme))
        return tuple(found[:MAX_SUGGESTIONS])


def readiness(tagged: Sequence[TaggedText], minimum: int = MIN_TAGGED) -> Readiness:
    """Which themes have enough tagged answers with them, and without them, to learn from."""
    tagged_only = [answer for answer in tagged if answer.themes]
    counts = Counter(theme for answer in tagged_only for theme in set(answer.themes))
    ready = tuple(
        sorted(
            theme
            for theme, count in counts.items()
            if count >= minimum and len(tagged_only) - count >= minimum
        )
    )
    too_few = {theme: count for theme, count in sorted(counts.items()) if theme not in ready}
    return Readiness(ready, too_few, minimum)


def train_theme_suggester(
    tagged: Iterable[TaggedText], minimum: int = MIN_TAGGED
) -> ThemeSuggester:
    """Models for every theme with enough tagged answers (see `readiness`)."""
    examples = [answer for answer in tagged if answer.themes and answer.text.strip()]
    ready = readiness(examples, minimum)
    if not ready.ready:
        return ThemeSuggester(ready, None, {}, len(examples))
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    features = vectorizer.fit_transform([fold(answer.text) for answer in examples])
    models = {}
    # One thread: the web server shares the machine.
    with threadpool_limits(1):
        for theme in ready.ready:
            labels = np.array([theme in answer.themes for answer in examples])
            # Balanced: a theme is usually on a minority of the answers, and without the
            # weighting its probability would rarely reach SUGGEST_FROM.
            # liblinear: the fastest solver for one small binary problem (a tenth of lbfgs's
            # time here), and learning happens on each request.
            model = LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear")
            models[theme] = model.fit(features, labels)
    return ThemeSuggester(ready, vectorizer, models, len(examples))
