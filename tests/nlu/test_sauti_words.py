"""The words Sauti itself tells people to type ('Send "skip"', the button "Prefer not to
answer", the command menu) are read by the model as what they ask for, in every language both
the system texts and the training data have: typed with a typo or a word more, they miss the
exact keyword and reach the model."""

from __future__ import annotations

import pytest

from dialogues.localization import Intent as Word
from dialogues.localization import builtin_catalog
from nlu import decided
from nlu.embedded import EmbeddedClassifier, train_embedded
from nlu.training import builtin_examples

# The survey's words and the chat commands quoted to people, and the intent each stands for.
WORDS: dict[Word, str] = {
    "skip": "skip",
    "back": "back",
    "decline": "dont_know",  # skips the question, as "prefer not to answer" does
    "yes": "yes",
    "no": "no",
}
COMMANDS = {
    "start": "greet",
    "help": "help",
    "stop": "stop",
    "mydata": "my_data",
    "delete": "delete_my_data",
    "feedback": "feedback",
    "exit": "quick_exit",
    "cases": "my_cases",
}


def _languages() -> list[str]:
    taught = {example.language for example in builtin_examples()}
    return sorted(taught & set(builtin_catalog().language_names))


@pytest.fixture(scope="module")
def model() -> EmbeddedClassifier:
    return train_embedded()


@pytest.mark.parametrize("language", _languages())
def test_the_words_sauti_quotes_are_read_as_what_they_ask(
    model: EmbeddedClassifier, language: str
) -> None:
    catalog = builtin_catalog()
    quoted = [(catalog.word(word, language), intent) for word, intent in WORDS.items()]
    quoted += [(catalog.command_word(c, language), intent) for c, intent in COMMANDS.items()]
    misread = [
        (text, intent, decided(model.classify(text, language)))
        for text, intent in quoted
        if decided(model.classify(text, language)) != intent
    ]
    assert misread == []
