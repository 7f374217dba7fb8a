"""Hypothesis strategies: valid survey files (spec_version 1) of random shape, and the messy
things participants send to them.

Surveys are built as plain Python dicts and dumped with `yaml.safe_dump`, so every generated
file is a survey an author could have written. Inputs mix button payloads (right, stale or no
question id; real or bogus option ids) with typed text in several scripts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import yaml
from hypothesis import strategies as st

from dialogues.expressions import KEYWORDS
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    Decline,
    GoBack,
    Inbound,
    Pause,
    Resume,
    Skip,
    SubmitSelection,
    TextReply,
    ToggleOption,
)
from dialogues.model import Survey

LANGUAGES = ("en", "fr", "sw", "ar")
ANSWERABLE_KINDS = ("single_choice", "multiple_choice", "yes_no", "scale", "number", "text")
KINDS = (*ANSWERABLE_KINDS, "info")

#: Put into typed free text; it must never reach a stored session (texts are not kept there).
#: Its letters cannot occur in ids, language codes or revisions, so finding it means a leak.
MARKER = "«ŝecret-Ж»"

# Labels that look like real survey options, with accents, Arabic hamza and ta marbuta.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "en": ("Calls", "Mobile money", "Mobile data", "Electricity", "Water", "Other", "Never"),
    "fr": ("Appels", "Électricité", "Eau", "Autre chose", "Réseau", "Sécurité", "Jamais"),
    "sw": ("Kupiga simu", "Pesa kwa simu", "Umeme", "Maji", "Kitu kingine", "Kamwe", "Soko"),
    "ar": ("المكالمات", "الكهرباء", "الماء", "أخرى", "إنترنت", "الأمان", "مدرسة"),
}

CONTROL_WORDS = (
    "skip",
    "Skip!",
    " next ",
    "pass",
    "passer",
    "Suivant",
    "ruka",
    "Ruka",
    "تخطي",
    "التالي",
    "back",
    "Back",
    "go back",
    "retour",
    "Précédent",
    "precedent",
    "rudi",
    "nyuma",
    "رجوع",
    "ارجع",
    "pause",
    "PAUSE",
    "stop",
    "later",
    "plus tard",
    "sitisha",
    "baadaye",
    "إيقاف",
    "لاحقا",
    "resume",
    "continue",
    "reprendre",
    "endelea",
    "استئناف",
    "prefer not to answer",
    "ne pas répondre",
    "sitaki kujibu",
    "أفضل عدم الإجابة",
)
YES_NO_WORDS = ("yes", "Y", "ok", "oui", "ndiyo", "sawa", "نعم", "no", "N", "non", "hapana", "لا")
# Digits people type that are not ASCII: Arabic-Indic, Eastern Arabic-Indic, Devanagari, full
# width, plus "digits" that are not decimal digits at all (superscripts, circled, Ethiopic).
_SCRIPTS = {
    "ascii": "0123456789",
    "arabic": "٠١٢٣٤٥٦٧٨٩",
    "persian": "۰۱۲۳۴۵۶۷۸۹",
    "devanagari": "०१२३४५६७८९",
    "fullwidth": "０１２３４５６７８９",
}
ODD_DIGITS = ("²", "①", "፩", "፪", "𐩀", "⑴", "¹²", "፲", "٣٫٥", "１２")
_SEPARATORS = (",", ", ", " ", "،", "، ", ";", "/", " and ", " et ", " na ", " و ", "\n", "+")
BAD_LANGUAGES = ("xx", "", "EN", "fr-CD", "de", "sw ", "zh-Hans", "ar\u200f")

_TEXT_CHARACTERS = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))


def in_script(text: str, script: str) -> str:
    """`text` with its ASCII digits written in another script."""
    return text.translate(str.maketrans("0123456789", _SCRIPTS[script]))


# -- surveys ---------------------------------------------------------------------------------


_FREE_LABEL = st.text(_TEXT_CHARACTERS, min_size=1, max_size=30).filter(lambda s: bool(s.strip()))
_LABELS = {lang: st.sampled_from(words) | _FREE_LABEL for lang, words in VOCABULARY.items()}
_QUOTES = st.sampled_from((("'", "'"), ('"', '"'), ("‘", "’"), ("“", "”")))


@st.composite
def localized(draw: st.DrawFn, languages: Sequence[str], fallback: bool, default: str) -> Any:
    """A participant-facing text: one entry per language (or fewer when fallback is allowed);
    a bare string sometimes when the survey speaks one language."""
    if len(languages) == 1 and draw(st.booleans()):
        return draw(_LABELS[languages[0]])
    text: dict[str, str] = {}
    for language in languages:
        if fallback and language != default and draw(st.booleans()):
            continue
        text[language] = draw(_LABELS[language])
    return text


_QUESTION_ID = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,19}", fullmatch=True).filter(
    lambda s: s not in KEYWORDS
)
_OPTION_ID = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True)
_NUMBER_BOUND_INT = st.integers(-1000, 1000)
_HALVES = st.integers(-2000, 2000).map(lambda k: k / 2)


@st.composite
def _question(
    draw: st.DrawFn, kind: str, qid: str, context: tuple[Sequence[str], bool, str]
) -> dict[str, Any]:
    languages, fallback, default = context
    question: dict[str, Any] = {
        "id": qid,
        "kind": kind,
        "text": draw(localized(languages, fallback, default)),
    }

    def words() -> Any:
        return draw(localized(languages, fallback, default))

    if kind in ("single_choice", "multiple_choice"):
        count = draw(st.integers(2, 8))
        ids = draw(st.lists(_OPTION_ID, min_size=count, max_size=count, unique=True))
        question["options"] = [{"id": oid, "text": words()} for oid in ids]
        if kind == "multiple_choice":
            low = draw(st.integers(1, count))
            high = draw(st.integers(low, count))
            if draw(st.booleans()):
                question["min"] = low
            if draw(st.booleans()):
                question["max"] = high if "min" in question else draw(st.integers(1, count))
    elif kind == "scale":
        low = draw(st.integers(-10, 10))
        question["min"] = low
        question["max"] = low + draw(st.integers(1, 10))
        labels = {end: words() for end in ("min", "max") if draw(st.booleans())}
        if labels:
            question["labels"] = labels
    elif kind == "number":
        integer = draw(st.booleans())
        if integer or draw(st.booleans()):
            question["integer"] = integer
        bound = _NUMBER_BOUND_INT if integer else st.one_of(_NUMBER_BOUND_INT, _HALVES)
        lowest: float | None = draw(st.none() | bound)
        highest: float | None = draw(st.none() | bound)
        if lowest is not None and highest is not None and highest <= lowest:
            lowest, highest = highest, lowest + 1 if highest == lowest else lowest
        if lowest is not None:
            question["min"] = lowest
        if highest is not None:
            question["max"] = highest
    elif kind == "text" and draw(st.booleans()):
        question["max_length"] = draw(st.one_of(st.integers(1, 4000), st.integers(1, 20)))
    if kind != "info":
        for flag in ("optional", "sensitive"):
            value = draw(st.sampled_from((None, False, True)))
            if value is not None:
                question[flag] = value
    return question


def _quoted(draw: st.DrawFn, option_id: str) -> str:
    opening, closing = draw(_QUOTES)
    return f"{opening}{option_id}{closing}"


def _atom(draw: st.DrawFn, earlier: Sequence[dict[str, Any]]) -> str:
    question = draw(st.sampled_from(earlier))
    qid, kind = question["id"], question["kind"]
    if kind == "text" or draw(st.integers(0, 5)) == 0:
        return f"answered({qid})"
    option_ids = [o["id"] for o in question.get("options", ())] or ["yes", "no"]
    if kind in ("single_choice", "yes_no"):
        form = draw(st.sampled_from(("=", "==", "!=", "in", "selected")))
        if form == "in":
            chosen = draw(st.lists(st.sampled_from(option_ids), min_size=1, max_size=3))
            return f"{qid} in ({', '.join(_quoted(draw, o) for o in chosen)})"
        option = _quoted(draw, draw(st.sampled_from(option_ids)))
        return f"selected({qid}, {option})" if form == "selected" else f"{qid} {form} {option}"
    if kind == "multiple_choice":
        if draw(st.booleans()):
            return f"selected({qid},{_quoted(draw, draw(st.sampled_from(option_ids)))})"
        op = draw(st.sampled_from(("=", "!=", "<", "<=", ">", ">=")))
        return f"count({qid}) {op} {draw(st.integers(0, len(option_ids) + 1))}"
    # scale or number
    high = question.get("max")
    low = question.get("min", -5 if high is None else high - 10)
    high = low + 10 if high is None else high
    if kind == "scale" or draw(st.booleans()):
        literal: st.SearchStrategy[float] = st.integers(int(low) - 1, int(high) + 1)
    else:
        literal = st.integers(int(2 * low) - 2, int(2 * high) + 2).map(lambda k: k / 2)
    if draw(st.integers(0, 4)) == 0:
        values = draw(st.lists(literal, min_size=1, max_size=3))
        return f"{qid} in ({', '.join(str(v) for v in values)})"
    op = draw(st.sampled_from(("=", "==", "!=", "<", "<=", ">", ">=")))
    return f"{qid}{draw(st.sampled_from(('', ' ')))}{op} {draw(literal)}"


def _expression(draw: st.DrawFn, earlier: Sequence[dict[str, Any]], depth: int = 0) -> str:
    shape = draw(st.integers(0, 9)) if depth < 2 else 0
    if shape <= 4:
        return _atom(draw, earlier)
    if shape <= 6:
        parts = [_expression(draw, earlier, depth + 1) for _ in range(draw(st.integers(2, 3)))]
        joined = f" {draw(st.sampled_from(('and', 'or')))} ".join(parts)
        return f"({joined})" if draw(st.booleans()) else joined
    if shape <= 8:
        return f"not {_expression(draw, earlier, depth + 1)}"
    return f"({_expression(draw, earlier, depth + 1)})"


@st.composite
def survey_documents(draw: st.DrawFn, max_questions: int = 15) -> dict[str, Any]:
    """A valid spec_version 1 survey as a plain dict, ready for `yaml.safe_dump`."""
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))
    default = draw(st.sampled_from(languages))
    fallback = draw(st.booleans())
    context = (languages, fallback, default)

    def text() -> Any:
        return draw(localized(languages, fallback, default))

    document: dict[str, Any] = {
        "spec_version": 1,
        "id": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", fullmatch=True)),
        "organisation": text(),
        "title": text(),
        "languages": languages,
        "default_language": default,
    }
    if fallback or draw(st.booleans()):
        document["allow_fallback"] = fallback
    if draw(st.booleans()):
        states = st.sampled_from(("reviewed", "machine-drafted", "draft"))
        document["translation_status"] = {lang: draw(states) for lang in languages[1:]}
    document["promise"] = text()
    if draw(st.booleans()):
        document["report_back_by"] = draw(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)))
    if draw(st.booleans()):
        document["retention_days"] = draw(st.integers(0, 3650))
    for key in ("intro", "thanks"):
        if draw(st.booleans()):
            document[key] = text()

    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=max_questions))
    if all(kind == "info" for kind in kinds):
        kinds[draw(st.integers(0, len(kinds) - 1))] = draw(st.sampled_from(ANSWERABLE_KINDS))
    if draw(st.booleans()):
        ids = [f"q{index + 1}" for index in range(len(kinds))]
    else:
        ids = draw(st.lists(_QUESTION_ID, min_size=len(kinds), max_size=len(kinds), unique=True))
    questions: list[dict[str, Any]] = []
    for kind, qid in zip(kinds, ids, strict=True):
        question = draw(_question(kind, qid, context))
        earlier = [q for q in questions if q["kind"] != "info"]
        conditional = draw(st.booleans())
        if earlier and conditional:
            question["relevant"] = _expression(draw, earlier)
        questions.append(question)
    document["questions"] = questions
    return document


class _Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1; Sauti reads numbers YAML 1.2-style ('1.0e5' is a float there, a
    string here). Quote every string that either reading could take for something else."""


