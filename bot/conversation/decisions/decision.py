"""A decision file: what a company decided because of what people said, and who it answers.

The format is documented in docs/decisions.md. Reading it reports every mistake with its line
and path, the way survey files do (`file:line: path: message`), and checks it against the
campaign's survey: the questions and options a rule names exist, texts are in the campaign's
languages, a rationale is given when a recommendation was not (or only partly) adopted.

A message may lack some of the campaign's languages here: publishing refuses while anyone who
would be told reads a language without a message, unless the operator overrides it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.conversation.decisions.rule_file import read_rule
from bot.conversation.decisions.rules import Rule
from dialogues.checking import Checker, did_you_mean, join_path, suggested
from dialogues.errors import Problem
from dialogues.model import Survey
from dialogues.problem_codes import ProblemCode
from dialogues.yaml_source import read_yaml

FORMAT_VERSION = 1
DECISION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PARTICIPANT_ID = re.compile(r"^[a-z2-7]{32}$")
# Who a response id names: the organisation's pseudonym of a participant, as its exports and API
# show them (`p-` and 16 base32 characters, bot/access/pseudonyms.py), or — in files written
# before pseudonyms — the internal participant id.
RESPONDENT = re.compile(r"^(?:p-[a-z2-7]{16}|[a-z2-7]{32})$")
MAX_MESSAGE_CHARS = 700  # the notice adds a summary and a rationale; WhatsApp bodies stop at 1024
_KEYS = (
    "spec_version",
    "id",
    "campaign",
    "title",
    "status",
    "changes",
    "effective",
    "rationale",
    "message",
    "you_told_us",
    "linked_to",
)
_REQUIRED = ("spec_version", "id", "campaign", "title", "status", "message", "linked_to")


class DecisionStatus(StrEnum):
    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly_adopted"
    NOT_ADOPTED = "not_adopted"
    UNDER_REVIEW = "under_review"

    @property
    def needs_rationale(self) -> bool:
        """People whose recommendation was not taken up are owed the reason."""
        return self in (DecisionStatus.NOT_ADOPTED, DecisionStatus.PARTLY_ADOPTED)


class LoopError(Exception):
    """Root of the errors loop closure raises on purpose."""


class DecisionDefinitionError(LoopError):
    """A decision file with mistakes; `problems` holds every one, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the decision file"
        super().__init__("\n".join([summary, *(f"  {problem}" for problem in self.problems)]))


