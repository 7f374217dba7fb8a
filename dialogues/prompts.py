"""Build the channel-neutral render model of a question in the participant's language."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dialogues.dates import example, show_date
from dialogues.events import Choice, ControlLabels, Prompt
from dialogues.expressions import AnswerValue
from dialogues.localization import Catalog, direction
from dialogues.model import Question, QuestionKind, Survey
from dialogues.session import AnswerState


@dataclass(frozen=True, slots=True)
class _StaticParts:
    """What a prompt shows that depends only on the question and the language."""

    text: str
    hint: str
    choices: tuple[Choice, ...]
    labels: ControlLabels


@functools.lru_cache(maxsize=4096)
def _static_parts(
    survey: Survey, question_id: str, language: str, catalog: Catalog, tapped: bool
) -> _StaticParts:
    question = survey.question(question_id)
    assert question is not None  # callers pass questions of this survey
    hint = _hint(survey, question, language, catalog)
    if tapped:
        hint = _tapped_hint(survey, question, language, catalog) or hint
    return _StaticParts(
        text=survey.text(question.text, language),
        hint=hint,
        choices=_choices(survey, question, language, catalog),
        labels=ControlLabels(
            skip=catalog.message("button.skip", language),
            back=catalog.message("button.back", language),
            decline=catalog.message("button.decline", language),
            done=catalog.message("button.done", language),
        ),
    )


def build_prompt(
    survey: Survey,
    question: Question,
    state: AnswerState,
    catalog: Catalog,
    *,
    tapped: bool = False,
) -> Prompt:
    """The question as the participant sees it. `tapped`: the page shows only buttons or tick
    boxes where a choice is asked (the web chat), so the hint speaks of tapping, not typing."""
    language = state.language
    parts = _static_parts(survey, question.id, language, catalog, tapped)
    return Prompt(
        question_id=question.id,
        kind=question.kind,
        text=parts.text,
        hint=parts.hint,
        language=language,
        direction=direction(language),
        choices=parts.choices,
        allow_skip=question.optional,
        allow_decline=question.sensitive,
        allow_back=_has_earlier_answer(survey, question, state),
        labels=parts.labels,
        position=survey.place(question.id),
        total=survey.answerable_count,
        min_selections=question.min_selections,
        max_selections=question.max_selections,
        min_value=question.min_value,
        max_value=question.max_value,
        max_length=question.max_length if question.kind is QuestionKind.TEXT else None,
        selected=state.draft,
        previous_answer=previous_answer(survey, question, state, catalog),
    )


def display_answer(
    survey: Survey, question: Question, value: AnswerValue, language: str, catalog: Catalog
) -> str:
    """An answer as the participant sees it: option labels, not ids."""
    if question.kind is QuestionKind.TEXT:
        return str(value)
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        ids = value if isinstance(value, tuple) else (str(value),)
        labels = [
            survey.text(option.text, language)
            for option_id in ids
            if (option := question.option(option_id)) is not None
        ]
        return _LIST_SEPARATORS.get(language, ", ").join(labels)
    if question.kind is QuestionKind.YES_NO:
        return catalog.message(f"option.{value}", language)
    if question.kind is QuestionKind.DATE:
        return show_date(str(value), language)
    return str(value)


# Arabic-script languages separate list items with the Arabic comma.
_LIST_SEPARATORS = {"ar": "، ", "fa": "، ", "ur": "، ", "ps": "، ", "ckb": "، "}


def previous_answer(
    survey: Survey, question: Question, state: AnswerState, catalog: Catalog
) -> str | None:
    """The earlier answer of a question the participant came back to (text is not kept)."""
    language = state.language
    if question.id in state.skipped:
        return catalog.message("answer.skipped", language)
    if question.id in state.declined:
        return catalog.message("answer.declined", language)
    value = state.values.get(question.id)
    return None if value is None else display_answer(survey, question, value, language, catalog)


def _choices(
    survey: Survey, question: Question, language: str, catalog: Catalog
) -> tuple[Choice, ...]:
    if question.kind is QuestionKind.YES_NO:
        labels = [catalog.message(f"option.{option.id}", language) for option in question.options]
    elif question.kind is QuestionKind.SCALE:
        labels = [str(option.id) for option in question.options]
    else:
        labels = [survey.text(option.text, language) for option in question.options]
    # On a scale the number a participant types is the value itself, not a position.
    scale = question.kind is QuestionKind.SCALE
    return tuple(
        Choice(id=option.id, label=label, number=int(option.id) if scale else index)
        for index, (option, label) in enumerate(zip(question.options, labels, strict=True), 1)
    )


def _hint(survey: Survey, question: Question, language: str, catalog: Catalog) -> str:
    kind = question.kind
    if kind is QuestionKind.INFO:
        return ""
    if kind is QuestionKind.MULTIPLE_CHOICE:
        hint = catalog.message(
            "hint.multiple_choice",
            language,
            min=question.min_selections,
            max=question.max_selections,
        )
    elif kind is QuestionKind.SCALE:
        hint = _scale_hint(survey, question, language, catalog, "hint.scale")
    elif (
        kind is QuestionKind.NUMBER
        and question.min_value is not None
        and (question.max_value is not None)
    ):
        hint = catalog.message(
            "hint.number_range",
            language,
            min=_number(question.min_value),
            max=_number(question.max_value),
        )
    elif kind is QuestionKind.DATE:
        hint = catalog.message("hint.date", language, example=example(survey.date_order))
    else:
        hint = catalog.message(f"hint.{kind.value}", language)
    if question.optional:
        hint += " " + catalog.message("hint.skip", language, skip=catalog.word("skip", language))
    return hint


def _tapped_hint(survey: Survey, question: Question, language: str, catalog: Catalog) -> str | None:
    """The hint for a page where choices are only tapped (no text box to type numbers or
    "skip" in); None where that page has a text box (text, number), whose hint holds."""
    kind = question.kind
    if kind is QuestionKind.MULTIPLE_CHOICE:
        done = catalog.message("button.done", language)
        hint = catalog.message(
            "hint.multiple_choice_tapped",
            language,
            min=question.min_selections,
            max=question.max_selections,
            done=done,
        )
    elif kind is QuestionKind.SCALE:
        hint = _scale_hint(survey, question, language, catalog, "hint.scale_tapped")
    elif kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        hint = catalog.message("hint.choice_tapped", language)
    else:
        return None
    if question.optional:
        skip = catalog.message("button.skip", language)
        hint += " " + catalog.message("hint.skip_tapped", language, skip=skip)
    return hint


def _scale_hint(
    survey: Survey, question: Question, language: str, catalog: Catalog, key: str
) -> str:
    """What the ends of the scale mean, then how to answer (`key`)."""
    hint = catalog.message(
        key, language, min=_number(question.min_value), max=_number(question.max_value)
    )
    ends = [
        f"{_number(bound)} = {survey.text(label, language)}"
        for bound, label in (
            (question.min_value, question.min_label),
            (question.max_value, question.max_label),
        )
        if label
    ]
    return f"{' · '.join(ends)}\n{hint}" if ends else hint


def _has_earlier_answer(survey: Survey, question: Question, state: AnswerState) -> bool:
    index = survey.position(question.id) or 0
    return any(state.has_answer(q.id) for q in survey.questions[:index])


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