_LOOKS_TYPED = re.compile(r"^(?:[-+.~0-9].*|(?i:true|false|yes|no|on|off|y|n|null))$", re.DOTALL)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if _LOOKS_TYPED.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(document: dict[str, Any]) -> str:
    """Survey YAML as an author (or a script using PyYAML) would write it."""
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def surveys(max_questions: int = 15) -> st.SearchStrategy[str]:
    """Valid survey YAML text."""
    return survey_documents(max_questions).map(dump)


# -- participant inputs ----------------------------------------------------------------------


@st.composite
def option_numbers(draw: st.DrawFn, count: int = 8) -> str:
    """'2', '1,3', '1 3', '١، ٣', '۲'... (sometimes out of range)."""
    numbers = draw(st.lists(st.integers(0, count + 2), min_size=1, max_size=4))
    separator = draw(st.sampled_from(_SEPARATORS))
    return in_script(separator.join(map(str, numbers)), draw(st.sampled_from(sorted(_SCRIPTS))))


@st.composite
def typed_numbers(draw: st.DrawFn) -> str:
    """Numbers as people type them: '-3', '2,5', '1 000', '1,000,000', '٣٫٥', in any script."""
    value = draw(
        st.one_of(st.integers(-2000, 2000), st.integers(-20000, 20000).map(lambda k: k / 4))
    )
    if isinstance(value, float) and value.is_integer() and draw(st.booleans()):
        value = int(value)
    text = str(value)
    style = draw(st.integers(0, 6))
    if style == 1:
        text = text.replace(".", ",")  # decimal comma
    elif style == 2:
        text = text.replace(".", "٫")  # Arabic decimal separator
    elif style == 3 and isinstance(value, int):
        text = f"{value:,}"
    elif style == 4 and isinstance(value, int):
        text = f"{value:,}".replace(",", " ")
    elif style == 5:
        text = text.replace("-", "\u2212")
    elif style == 6:
        text = draw(st.sampled_from(("1e3", "12.", ".5", "5 kg", "9" * 400, "1" * 5000, "NaN")))
    return in_script(text, draw(st.sampled_from(sorted(_SCRIPTS))))