@dataclass(frozen=True, slots=True)
class ResponseRef:
    """An explicitly linked response: all of a participant's answers, or one of them."""

    participant_id: str
    question_id: str | None = None

    def __str__(self) -> str:
        if self.question_id is None:
            return self.participant_id
        return f"{self.participant_id}/{self.question_id}"


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    campaign_id: str
    title: Mapping[str, str]
    status: DecisionStatus
    message: Mapping[str, str]
    rule: Rule | None
    responses: tuple[ResponseRef, ...] = ()
    rationale: Mapping[str, str] | None = None
    changes: Mapping[str, str] | None = None
    effective: dt.date | None = None
    you_told_us: Mapping[str, str] | None = None

    def missing_messages(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        """Languages with no message, no title (what "Tell me more" heads with), or no
        rationale where one is owed."""
        missing = [language for language in languages if language not in self.message]
        missing += [language for language in languages if language not in self.title]
        if self.status.needs_rationale and self.rationale is not None:
            missing += [lang for lang in languages if lang not in self.rationale]
        return tuple(language for language in languages if language in missing)


def campaign_of(text: str) -> str | None:
    """The campaign a decision file names, to find the survey to check it against."""
    value = read_yaml(text).value
    campaign = value.get("campaign") if isinstance(value, dict) else None
    return campaign if isinstance(campaign, str) else None


def parse_decision(text: str, survey: Survey | None) -> Decision:
    """Read and check a decision file against its campaign's survey (None: no such campaign).
    Raises DecisionDefinitionError listing every problem."""
    document = read_yaml(text)
    check = Checker(document)
    if document.value is None and not check.problems:
        check.problem("", "the file is empty", ProblemCode.EMPTY_FILE)
    root = check.mapping("", document.value, "a decision file") if document.value else None
    decision = _decision(check, root, survey) if root is not None else None
    if check.problems or decision is None:
        ordered = sorted(check.problems, key=lambda p: p.line if p.line is not None else 0)
        raise DecisionDefinitionError(ordered)
    return decision


def _decision(check: Checker, root: dict[str, Any], survey: Survey | None) -> Decision | None:
    check.keys("", root, _KEYS, required=_REQUIRED, what="a decision")
    version = root.get("spec_version")
    if version is not None and version != FORMAT_VERSION:
        check.problem(
            "spec_version",
            f"this Sauti reads decision files of version {FORMAT_VERSION}",
            ProblemCode.DECISION_VERSION,
            version=FORMAT_VERSION,
        )
    decision_id = _id(check, root.get("id"))
    campaign_id = root.get("campaign")
    if campaign_id is not None and survey is None:
        check.problem(
            "campaign",
            f"there is no campaign '{campaign_id}' (load it first)",
            ProblemCode.NO_SUCH_CAMPAIGN,
            campaign=str(campaign_id),
        )
    if survey is not None:
        check.languages, check.languages_known = tuple(survey.languages), True
        check.default_language = survey.default_language
    texts = {key: _texts(check, key, root.get(key), survey) for key in _TEXT_KEYS}
    status = _status(check, root.get("status"))
    if status is not None and status.needs_rationale and texts["rationale"] is None:
        check.problem(
            "",
            f"a '{status.value}' decision needs a 'rationale': people are owed why",
            ProblemCode.RATIONALE_NEEDED,
            status=status.value,
        )
    for key in ("title", "message", "rationale"):
        _require_default(check, key, texts[key], survey)
    effective = _date(check, root.get("effective"))
    rule, responses = _links(check, root.get("linked_to"), survey)
    title, message = texts["title"], texts["message"]
    if decision_id is None or status is None or title is None or message is None:
        return None
    if survey is None or not isinstance(campaign_id, str):
        return None
    return Decision(
        id=decision_id,
        campaign_id=campaign_id,
        title=title,
        status=status,
        message=message,
        rule=rule,
        responses=responses,
        rationale=texts["rationale"],
        changes=texts["changes"],
        effective=effective,
        you_told_us=texts["you_told_us"],
    )


_TEXT_KEYS = ("title", "message", "rationale", "changes", "you_told_us")


def _id(check: Checker, raw: Any) -> str | None:
    if raw is None:
        return None
    rule = "decision id (letters, digits, - or _, at most 32 characters)"
    return check.string("id", str(raw) if isinstance(raw, int) else raw, DECISION_ID, rule)


def _status(check: Checker, raw: Any) -> DecisionStatus | None:
    if raw is None:
        return None
    names = [status.value for status in DecisionStatus]
    if raw not in names:
        hint = did_you_mean(str(raw), names)
        check.problem(
            "status",
            f"must be one of {', '.join(names)}{hint}",
            ProblemCode.NOT_ONE_OF,
            expected=", ".join(names),
            **suggested(str(raw), names),
        )
        return None
    return DecisionStatus(raw)


def _texts(check: Checker, path: str, raw: Any, survey: Survey | None) -> dict[str, str] | None:
    """A text per language; languages need not all be there (publishing checks that)."""
    if raw is None:
        return None
    if isinstance(raw, str) and survey is not None:
        raw = {survey.default_language: raw}
    mapping = check.mapping(path, raw, f"'{path}' (a text per language)")
    if mapping is None:
        return None
    texts: dict[str, str] = {}
    limit = MAX_MESSAGE_CHARS if path in ("message", "rationale") else 1000
    for language, text in mapping.items():
        where = join_path(path, language)
        if survey is not None and language not in survey.languages:
            hint = did_you_mean(language, survey.languages)
            declared = ", ".join(survey.languages)
            check.problem(
                where,
                f"'{language}' is not a language of the campaign ({declared}){hint}",
                ProblemCode.UNDECLARED_LANGUAGE,
                language=str(language),
                languages=declared,
                **suggested(str(language), survey.languages),
            )
        elif not isinstance(text, str) or not text.strip():
            check.problem(where, "must be a non-empty text", ProblemCode.EMPTY_TEXT, found="")
        elif len(text) > limit:
            check.problem(
                where,
                f"is {len(text)} characters; keep it under {limit}",
                ProblemCode.TEXT_TOO_LONG,
                length=len(text),
                limit=limit,
            )
        else:
            texts[language] = " ".join(text.split()) if path != "message" else text.strip()
    return texts


def _require_default(
    check: Checker, key: str, texts: dict[str, str] | None, survey: Survey | None
) -> None:
    if texts is None or survey is None or not texts:
        return
    if survey.default_language not in texts:
        check.problem(
            key,
            f"give at least the campaign's default language ({survey.default_language})",
            ProblemCode.DEFAULT_LANGUAGE_NEEDED,
            language=survey.default_language,
        )


def _date(check: Checker, raw: Any) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        check.problem(
            "effective",
            f"{raw!r} is not a date like 2027-03-31",
            ProblemCode.NOT_A_DATE,
            found=repr(raw),
        )
        return None


def _links(
    check: Checker, raw: Any, survey: Survey | None
) -> tuple[Rule | None, tuple[ResponseRef, ...]]:
    if raw is None:
        return None, ()
    node = check.mapping("linked_to", raw, "'linked_to'")
    if node is None:
        return None, ()
    check.keys("linked_to", node, ("rule", "responses"), what="'linked_to'")
    if "rule" not in node and "responses" not in node:
        check.problem(
            "linked_to",
            "link the decision with a 'rule', 'responses', or both",
            ProblemCode.LINK_NEEDED,
        )
        return None, ()
    rule = read_rule(check, "linked_to.rule", node["rule"], survey) if "rule" in node else None
    responses = _responses(check, node.get("responses"), survey)
    return rule, responses


def _responses(check: Checker, raw: Any, survey: Survey | None) -> tuple[ResponseRef, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        check.problem(
            "linked_to.responses",
            "must be a list of response ids",
            ProblemCode.RESPONSES_NOT_A_LIST,
        )
        return ()
    found: list[ResponseRef] = []
    for index, item in enumerate(raw):
        where = f"linked_to.responses[{index}]"
        participant, _, question = str(item).partition("/")
        if not isinstance(item, str) or not RESPONDENT.match(participant):
            check.problem(
                where,
                f"{item!r} is not a response id: a participant (p-…, as in exports), "
                "optionally followed by /question_id",
                ProblemCode.NOT_A_RESPONSE_ID,
                found=repr(item),
            )
            continue
        if question and survey is not None and survey.question(question) is None:
            check.problem(
                where,
                f"the campaign has no question '{question}'",
                ProblemCode.NO_SUCH_QUESTION,
                question=question,
            )
            continue
        found.append(ResponseRef(participant, question or None))
    return tuple(dict.fromkeys(found))
