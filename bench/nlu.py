"""Benchmark understanding free text: the embedded model (nlu/) against today's keyword lists
(dialogues/system/messages.yaml), on held-out messages written apart from the training data
(bench/nlu_heldout.yml: typos, SMS spellings, paraphrases, every language of the training data).
A held-out message that is also a training example (compared as the model reads them, in any
language) stops the benchmark: it would measure memory, not reading.

    .venv/bin/python bench/nlu.py
    .venv/bin/python bench/nlu.py --rasa http://127.0.0.1:5005   # and a Rasa server

Per language: top-1 accuracy and macro-F1 over every intent, accuracy on the control intents,
recall of the safety intent (at the confidence from which Sauti flags a message) and how many
ordinary answers the model would have acted on (false actions). Then the training time and the
classification latency in-process (p50/p99 over every held-out message, repeated), three ways:
- paced: a millisecond's pause before each message, as a worker classifies one message between
  Redis round trips; the target is judged on this one;
- back to back: one message after another with no pause, which uses up the thread's turn on
  the CPU, so on a busy machine about one call in forty is preempted and waits for a core
  (milliseconds: the p99 of a loaded machine);
- CPU time: the classification's own work.
Each line counts the calls preempted meanwhile (involuntary context switches of the thread) and
the first call of the model is timed apart (any first-call cost shows there).

With `--rasa URL`, the same held-out messages are also read by a Rasa server trained on
`sauti nlu export` (`rasa train nlu`, `rasa run --enable-api`), through Sauti's own adapter
(bot.understanding.readers.RasaReader, with the default timeout and the embedded model as its
fallback): its table, how many messages fell back, and its latency (HTTP on loopback included).

Targets (issue 15): >= 90 % accuracy on control intents in every language, >= 95 % safety
recall, p99 < 5 ms. Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

# Run as a script, this file's folder comes first on the path, and this file is named like
# the package it measures: take the folder off so that `import nlu` finds the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]

from prometheus_client import CollectorRegistry  # noqa: E402

from bot.understanding.readers import EmbeddedReader, RasaReader  # noqa: E402
from dialogues.localization import builtin_catalog  # noqa: E402
from dialogues.normalize import fold  # noqa: E402
from nlu import CONTROL_INTENTS, NONE, SAFETY, decided  # noqa: E402
from nlu.embedded import EmbeddedClassifier, train_embedded  # noqa: E402
from nlu.text import fold as model_fold  # noqa: E402
from nlu.training import builtin_examples  # noqa: E402

HELDOUT = Path(__file__).resolve().parent / "nlu_heldout.yml"
LATENCY_ROUNDS = 20
PACED_ROUNDS = 5  # a millisecond's pause per message: 4,315 calls, a few seconds
PACE_SECONDS = 0.001
RASA_TIMEOUT_SECONDS = 0.5  # SAUTI_RASA_TIMEOUT_SECONDS's default

# Today's keyword lists, named as the intents are: survey words, then chat-command keywords.
_KEYWORD_WORDS = {"skip": "skip", "back": "back", "pause": "stop", "decline": "dont_know",
                  "yes": "yes", "no": "no"}  # fmt: skip
_KEYWORD_COMMANDS = {"start": "greet", "help": "help", "stop": "stop", "mydata": "my_data",
                     "delete": "delete_my_data", "feedback": "feedback", "exit": "quick_exit",
                     "cases": "my_cases"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Case:
    language: str
    text: str
    intent: str


def heldout() -> list[Case]:
    raw = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return [
        Case(language, str(text), str(intent))
        for language, intents in raw.items()
        for intent, texts in intents.items()
        for text in texts
    ]


def copied_from_training(cases: list[Case]) -> list[Case]:
    """The held-out messages the model was trained on, as it reads them (folded). Every
    language counts: one model reads them all, so a word taught in one is known in every one."""
    taught = {model_fold(example.text) for example in builtin_examples()}
    return [case for case in cases if model_fold(case.text) in taught]


def keyword_intent(text: str, language: str) -> str:
    """What today's exact keyword matching makes of a whole message."""
    catalog, folded = builtin_catalog(), fold(text)
    command = catalog.command_of(folded)
    if command in _KEYWORD_COMMANDS:
        return _KEYWORD_COMMANDS[command]
    word = catalog.intent_of(folded, (language,))
    return _KEYWORD_WORDS.get(word or "", NONE)


def model_intent(model: EmbeddedClassifier) -> Callable[[str, str], str]:
    """What Sauti acts on: the model's intent above its threshold, else an ordinary message."""

    def intent(text: str, language: str) -> str:
        return decided(model.classify(text, language)) or NONE

    return intent


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return statistics.fmean(scores)


