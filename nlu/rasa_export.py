"""`sauti nlu export`: the training data as a Rasa project's `data/nlu.yml`, `config.yml` and
`domain.yml`, so a team can `rasa data validate`, `rasa train nlu` and point Sauti at the server
(the intents keep their names). Checked once against a real Rasa 3.6 (docs/nlu.md): its
`data validate` refuses a project without a domain, so the export writes one naming the
intents (no responses, stories or actions: Sauti's conversation is its own)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import yaml

from nlu.training import Example, Synonym

RASA_FORMAT_VERSION = "3.1"

# The same model family as the embedded one (character n-grams, a linear classifier), so the
# server's answers are comparable; DIET is the choice once a team has data of its own.
CONFIG_YML = """\
# Sauti's intents: train with `rasa train nlu`, serve with `rasa run --enable-api`.
recipe: default.v1
assistant_id: sauti
language: xx  # several languages in one model: character n-grams need no tokenizer per language
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: LogisticRegressionClassifier
    max_iter: 2000
policies: []
"""


def export_rasa(examples: Iterable[Example], synonyms: Iterable[Synonym]) -> dict[str, str]:
    """File name -> content: `data/nlu.yml` (one entry per intent, every language's examples
    together, as one model reads them all), `config.yml` and `domain.yml` (the intents)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for example in sorted(examples, key=lambda example: (example.intent, example.language)):
        if example.text not in grouped[example.intent]:
            grouped[example.intent].append(example.text)
    entries: list[dict[str, str]] = [
        {"intent": intent, "examples": _block(texts)} for intent, texts in grouped.items()
    ]
    entries += [
        {"synonym": synonym.value, "examples": _block(synonym.examples)} for synonym in synonyms
    ]
    document = {"version": RASA_FORMAT_VERSION, "nlu": entries}
    nlu_yml = yaml.dump(
        document, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=1000
    )
    domain = {"version": RASA_FORMAT_VERSION, "intents": list(grouped)}
    domain_yml = yaml.dump(domain, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False)
    return {"data/nlu.yml": nlu_yml, "config.yml": CONFIG_YML, "domain.yml": domain_yml}


def _block(texts: Iterable[str]) -> str:
    return "".join(f"- {text}\n" for text in texts)


class _BlockDumper(yaml.SafeDumper):
    """Writes many-line strings as `|` blocks, the way Rasa's own files look."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_text)
