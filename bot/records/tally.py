"""Result counters: what one participant's session adds to their campaign's results, as fields
of the shard's counters hash (`KeySchema.counters`, docs/keys.md), so that results are read
without scanning anyone's answers.

The counters of a campaign always equal the sum, over the sessions stored, of what each
contributes (`contributions`): every commit that changes a session adds the difference between
what the new and the old session contribute (`delta`), in the same atomic commit; erasure takes
away what the erased session contributed. A participant going back and changing an answer, a
withdrawn answer, a changed language: all are that difference. Only counts are kept: which
option was chosen, and that a question was answered, skipped or declined; never a number or a
text.

Fields (question ids `[A-Za-z][A-Za-z0-9_]*`, option ids `[A-Za-z0-9_-]+`, so the marks below
cannot occur in either):

- `<q>.a`, `<q>.s`, `<q>.d`: answered, skipped, declined;
- `<q>=<o>`: option `<o>` chosen (each option of a multiple choice; a scale's step, `<o>` its
  number: at most 11 steps, so counted like options; other numbers are not);
- either of those followed by `@<language>` (the session's language) or `~<channel>`;
- `<q1>=<o1>&<q2>=<o2>` (q1 < q2 as strings): both chosen, for questions both among the
  campaign's crossed questions (`Tallied.crossed`);
- `<q>.x`: stopped at `<q>`: the question the session awaits an answer to, never answered,
  skipped or declined (those still going are counted where they are now). Those asked a question
  are the four of `<q>.a`, `<q>.s`, `<q>.d` and `<q>.x` together;
- `.started` and `.completed`, each also followed by `@<language>` or `~<channel>`: a session
  stored, and a completed one (the campaign's own `started` and `completed` count everyone who
  ever did, erased or not; these count the sessions the results count, by language and channel).

Which questions are scales and which are crossed is the survey's (`tallied`): a revision that
changes them leaves counts of the previous one behind, until a recount (bot.records.recount).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.conversation.campaign import Campaign
from dialogues import Session, SessionStatus, Survey
from dialogues.expressions import AnswerValue
from dialogues.model import CHOICE_KINDS, QuestionKind

# Questions counted option by option: choices, and scales (a few steps, each an option).
TALLIED_KINDS = CHOICE_KINDS | {QuestionKind.SCALE}
# Cross-tabs cost a field per pair of options chosen, in every commit that changes one of
# them. They are kept between the tallied questions of a survey, in its order, as long as there
# are at most 12 (66 pairs) and at most 24 options can be chosen in them all at once (a multiple
# choice counts its maximum): an answer choosing s options then touches at most s x (24 - s)
# cross-tab fields (144), besides 3 x (s + 1) of its own; a respondent at most 24 x 23 / 2 (276).
MAX_CROSSED_QUESTIONS = 12
MAX_CROSSED_SELECTIONS = 24

ANSWERED, SKIPPED, DECLINED, STOPPED = "a", "s", "d", "x"
# A session's own fields: a leading "." (no question id is empty) keeps them apart from a
# question's, and from the campaign's `started` and `completed`.
SESSIONS, COMPLETED = ".started", ".completed"
VERSION = ".version"


def is_result_field(name: str) -> bool:
    """A result counter, not one of the campaign's own (`started`, `completed`, `answers`)."""
    return "." in name or "=" in name


def status_field(question_id: str, status: str, dimension: str = "") -> str:
    return f"{question_id}.{status}{dimension}"


def option_field(question_id: str, option_id: str, dimension: str = "") -> str:
    return f"{question_id}={option_id}{dimension}"


def language_dimension(language: str) -> str:
    return f"@{language}"


def channel_dimension(channel: str) -> str:
    return f"~{channel}"


def cross_field(question_a: str, option_a: str, question_b: str, option_b: str) -> str:
    """Both options chosen; the same field whichever question is named first."""
    if question_b < question_a:
        question_a, option_a, question_b, option_b = question_b, option_b, question_a, option_a
    return f"{question_a}={option_a}&{question_b}={option_b}"