def report(name: str, cases: list[Case], reader: Callable[[str, str], str]) -> bool:
    """One table; True when every target is met."""
    print(f"\n{name}")
    print("lang   n  accuracy  macro-F1  control acc  safety recall  false actions")
    ok = True
    for language in [*dict.fromkeys(case.language for case in cases), "all"]:
        mine = [case for case in cases if language in (case.language, "all")]
        gold = [case.intent for case in mine]
        got = [reader(case.text, case.language) for case in mine]
        pairs = list(zip(gold, got, strict=True))
        control = [(g, p) for g, p in pairs if g in CONTROL_INTENTS]
        safety = [(g, p) for g, p in pairs if g == SAFETY]
        ordinary = [(g, p) for g, p in pairs if g == NONE]
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        control_accuracy = sum(g == p for g, p in control) / len(control)
        recall = sum(p == SAFETY for _, p in safety) / len(safety)
        false_actions = sum(p != NONE for _, p in ordinary)
        # Safety recall is judged over every language: a handful of messages per language
        # cannot show 95 %.
        ok = ok and control_accuracy >= 0.90 and (language != "all" or recall >= 0.95)
        print(
            f"{language:4} {len(mine):3}  {accuracy:7.1%}  {macro_f1(gold, got):8.3f}"
            f"  {control_accuracy:11.1%}  {recall:13.1%}  {false_actions:4}/{len(ordinary)}"
        )
    return ok


def latency(
    model: EmbeddedClassifier,
    cases: list[Case],
    clock: Callable[[], float],
    rounds: int = LATENCY_ROUNDS,
    pause: float = 0.0,
) -> tuple[str, float]:
    """p50 and p99 in ms by `clock` (wall time includes waiting for a busy machine's CPU,
    thread CPU time is the classification's own work), and how many calls were preempted."""
    timings = []
    preempted = 0
    for _ in range(rounds):
        for case in cases:
            if pause:
                time.sleep(pause)
            switches = _involuntary_switches()
            started = clock()
            model.classify(case.text, case.language)
            timings.append(clock() - started)
            preempted += _involuntary_switches() != switches
    timings.sort()
    p50, p99 = timings[len(timings) // 2] * 1000, timings[int(len(timings) * 0.99)] * 1000
    said = f"p50 {p50:.3f} ms, p99 {p99:.3f} ms ({preempted} of {len(timings)} calls preempted)"
    return said, p99


def _involuntary_switches() -> int:
    return resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw


def rasa_reader(
    url: str, model: EmbeddedClassifier, cases: list[Case]
) -> Callable[[str, str], str]:
    """What Sauti acts on when a Rasa server reads each held-out message (read once, timed)."""
    registry = CollectorRegistry()
    read: dict[tuple[str, str], str] = {}
    timings: list[float] = []

    async def run() -> float:
        reader = RasaReader(
            url,
            timeout_seconds=RASA_TIMEOUT_SECONDS,
            fallback=EmbeddedReader(model),
            registry=registry,
        )
        started = time.perf_counter()
        await reader.read(cases[0].text, cases[0].language)  # the first call: connection, warm-up
        first = time.perf_counter() - started
        for case in cases:
            started = time.perf_counter()
            intent = await reader.read(case.text, case.language)
            timings.append(time.perf_counter() - started)
            read[(case.text, case.language)] = decided(intent) or NONE
        await reader.close()
        return first

    first = asyncio.run(run())
    fell_back = registry.get_sample_value("sauti_nlu_fallbacks_total") or 0
    timings.sort()
    p50, p99 = timings[len(timings) // 2] * 1000, timings[int(len(timings) * 0.99)] * 1000
    print(
        f"\nRasa server at {url}: first call {first * 1000:.1f} ms; then p50 {p50:.1f} ms,"
        f" p99 {p99:.1f} ms; {fell_back:.0f} of {len(cases) + 1} read by the fallback instead"
    )
    return lambda text, language: read[(text, language)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rasa", metavar="URL", help="also read the messages with this server")
    args = parser.parse_args()
    cases = heldout()
    copies = copied_from_training(cases)
    if copies:
        for case in copies:
            print(f"held out and also trained on ({case.language}, {case.intent}): {case.text!r}")
        return 2
    started, cpu = time.perf_counter(), time.process_time()
    model = train_embedded()
    trained, trained_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{len(cases)} held-out messages; trained in {trained:.2f} s ({trained_cpu:.2f} s CPU)")
    report("Keyword lists (today)", cases, keyword_intent)
    ok = report("Embedded model (nlu/)", cases, model_intent(model))
    started = time.perf_counter()
    model.classify(cases[0].text, cases[0].language)
    print(f"\nfirst call of the model: {(time.perf_counter() - started) * 1000:.3f} ms")
    paced, p99 = latency(model, cases, time.perf_counter, PACED_ROUNDS, PACE_SECONDS)
    print(f"classification latency, wall clock, paced:        {paced}")
    crowded, _ = latency(model, cases, time.perf_counter)
    print(f"classification latency, wall clock, back to back: {crowded}")
    cpu_only, _ = latency(model, cases, time.thread_time)
    print(f"classification latency, CPU time, back to back:   {cpu_only}")
    ok = ok and p99 < 5.0  # the paced wall clock: what a worker sees
    if args.rasa:
        report("Rasa server (not judged)", cases, rasa_reader(args.rasa, model, cases))
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
