"""The embedded model: character n-grams (TF-IDF, within word boundaries, 1 to 4 characters)
and a multinomial logistic regression. Character n-grams read typos, inflections and scripts
without a tokenizer per language, which is what phone-typed text in many languages needs; the
model trains in about a second from `nlu/data/`, so nothing is downloaded or stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from nlu.intent import Intent
from nlu.text import fold
from nlu.training import Example, builtin_examples

# Character n-grams within word boundaries, 1 to 4 characters (scikit-learn's `char_wb`).
_CHAR_NGRAMS = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4)).build_analyzer()


def meaningful_ngrams(text: str) -> list[str]:
    """The message's character n-grams without the lone space that pads every word: it is in
    every message, so a message with nothing else the model knows (an emoji, digits or a
    script it was never taught) was read from that space alone, as "yes", most sure of it."""
    return [gram for gram in _CHAR_NGRAMS(text) if not gram.isspace()]


class EmbeddedClassifier:
    """A trained model. `classify` computes the one message's TF-IDF vector and scores itself,
    the same arithmetic as scikit-learn's `transform` and `predict_proba`: going through them
    for a single message costs ten times more in matrix building and argument checks."""

    def __init__(self, vectorizer: TfidfVectorizer, model: LogisticRegression) -> None:
        self._ngrams = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = dict(vectorizer.vocabulary_)
        self._idf: NDArray[np.float64] = vectorizer.idf_
        self._weights: NDArray[np.float64] = np.ascontiguousarray(model.coef_.T)
        self._intercepts: NDArray[np.float64] = model.intercept_
        self._names: tuple[str, ...] = tuple(str(name) for name in model.classes_)

    def classify(self, text: str, language: str) -> Intent:
        """The most likely intent of `text`. One model reads every language (the n-grams tell
        them apart), so `language` is not needed here."""
        del language
        known = self._vocabulary
        counts = Counter(known[gram] for gram in self._ngrams(fold(text)) if gram in known)
        scores = self._intercepts
        if counts:
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            found = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(found)) * self._idf[columns]  # sublinear tf times idf
            weights /= np.linalg.norm(weights)
            scores = weights @ self._weights[columns] + self._intercepts
        exponents = np.exp(scores - scores.max())
        best = int(exponents.argmax())
        return Intent(self._names[best], float(exponents[best] / exponents.sum()))

    @property
    def intents(self) -> tuple[str, ...]:
        return self._names


def train_embedded(examples: Iterable[Example] | None = None) -> EmbeddedClassifier:
    """A model trained on `examples` (default: the shipped training data)."""
    return EmbeddedClassifier(*fit(builtin_examples() if examples is None else examples))


def fit(examples: Iterable[Example]) -> tuple[TfidfVectorizer, LogisticRegression]:
    """The fitted n-gram vectorizer and classifier (scikit-learn's own objects)."""
    chosen = list(examples)
    vectorizer = TfidfVectorizer(analyzer=meaningful_ngrams, sublinear_tf=True)
    features = vectorizer.fit_transform([fold(example.text) for example in chosen])
    # C well above 1: short messages give few n-grams, and confidence must not be spread thin
    # over fifteen intents. SAGA with a loose tolerance trains in a
    # quarter of the time of the default solver for the same held-out accuracy (seeded: the
    # same data gives the same model); one thread,
    # because start-up shares the machine with the workers.
    model = LogisticRegression(C=100.0, solver="saga", tol=1e-3, max_iter=1000, random_state=0)
    with threadpool_limits(1):
        model.fit(features, [example.intent for example in chosen])
    return vectorizer, model