def _labels_of(survey: Survey) -> list[str]:
    labels: list[str] = []
    for question in survey.questions:
        for option in question.options:
            labels.extend(option.text.values())
        for label in (question.min_label, question.max_label):
            if label:
                labels.extend(label.values())
    return labels


@st.composite
def typed_label(draw: st.DrawFn, survey: Survey) -> str:
    """An option label the way someone might type it: other case, prefix, extra spaces."""
    labels = _labels_of(survey) or list(VOCABULARY["en"])
    label = draw(st.sampled_from(labels))
    change = draw(st.integers(0, 3))
    if change == 1:
        return label.upper()
    if change == 2:
        return label[: draw(st.integers(1, max(1, len(label))))]
    if change == 3:
        return f"  {label} !"
    return label


def typed_texts(survey: Survey) -> st.SearchStrategy[str]:
    """Anything typed: unicode noise, option numbers, numbers, labels, control words."""
    return st.one_of(
        st.text(max_size=40),
        st.text(_TEXT_CHARACTERS, max_size=12),
        option_numbers(),
        typed_numbers(),
        st.sampled_from(CONTROL_WORDS),
        st.sampled_from(YES_NO_WORDS),
        st.sampled_from(ODD_DIGITS),
        typed_label(survey),
        st.text(_TEXT_CHARACTERS, max_size=20).map(lambda s: f"{s} {MARKER}"),
        st.just(MARKER * 300),  # longer than any max_length
    )


