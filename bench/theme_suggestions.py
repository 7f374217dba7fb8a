"""Benchmark theme suggestions (nlu.themes): how long learning takes, for each request, from a
campaign's tagged answers, and how long one answer's suggestions take.

    .venv/bin/python bench/theme_suggestions.py

Stand-in for a campaign's tagged answers: the shipped NLU training examples (short messages in
eleven languages), each "tagged" with its intent as a theme, 200 / 500 / all of them; the
answers read are the held-out messages (bench/nlu_heldout.yml). Figures go in
docs/benchmarks.md.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import yaml

# Run as a script, this file's folder comes first on the path: take it off (bench/nlu.py says
# why).
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]

from nlu.themes import TaggedText, train_theme_suggester  # noqa: E402
from nlu.training import builtin_examples  # noqa: E402

HELDOUT = Path(__file__).resolve().parent / "nlu_heldout.yml"


def main() -> int:
    examples = list(builtin_examples())
    random.Random(0).shuffle(examples)
    raw = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    answers = [
        str(text) for intents in raw.values() for texts in intents.values() for text in texts
    ]
    print("tagged answers  themes ready  learning: wall / CPU  suggestions per answer p50 / p99")
    for size in (200, 500, len(examples)):
        tagged = [TaggedText(e.text, (e.intent.replace("_", "-"),)) for e in examples[:size]]
        started, cpu = time.perf_counter(), time.process_time()
        suggester = train_theme_suggester(tagged)
        learnt, learnt_cpu = time.perf_counter() - started, time.process_time() - cpu
        timings = []
        for text in answers:
            started = time.perf_counter()
            suggester.suggest(text)
            timings.append(time.perf_counter() - started)
        timings.sort()
        p50, p99 = timings[len(timings) // 2] * 1000, timings[int(len(timings) * 0.99)] * 1000
        ready = len(suggester.readiness.ready)
        print(
            f"{size:14}  {ready:12}  {learnt * 1000:7.0f} / {learnt_cpu * 1000:.0f} ms"
            f"  {p50:16.2f} / {p99:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
