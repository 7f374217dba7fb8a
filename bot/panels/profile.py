"""A panel member's profile: the attributes an organisation's panel is described and segmented
by. Language and channel come from the participant's record; area and groups from their own
answers to the organisation's questions that declare `profile: area` or `profile: group`
(dialogues.profiles), the latest answer winning. Pure: no I/O.

These are sensitive: they are read only to choose whom to invite and to count, and any count
shown goes through small-cell suppression (bot.records.suppression), like answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dialogues import Session, Survey
from dialogues.profiles import AREA, GROUP


@dataclass(frozen=True, slots=True)
class Profile:
    language: str
    channel: str
    area: str = ""  # "" not known
    groups: frozenset[str] = frozenset()

    def values(self, attribute: str) -> frozenset[str]:
        """The profile's values of a segment attribute (none when not known)."""
        if attribute == "group":
            return self.groups
        value = {"language": self.language, "channel": self.channel, "area": self.area}.get(
            attribute, ""
        )
        return frozenset({value}) if value else frozenset()


# campaign id -> (profile attribute -> the question id feeding it)
ProfileQuestions = Mapping[str, Mapping[str, str]]


def profile_questions(surveys: Iterable[Survey]) -> dict[str, dict[str, str]]:
    """The questions of an organisation's surveys that feed a profile attribute."""
    found: dict[str, dict[str, str]] = {}
    for survey in surveys:
        declared = {q.profile: str(q.id) for q in survey.questions if q.profile is not None}
        if declared:
            found[survey.id] = declared
    return found


def profile_of(
    language: str, channel: str, sessions: Mapping[str, Session], questions: ProfileQuestions
) -> Profile:
    """A member's profile from their record and their sessions of the organisation's campaigns
    (campaign id -> session); the most recently updated session that answered wins."""
    area, groups = "", frozenset[str]()
    ordered = sorted(sessions.items(), key=lambda item: item[1].updated_at)
    for campaign_id, session in ordered:
        declared = questions.get(campaign_id, {})
        if AREA in declared and isinstance(value := session.values.get(declared[AREA]), str):
            area = value
        if GROUP in declared and declared[GROUP] in session.values:
            value = session.values[declared[GROUP]]
            groups = frozenset(value) if isinstance(value, tuple) else frozenset({str(value)})
    return Profile(language, channel, area, groups)
