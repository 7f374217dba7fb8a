"""Profile attributes a survey question may feed: what an organisation's panel is described by.

A choice question declares `profile: area` (single choice: where the person lives) or
`profile: group` (single or multiple choice: groups they describe themselves as part of, such
as displaced, woman, person with a disability). Its answer (option ids) is then the person's
attribute for the organisation's panel, and a later survey of the same organisation reuses it
instead of asking again (`dialogues.engine.start`, `known`). A survey declares each attribute
at most once, so a reused answer has one meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogues.checking import Checker, join_path
from dialogues.expressions import AnswerValue
from dialogues.model import Question, QuestionKind
from dialogues.problem_codes import ProblemCode

AREA = "area"
GROUP = "group"
PROFILE_ATTRIBUTES = (AREA, GROUP)
# The kinds whose answer each attribute may come from.
_KINDS: Mapping[str, frozenset[QuestionKind]] = {
    AREA: frozenset({QuestionKind.SINGLE_CHOICE}),
    GROUP: frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}),
}


def profile_attribute(check: Checker, path: str, raw: Any, kind: QuestionKind) -> str | None:
    """The attribute a question's `profile` key names, or None (a problem when it is wrong)."""
    if raw is None:
        return None
    where = join_path(path, "profile")
    if raw not in PROFILE_ATTRIBUTES:
        names = ", ".join(PROFILE_ATTRIBUTES)
        check.problem(
            where,
            f"unknown profile attribute {raw!r} (attributes: {names})",
            ProblemCode.UNKNOWN_PROFILE,
            found=repr(raw),
            attributes=names,
        )
        return None
    if kind not in _KINDS[raw]:
        allowed = " or ".join(sorted(k.value for k in _KINDS[raw]))
        check.problem(
            where,
            f"a '{raw}' profile comes from a {allowed} question",
            ProblemCode.PROFILE_OF_KIND,
            profile=str(raw),
            kinds=allowed,
        )
        return None
    return str(raw)


def check_declared_once(check: Checker, path: str, questions: tuple[Question, ...]) -> None:
    """Each attribute from one question of a survey at most."""
    seen: dict[str, str] = {}
    for question in questions:
        if question.profile is None:
            continue
        if question.profile in seen:
            check.problem(
                path,
                f"questions '{seen[question.profile]}' and '{question.id}' both feed the "
                f"'{question.profile}' profile; one question may",
                ProblemCode.PROFILE_TWICE,
                first=seen[question.profile],
                second=question.id,
                profile=question.profile,
            )
        seen[question.profile] = question.id


def reusable(question: Question, known: Mapping[str, AnswerValue]) -> AnswerValue | None:
    """A known attribute's value as this question's answer, when every option it names is one
    of the question's (another survey's options may differ) and fits its bounds."""
    if question.profile is None or question.profile not in known:
        return None
    value = known[question.profile]
    chosen = value if isinstance(value, tuple) else (str(value),)
    ours = question.in_option_order(chosen)
    if not ours or len(ours) != len(set(chosen)):
        return None
    if question.kind is QuestionKind.SINGLE_CHOICE:
        return ours[0] if len(ours) == 1 else None
    if not question.min_selections <= len(ours) <= question.max_selections:
        return None
    return ours
