"""`sauti nlu train|classify|export`: the intents Sauti reads in typed messages (docs/nlu.md).

`train` trains the embedded model from the shipped data and says how long it took (the
workers train it the same way at start-up); `classify` shows what the model makes of a
message; `export DIR` writes the data as a Rasa project (`data/nlu.yml`, `config.yml`,
`domain.yml`) for `rasa data validate` and `rasa train nlu`. None of them needs Redis."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from nlu import builtin_examples, decided, export_rasa
from nlu.training import builtin_files


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="nlu commands")
    train = sub.add_parser("train", help="train the embedded model and report on its data")
    train.set_defaults(handler=_train)
    classify = sub.add_parser("classify", help="what the embedded model makes of a message")
    classify.add_argument("text")
    classify.add_argument("--lang", default="en", help="the writer's language (default: en)")
    classify.set_defaults(handler=_classify)
    export = sub.add_parser("export", help="write the training data as a Rasa project")
    export.add_argument("directory", type=Path)
    export.set_defaults(handler=_export)


def _train(_: argparse.Namespace) -> int:
    from nlu.embedded import train_embedded

    examples = builtin_examples()
    started = time.perf_counter()
    model = train_embedded(examples)
    seconds = time.perf_counter() - started
    languages = Counter(example.language for example in examples)
    print(f"trained on {len(examples)} examples of {len(model.intents)} intents in {seconds:.2f} s")
    for language, count in sorted(languages.items()):
        print(f"  {language}\t{count} examples")
    return 0


def _classify(args: argparse.Namespace) -> int:
    from nlu.embedded import train_embedded

    intent = train_embedded().classify(args.text, args.lang)
    acted = decided(intent)
    verdict = f"acted on as {acted}" if acted else "not acted on (below the threshold, or none)"
    print(f"{intent.name}\t{intent.confidence:.2f}\t{verdict}")
    return 0


def _export(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    files = builtin_files()
    written = export_rasa(
        (example for file in files for example in file.examples),
        (synonym for file in files for synonym in file.synonyms),
    )
    try:
        for name, content in written.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    except OSError as error:
        print(f"sauti: cannot write to {directory}: {error.strerror}", file=sys.stderr)
        return 1
    for name in written:
        print(directory / name)
    return 0
