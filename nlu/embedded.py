"""The embedded model: character n-grams (TF-IDF, within word boundaries, 1 to 4 characters)
and a multinomial logistic regression. Character n-grams read typos, inflections and scripts
without a tokenizer per language, which is what phone-typed text in many languages needs; the
model trains in about a second from `nlu/data/`, so nothing is downloaded or stored.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from nlu.intent import Intent
from nlu.text import fold
from nlu.training import Example, builtin_examples


class EmbeddedClassifier:
    """A trained model. `classify` multiplies one sparse vector by the weights itself: going
    through scikit-learn's `predict_proba` costs more in argument checks than in arithmetic."""

    def __init__(self, vectorizer: TfidfVectorizer, model: LogisticRegression) -> None:
        self._vectorizer = vectorizer
        self._weights: NDArray[np.float64] = np.ascontiguousarray(model.coef_.T)
        self._intercepts: NDArray[np.float64] = model.intercept_
        self._names: tuple[str, ...] = tuple(str(name) for name in model.classes_)

    def classify(self, text: str, language: str) -> Intent:
        """The most likely intent of `text`. One model reads every language (the n-grams tell
        them apart), so `language` is not needed here."""
        del language
        scores = (self._vectorizer.transform([fold(text)]) @ self._weights)[0] + self._intercepts
        exponents = np.exp(scores - scores.max())
        best = int(exponents.argmax())
        return Intent(self._names[best], float(exponents[best] / exponents.sum()))

    @property
    def intents(self) -> tuple[str, ...]:
        return self._names


def train_embedded(examples: Iterable[Example] | None = None) -> EmbeddedClassifier:
    """A model trained on `examples` (default: the shipped training data)."""
    chosen = list(builtin_examples() if examples is None else examples)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)
    features = vectorizer.fit_transform([fold(example.text) for example in chosen])
    # C well above 1: short messages give few n-grams. SAGA with a loose tolerance trains in a
    # quarter of the time of the default solver for the same held-out accuracy; one thread,
    # because start-up shares the machine with the workers.
    model = LogisticRegression(C=20.0, solver="saga", tol=1e-3, max_iter=1000)
    with threadpool_limits(1):
        model.fit(features, [example.intent for example in chosen])
    return EmbeddedClassifier(vectorizer, model)
