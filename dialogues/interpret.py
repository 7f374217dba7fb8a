"""Read an answer generously: button ids, typed option numbers ("2", "1,3", "١، ٣"), option
labels in any of the survey's languages (case- and accent-insensitive), numbers in any script,
and control words ('skip', 'ruka', 'رجوع'). Never raises: what cannot be read is `Refused`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dialogues.dates import TODAY, example, read_date, resolve, show_date
from dialogues.events import RejectReason
from dialogues.expressions import AnswerValue
from dialogues.localization import Catalog, Intent
from dialogues.model import DateOrder, Question, QuestionKind
from dialogues.normalize import ascii_digits, fold, parse_number


@dataclass(frozen=True, slots=True)
class Accepted:
    value: AnswerValue


@dataclass(frozen=True, slots=True)
class Refused:
    reason: RejectReason
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Control:
    intent: Intent


Interpretation = Accepted | Refused | Control

# Separators between several typed options: commas (Latin, Arabic, CJK), semicolons, slashes,
# "+", "&", new lines, and the word "and" in the built-in languages.
_SEPARATORS = re.compile(r"\s*(?:[,;،、/+&\n]|\s(?:and|et|na|و)\s)\s*", re.IGNORECASE)
_MIN_PREFIX = 3  # a typed beginning of a label counts when it is this long and unambiguous


@dataclass(frozen=True, slots=True)
class _Context:
    catalog: Catalog
    languages: tuple[str, ...]  # participant's language first, then the survey's others
    date_order: DateOrder = "day_first"
    today: dt.date | None = None


def interpret_text(
    question: Question,
    text: str,
    language: str,
    languages: Iterable[str],
    catalog: Catalog,
    *,
    date_order: DateOrder = "day_first",
    today: dt.date | None = None,
) -> Interpretation:
    """What a typed reply to `question` means. `date_order` reads a date written in numbers
    only; `today` is the day a limit of `today` on a date question stands for."""
    ordered = (language, *(lang for lang in languages if lang != language))
    context = _Context(catalog, ordered, date_order, today)
    kind = question.kind
    if kind is QuestionKind.TEXT:
        return _text(question, text, context)
    if kind is QuestionKind.DATE:
        return _date(question, text, context)
    if kind is QuestionKind.NUMBER:
        return _number(question, text, context)
    if kind is QuestionKind.SCALE:
        return _scale(question, text, context)
    if kind is QuestionKind.YES_NO:
        return _yes_no(text, context)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return _multiple(question, text, context)
    return _single(question, text, context)


def check_selection(question: Question, option_ids: Iterable[str]) -> Accepted | Refused:
    """Validate a selection made with buttons (or a typed one, once matched to ids)."""
    valid = {option.id for option in question.options}
    chosen = tuple(dict.fromkeys(option_ids))  # de-duplicated, order kept
    if not chosen or any(option_id not in valid for option_id in chosen):
        return Refused(RejectReason.NOT_AN_OPTION, {"count": len(question.options)})
    if question.kind is not QuestionKind.MULTIPLE_CHOICE:
        if len(chosen) != 1:
            return Refused(RejectReason.TOO_MANY, {"max": 1})
        only = chosen[0]
        return Accepted(int(only) if question.kind is QuestionKind.SCALE else only)
    if len(chosen) < question.min_selections:
        return Refused(RejectReason.TOO_FEW, {"min": question.min_selections})
    if len(chosen) > question.max_selections:
        return Refused(RejectReason.TOO_MANY, {"max": question.max_selections})
    return Accepted(question.in_option_order(chosen))


def _control(folded: str, context: _Context) -> Control | None:
    intent = context.catalog.intent_of(folded, context.languages)
    if intent is None or intent in ("yes", "no"):
        return None
    return Control(intent)


def _text(question: Question, text: str, context: _Context) -> Interpretation:
    answer = text.strip()
    if not answer:
        return Refused(RejectReason.EMPTY)
    control = _control(fold(answer), context)
    if control is not None:
        return control
    if len(answer) > question.max_length:
        return Refused(
            RejectReason.TOO_LONG, {"length": len(answer), "max_length": question.max_length}
        )
    return Accepted(answer)


def _number(question: Question, text: str, context: _Context) -> Interpretation:
    number = parse_number(text)
    if number is None:
        return _control(fold(text), context) or Refused(RejectReason.NOT_A_NUMBER)
    low, high = question.min_value, question.max_value
    if question.integer and not number.is_integer():
        return Refused(RejectReason.NOT_WHOLE)
    if low is not None and high is not None and not low <= number <= high:
        return Refused(RejectReason.OUT_OF_RANGE, {"min": _show(low), "max": _show(high)})
    if low is not None and number < low:
        return Refused(RejectReason.BELOW_MIN, {"min": _show(low)})
    if high is not None and number > high:
        return Refused(RejectReason.ABOVE_MAX, {"max": _show(high)})
    return Accepted(int(number) if question.integer else number)


def _date(question: Question, text: str, context: _Context) -> Interpretation:
    day = read_date(text, context.date_order, context.languages)
    if day is None:
        control = _control(fold(text), context)
        return control or Refused(RejectReason.NOT_A_DATE, {"example": example(context.date_order)})
    language = context.languages[0]
    low = resolve(question.min_date, context.today)
    if low is not None and day < low - _slack(question.min_date):
        return Refused(RejectReason.DATE_TOO_EARLY, {"min": show_date(low, language)})
    high = resolve(question.max_date, context.today)
    if high is not None and day > high + _slack(question.max_date):
        return Refused(RejectReason.DATE_TOO_LATE, {"max": show_date(high, language)})
    return Accepted(day.isoformat())


def _slack(bound: object) -> dt.timedelta:
    """A limit of "today" leaves a day each side: the participant's calendar may already (or
    still) show another day than the one the server counts in."""
    return dt.timedelta(days=1 if bound == TODAY else 0)


def _scale(question: Question, text: str, context: _Context) -> Interpretation:
    low, high = int(question.min_value or 0), int(question.max_value or 0)
    number = parse_number(text)
    if number is not None and number.is_integer() and low <= number <= high:
        return Accepted(int(number))
    folded = fold(text)
    for label, value in ((question.min_label, low), (question.max_label, high)):
        if label and folded in {fold(label[lang]) for lang in context.languages if lang in label}:
            return Accepted(value)
    if number is None:
        control = _control(folded, context)
        if control is not None:
            return control
    return Refused(RejectReason.OUT_OF_RANGE, {"min": low, "max": high})


def _yes_no(text: str, context: _Context) -> Interpretation:
    folded = fold(ascii_digits(text))
    if folded in ("1", "2"):
        return Accepted("yes" if folded == "1" else "no")
    for answer in ("yes", "no"):
        words = context.catalog.words[answer]
        labels = context.catalog.messages[f"option.{answer}"]
        for language in (*context.languages, "en"):
            if folded in words.get(language, ()) or folded == fold(labels.get(language, "")):
                return Accepted(answer)
    return _control(folded, context) or Refused(RejectReason.YES_NO)


def _single(question: Question, text: str, context: _Context) -> Interpretation:
    option_id = _match_option(question, text, context)
    if option_id is not None:
        return Accepted(option_id)
    return _control(fold(text), context) or Refused(
        RejectReason.NOT_AN_OPTION, {"count": len(question.options)}
    )


def _multiple(question: Question, text: str, context: _Context) -> Interpretation:
    whole = _match_option(question, text, context)
    if whole is not None:
        return check_selection(question, (whole,))
    tokens = [token for token in _SEPARATORS.split(ascii_digits(text.strip())) if token]
    if len(tokens) == 1 and all(part.isascii() and part.isdigit() for part in tokens[0].split()):
        tokens = tokens[0].split()  # "1 3 4"
    chosen = [_match_option(question, token, context) for token in tokens]
    if not tokens or any(option_id is None for option_id in chosen):
        control = _control(fold(text), context)
        if control is not None:
            return control
        return Refused(RejectReason.NOT_AN_OPTION, {"count": len(question.options)})
    return check_selection(question, [option_id for option_id in chosen if option_id])


def _match_option(question: Question, text: str, context: _Context) -> str | None:
    """The option a typed token means: its number, its label in any language, or its id."""
    folded = fold(ascii_digits(text))
    if not folded:
        return None
    if folded.isascii() and folded.isdigit():
        if len(folded) > 3:  # no question has a thousand options; int() of huge text is slow
            return None
        number = int(folded)
        if 1 <= number <= len(question.options):
            return question.options[number - 1].id
        return None
    prefixed: set[str] = set()
    for option in question.options:
        if folded in option.match_keys:
            return option.id
        if len(folded) >= _MIN_PREFIX and any(key.startswith(folded) for key in option.match_keys):
            prefixed.add(option.id)
    return prefixed.pop() if len(prefixed) == 1 else None


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
