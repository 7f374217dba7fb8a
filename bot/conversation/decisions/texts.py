"""What participants read about decisions, in their language (texts: `messages.yaml` beside
this file, and `languages/<code>.yaml` for each language added since).

The notice follows the shape the field asks for: "You told us ⟨their own answer⟩. ⟨Company⟩
⟨what it did⟩: ⟨message⟩", and the reason whenever a recommendation was not (fully) taken up.
The summary of their answer never quotes free text or an answer to a sensitive question: a
notice may be read over someone's shoulder on a shared phone. In shared-phone mode (the
campaign's `shared_phones`, or the participant's own choice) a notice quotes nothing at all:
one neutral line and a "Read" button that shows the decision ("tell me more") on request.

A decision file may lack a language of its campaign. Publishing then refuses while anyone to
be told reads it, unless the operator allows the fallback (bot.loop.publisher); those people
then read Sauti's own words and buttons in their language, the company's text in the
campaign's default language, and a line saying it is not yet translated, so another
language is never passed off as theirs.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from bot.conversation.decisions.decision import Decision, DecisionStatus
from bot.conversation.decisions.reaction import MORE, REACT, REACTIONS
from bot.conversation.decisions.rules import Facts
from bot.conversation.outgoing import MenuItem
from dialogues.localization import Catalog, builtin_catalog, catalog_from_raw, read_catalog
from dialogues.model import QuestionKind, Survey
from dialogues.prompts import display_answer

_QUESTION_CHARS = 70  # how much of a question the summary quotes


@functools.cache
def loop_catalog() -> Catalog:
    return catalog_from_raw(read_catalog("bot.conversation.decisions", ""))


def say(key: str, language: str, /, **params: object) -> str:
    return loop_catalog().message(key, language, **params)


def frame_language(survey: Survey, language: str) -> str:
    """The language of Sauti's own words and buttons around a notice: the participant's,
    whenever their survey speaks it (every campaign language has Sauti's texts)."""
    return language if language in survey.languages else survey.default_language


def message_language(decision: Decision, survey: Survey, language: str) -> str:
    """The language a participant is told in: theirs, else the campaign's default (only when
    the operator published despite missing translations), else any the message has."""
    for candidate in (language, survey.default_language):
        if candidate in decision.message:
            return candidate
    return next(iter(decision.message))


def notice_text(
    decision: Decision,
    survey: Survey,
    language: str,
    *,
    summary: str,
    update: bool = False,
) -> str:
    organisation = survey.text(survey.organisation, language)
    text = say(
        "loop.notice",
        language,
        summary=summary,
        organisation=organisation,
        status=say(f"loop.status.{decision.status.value}", language),
        message=_in(decision.message, language, survey),
    )
    if decision.status.needs_rationale and decision.rationale:
        text += "\n\n" + say(
            "loop.rationale", language, rationale=_in(decision.rationale, language, survey)
        )
    text += _untranslated(decision, survey, language)
    return say("loop.update", language, notice=text) if update else text


def _untranslated(decision: Decision, survey: Survey, language: str) -> str:
    """The line marking the company's message as another language's, where theirs is lacking.
    Only the message: a rationale lacking alone is no reason to call the whole notice
    untranslated (load and preview warn the operator of it)."""
    if language in decision.message:
        return ""
    written = message_language(decision, survey, language)
    name = loop_catalog().language_name(written)
    return "\n\n" + say("loop.untranslated", language, written=name)


def summary_of(
    decision: Decision, survey: Survey, facts: Facts, witnesses: tuple[str, ...], language: str
) -> str:
    """ "You told us …": the company's own words when given, else the first linked answer
    that is safe to quote, else a general mention of the survey."""
    if decision.you_told_us and language in decision.you_told_us:
        return decision.you_told_us[language]
    for question_id in witnesses:
        question = survey.question(question_id)
        answer = facts.answers.get(question_id)
        if question is None or answer is None or answer.value is None:
            continue
        # Free text, and a day (of birth, of an incident), can name the person: never quoted.
        if question.sensitive or question.kind in (QuestionKind.TEXT, QuestionKind.DATE):
            continue
        shown = display_answer(survey, question, answer.value, language, builtin_catalog())
        asked = _shorten(survey.text(question.text, language), _QUESTION_CHARS)
        return say("loop.summary.answer", language, answer=shown, question=asked)
    return say("loop.summary.general", language, title=survey.text(survey.title, language))


def reaction_menu(ref: str, language: str) -> tuple[MenuItem, ...]:
    return tuple(
        MenuItem(say(f"loop.button.{kind}", language), REACT, f"{kind}:{ref}") for kind in REACTIONS
    )


def shared_notice(ref: str, language: str) -> tuple[str, tuple[MenuItem, ...]]:
    """A notice for a shared phone: says neither the question, nor their answer, nor what the
    decision is about; the button shows the whole decision to the one who asks."""
    read = MenuItem(say("loop.button.read", language), REACT, f"{MORE}:{ref}")
    return say("loop.notice.shared", language), (read,)


def more_text(decision: Decision, survey: Survey, language: str) -> str:
    """ "Tell me more": the whole decision, in their language."""
    lines = [
        _in(decision.title, language, survey),
        say(
            "loop.more.status",
            language,
            status=say(f"loop.status_name.{decision.status.value}", language),
        ),
    ]
    if decision.changes:
        lines.append(
            say("loop.more.changes", language, changes=_in(decision.changes, language, survey))
        )
    if decision.effective is not None:
        lines.append(say("loop.more.effective", language, date=decision.effective.isoformat()))
    if decision.rationale:
        lines.append(
            say("loop.rationale", language, rationale=_in(decision.rationale, language, survey))
        )
    lines.append(_in(decision.message, language, survey))
    return "\n".join(lines) + _untranslated(decision, survey, language)


def status_name(status: DecisionStatus, language: str) -> str:
    return say(f"loop.status_name.{status.value}", language)


def _in(texts: Mapping[str, str], language: str, survey: Survey) -> str:
    """A decision text in `language`, else the campaign's default, else any."""
    found = texts.get(language) or texts.get(survey.default_language)
    return found if found else next(iter(texts.values()), "")


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"
