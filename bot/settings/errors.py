"""The one error settings loading raises: every problem found, each naming its key."""

from __future__ import annotations

from collections.abc import Iterable


class SettingsError(Exception):
    """Settings are missing or malformed. `problems` lists all of them, not just the first.

    Each problem starts with the environment variable it is about, so an operator can fix a
    deployment in one pass instead of one restart per mistake.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid settings ({len(self.problems)} problems):\n{lines}")
