"""The one error root of `dialogues`. Participant input never raises; only broken surveys do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dialogues.problem_codes import Param, ProblemCode


class DialoguesError(Exception):
    """Root of every exception `dialogues` raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a survey file, located by its path and (when known) its 1-based line.

    `message` is the English the command line prints; `code` and `params` say the same in
    stable parts, so that a page can say it in its reader's language (docs/console.md)."""

    path: str
    message: str
    line: int | None = None
    code: ProblemCode = field(kw_only=True)
    params: Mapping[str, Param] = field(
        default_factory=dict, kw_only=True, compare=False, hash=False
    )

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.path or '(file)'}: {self.message}"


class SurveyDefinitionError(DialoguesError):
    """A survey file with one or more mistakes; `problems` holds every one, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the survey file"
        super().__init__("\n".join([summary, *(f"  {problem}" for problem in self.problems)]))