@dataclass(frozen=True, slots=True)
class Tallied:
    """What a survey says of how its answers are counted."""

    scales: frozenset[str] = frozenset()  # numbers counted step by step
    crossed: frozenset[str] = frozenset()  # questions whose answers are cross-tabulated
    # Dates are not counted day by day: a day (of birth, of an incident) can name a person.
    dates: frozenset[str] = frozenset()


def tallied(survey: Survey) -> Tallied:
    """Its scales, and its crossed questions: tallied ones in the survey's order within the
    bounds above (one that would pass them is left out, and breakdowns by it are not kept)."""
    crossed: list[str] = []
    selections = 0
    for question in survey.questions:
        if question.kind not in TALLIED_KINDS or len(crossed) == MAX_CROSSED_QUESTIONS:
            continue
        most = question.max_selections if question.kind is QuestionKind.MULTIPLE_CHOICE else 1
        if selections + most <= MAX_CROSSED_SELECTIONS:
            crossed.append(question.id)
            selections += most
    scales = (q.id for q in survey.questions if q.kind is QuestionKind.SCALE)
    dates = (q.id for q in survey.questions if q.kind is QuestionKind.DATE)
    return Tallied(frozenset(scales), frozenset(crossed), frozenset(dates))


def chosen(question_id: str, value: AnswerValue, survey: Tallied) -> tuple[str, ...]:
    """The option ids of an answer: the options of a choice, the step of a scale, none for
    another number or a date."""
    if question_id in survey.dates:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple):
        return value
    if question_id in survey.scales and float(value).is_integer():
        return (str(int(value)),)
    return ()


def contributions(session: Session | None, channel: str, survey: Tallied) -> Counter[str]:
    """The counter fields one stored session adds to its campaign's results."""
    added: Counter[str] = Counter()
    if session is None:
        return added
    dimensions = ("", language_dimension(session.language), channel_dimension(channel))
    for dimension in dimensions:
        added[SESSIONS + dimension] += 1
        if session.status is SessionStatus.COMPLETED:
            added[COMPLETED + dimension] += 1
    current = session.current
    waiting = session.status is not SessionStatus.COMPLETED and current is not None
    if current is not None and waiting and not session.has_answer(current):
        added[status_field(current, STOPPED)] += 1
    statuses: Iterable[tuple[Iterable[str], str]] = (
        (session.values, ANSWERED),
        (session.texts, ANSWERED),
        (session.skipped, SKIPPED),
        (session.declined, DECLINED),
    )
    for questions, status in statuses:
        for question_id in questions:
            for dimension in dimensions:
                added[status_field(question_id, status, dimension)] += 1
    picks = {
        question_id: chosen(question_id, v, survey) for question_id, v in session.values.items()
    }
    for question_id, options in picks.items():
        for option_id in options:
            for dimension in dimensions:
                added[option_field(question_id, option_id, dimension)] += 1
    picked = sorted((q, options) for q, options in picks.items() if q in survey.crossed)
    for n, (question_a, options_a) in enumerate(picked):
        for question_b, options_b in picked[n + 1 :]:
            for option_a in options_a:
                for option_b in options_b:
                    added[cross_field(question_a, option_a, question_b, option_b)] += 1
    return added


def delta(
    before: Session | None, after: Session | None, channel: str, survey: Tallied
) -> Counter[str]:
    """What a commit that turns `before` into `after` adds to the counters (negative counts
    take away; fields that do not change are left out)."""
    change = contributions(after, channel, survey)
    change.subtract(contributions(before, channel, survey))
    return Counter({name: count for name, count in change.items() if count})


def result_delta(
    campaign: Campaign, before: Session | None, after: Session | None, channel: str
) -> Counter[str]:
    """What the commit of an event of `campaign` adds to its counters, `after` None meaning the
    session is left as it was; a change moves the results' version on."""
    if after is None or after is before:
        return Counter()
    change = delta(before, after, channel, tallied(campaign.survey))
    if change:
        change[VERSION] = 1
    return change