_INBOUNDS: dict[tuple[str, str, str | None], st.SearchStrategy[Inbound]] = {}


def inbounds(survey: Survey, current: str | None = None) -> st.SearchStrategy[Inbound]:
    """One participant input. `current` (the question awaiting an answer) makes buttons of the
    right question likelier; others carry a stale, unknown or no question id."""
    key = (survey.id, survey.revision, current)
    if key not in _INBOUNDS:
        if len(_INBOUNDS) > 2000:
            _INBOUNDS.clear()
        _INBOUNDS[key] = _inbounds(survey, current)
    return _INBOUNDS[key]


def _inbounds(survey: Survey, current: str | None) -> st.SearchStrategy[Inbound]:
    question_ids = [q.id for q in survey.questions]
    right = [current] if current is not None else []
    qid = st.one_of(
        st.sampled_from([*right, *right, *question_ids]),
        st.none(),
        st.sampled_from(("bogus", "q99", "")),
    )
    question = survey.question(current) if current is not None else None
    own: list[str] = [o.id for o in question.options] if question is not None else []
    every: list[str] = sorted({o.id for q in survey.questions for o in q.options}) or ["yes"]
    option = st.one_of(
        st.sampled_from(own or every), st.sampled_from(every), st.text(max_size=6), st.just("")
    )
    languages = st.sampled_from((*survey.languages, *LANGUAGES, *BAD_LANGUAGES))
    return st.one_of(
        typed_texts(survey).map(TextReply),
        st.builds(ChoiceReply, qid, st.lists(option, max_size=4).map(tuple)),
        st.builds(ToggleOption, qid, option),
        st.builds(SubmitSelection, qid),
        st.builds(Skip, qid),
        st.builds(Decline, qid),
        st.builds(GoBack, qid),
        st.just(Pause()),
        st.just(Resume()),
        st.builds(ChangeLanguage, languages),
    )


def inbound_sequences(survey: Survey, max_size: int = 20) -> st.SearchStrategy[list[Inbound]]:
    """A run of inputs fixed in advance (question ids drawn from the whole survey)."""
    return st.lists(inbounds(survey), max_size=max_size)
