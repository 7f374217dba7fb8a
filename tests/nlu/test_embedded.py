"""The embedded model reads control words and safety concerns in every language, and leaves
ordinary answers alone."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import SAFETY, Intent, builtin_examples, decided
from nlu.embedded import EmbeddedClassifier, fit, train_embedded
from nlu.text import fold


@pytest.fixture(scope="module")
def model() -> EmbeddedClassifier:
    return train_embedded()


@pytest.mark.parametrize(
    ("text", "language", "intent"),
    [
        ("stop sending me this", "en", "stop"),
        ("je veux supprimer mes données", "fr", "delete_my_data"),
        ("acha", "sw", "stop"),
        ("Je Veux SUPPRIMER mes donnees", "fr", "delete_my_data"),
        ("أريد حذف بياناتي", "ar", "delete_my_data"),
        ("sijui", "sw", "dont_know"),
        ("pls delete al my data", "en", "delete_my_data"),
        ("what happened to my complaint?", "en", "my_cases"),
        ("ban sani ba", "ha", "dont_know"),
        ("tirtir xogtayda", "so", "delete_my_data"),
        ("መረጃዬን ሰርዙ", "am", "delete_my_data"),
        ("আমার সব তথ্য মুছে ফেলুন", "bn", "delete_my_data"),
        ("ami jani na", "bn", "dont_know"),
        ("မက်ဆေ့ချ်တွေ ထပ်မပို့ပါနဲ့", "my", "stop"),
        ("زما ټول معلومات ړنګ کړئ", "ps", "delete_my_data"),
        ("نه پوهيږم", "ps", "dont_know"),  # typed with an Arabic yeh, no Pashto keyboard
    ],
)
def test_a_control_word_is_understood_in_its_language(
    model: EmbeddedClassifier, text: str, language: str, intent: str
) -> None:
    assert decided(model.classify(text, language)) == intent


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my husband beats me", "en"),
        ("someone is watching my phone", "en"),
        ("quelqu'un surveille mon téléphone", "fr"),
        ("wanataka kuniua", "sw"),
        ("زوجي يضربني", "ar"),
        ("আমার স্বামী প্রতিদিন আমাকে মারে", "bn"),
        ("တစ်ယောက်က ကျွန်မဖုန်းကို စောင့်ကြည့်နေတယ်", "my"),
        ("زه غواړم ځان ووژنم", "ps"),
    ],
)
def test_a_person_at_risk_is_flagged(model: EmbeddedClassifier, text: str, language: str) -> None:
    assert decided(model.classify(text, language)) == SAFETY


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("the water point is far from the school", "en"),
        ("42", "en"),
        ("umeme", "sw"),
        ("বাজার অনেক দূরে", "bn"),
        ("၄၂", "my"),
        ("زموږ کلي ته سړک نشته", "ps"),
    ],
)
def test_an_ordinary_answer_is_not_acted_on(
    model: EmbeddedClassifier, text: str, language: str
) -> None:
    assert decided(model.classify(text, language)) is None


@pytest.mark.parametrize("text", ["🙂", "👎", "ꯀꯤ", "৪২", "၄၂", "٤٢"])
def test_a_message_of_nothing_the_model_was_taught_is_not_read_as_yes(
    model: EmbeddedClassifier, text: str
) -> None:
    # Read from the space that pads every word, an emoji was "yes" with 86 % confidence.
    assert decided(model.classify(text, "my")) is None


def test_an_unsure_conclusion_is_not_acted_on() -> None:
    assert decided(Intent("stop", 0.39)) is None
    assert decided(Intent("stop", 0.41)) == "stop"
    assert decided(Intent("stop", 0.9), threshold=0.95) is None


def test_safety_counts_from_a_lower_confidence_than_a_control_word() -> None:
    assert decided(Intent(SAFETY, 0.32)) == SAFETY
    assert decided(Intent(SAFETY, 0.32), threshold=0.9) == SAFETY
    assert decided(Intent(SAFETY, 0.2)) is None


def test_empty_or_unknown_text_gets_an_answer_not_an_error(model: EmbeddedClassifier) -> None:
    for text in ("", "   ", "🙂", "\u200f", "x" * 5000):
        intent = model.classify(text, "en")
        assert 0.0 <= intent.confidence <= 1.0


def test_confidences_are_scikit_learns_own_probabilities(model: EmbeddedClassifier) -> None:
    vectorizer, classifier = fit(builtin_examples())
    texts = ["stop sending me this", "ndiyo", "لا أعرف", "the tower is far", "ሰላም"]
    expected = classifier.predict_proba(vectorizer.transform([fold(t) for t in texts]))
    for text, row in zip(texts, expected, strict=True):
        intent = model.classify(text, "en")
        assert intent.name == classifier.classes_[int(np.argmax(row))]
        assert intent.confidence == pytest.approx(float(row.max()), abs=1e-9)
