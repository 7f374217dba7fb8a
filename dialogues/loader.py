"""Turn survey YAML text into a validated `Survey`, or every mistake with its line and path."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from dialogues.checking import Checker, did_you_mean, suggested
from dialogues.errors import Problem, SurveyDefinitionError
from dialogues.localization import builtin_catalog
from dialogues.migrations import CURRENT_SPEC_VERSION, migrate
from dialogues.model import DateOrder, Language, Survey
from dialogues.overrides import check_system_texts
from dialogues.problem_codes import ProblemCode
from dialogues.question_rules import build_questions
from dialogues.yaml_source import read_yaml

# Ten years: a longer retention is a mistake (days typed as hours, say), not a policy.
MAX_RETENTION_DAYS = 3650
_CAMPAIGN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_TOP_KEYS = (
    "spec_version",
    "id",
    "organisation",
    "title",
    "languages",
    "default_language",
    "allow_fallback",
    "shared_phones",
    "translation_status",
    "promise",
    "report_back_by",
    "retention_days",
    "intro",
    "thanks",
    "data_notice",
    "date_order",
    "system_texts",
    "questions",
)
_REQUIRED = ("id", "organisation", "title", "languages", "default_language", "promise")
_TRANSLATION_STATES = ("reviewed", "machine-drafted", "draft")
_DATE_ORDERS: tuple[DateOrder, ...] = ("day_first", "month_first")


@dataclass(frozen=True, slots=True)
class Validation:
    """The outcome of checking a survey file: a survey when there are no problems."""

    survey: Survey | None
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]


def parse(text: str) -> Survey:
    """Parse and validate survey YAML. Raises SurveyDefinitionError listing every problem."""
    result = validate(text)
    if result.survey is None:
        raise SurveyDefinitionError(result.problems)
    return result.survey


def validate(text: str) -> Validation:
    """Check survey YAML, collecting every problem (with its line) and advisory warnings."""
    document = read_yaml(text)
    check = Checker(document)
    if document.value is None and not check.problems:
        check.problem("", "the file is empty", ProblemCode.EMPTY_FILE)
    if document.value is None:
        return Validation(None, tuple(check.problems), ())
    root = check.mapping("", document.value, "a survey file")
    if root is None:
        return Validation(None, tuple(check.problems), ())
    if not _spec_version(check, root):
        return Validation(None, tuple(_in_file_order(check)), ())
    check.keys("", root, _TOP_KEYS, required=(*_REQUIRED, "questions"), what="a survey")
    _languages(check, root)
    survey = _survey(check, root, text)
    warnings = _warnings(check, root)
    if check.problems:
        return Validation(None, tuple(_in_file_order(check)), tuple(warnings))
    return Validation(survey, (), tuple(warnings))


def _in_file_order(check: Checker) -> list[Problem]:
    return sorted(check.problems, key=lambda p: p.line if p.line is not None else 0)


def _spec_version(check: Checker, root: dict[str, Any]) -> bool:
    """Check and migrate `spec_version`; False when the rest cannot be read."""
    if "spec_version" not in root:
        check.problem(
            "",
            f"'spec_version' is required (this Sauti writes {CURRENT_SPEC_VERSION})",
            ProblemCode.SPEC_VERSION_REQUIRED,
            current=CURRENT_SPEC_VERSION,
        )
        return False
    version = check.integer("spec_version", root["spec_version"], 0)
    if version is None:
        return False
    if version > CURRENT_SPEC_VERSION:
        check.problem(
            "spec_version",
            f"spec_version {version} is newer than this Sauti understands "
            f"(up to {CURRENT_SPEC_VERSION}); upgrade Sauti to load this file",
            ProblemCode.SPEC_VERSION_NEWER,
            version=version,
            current=CURRENT_SPEC_VERSION,
        )
        return False
    migrate(check, root, version)
    return True


def _languages(check: Checker, root: dict[str, Any]) -> None:
    raw = root.get("languages")
    if raw is None:
        return
    if not isinstance(raw, list) or not raw:
        check.problem(
            "languages",
            "must be a list of language codes, like [en, sw]",
            ProblemCode.LANGUAGES_NOT_A_LIST,
        )
        return
    codes: list[str] = []
    for index, item in enumerate(raw):
        code = check.language_code(f"languages[{index}]", item)
        if code in codes:
            check.problem(
                f"languages[{index}]",
                f"'{code}' is listed twice",
                ProblemCode.LANGUAGE_TWICE,
                language=code,
            )
        elif code is not None:
            codes.append(code)
    check.languages = tuple(codes)
    check.languages_known = len(codes) == len(raw)
    check.allow_fallback = check.boolean("allow_fallback", root.get("allow_fallback"), False)
    default = root.get("default_language")
    if default is not None and default not in codes:
        hint = did_you_mean(str(default), codes)
        check.problem(
            "default_language",
            f"'{default}' is not one of the languages{hint}",
            ProblemCode.DEFAULT_NOT_A_LANGUAGE,
            language=str(default),
            **suggested(str(default), codes),
        )
    elif default is not None:
        check.default_language = default


def _survey(check: Checker, root: dict[str, Any], source: str) -> Survey | None:
    campaign_id = None
    if "id" in root:
        rule = "campaign id (letters, digits, - or _, at most 32 characters)"
        raw_id = root["id"]
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            raw_id = str(raw_id)  # `id: 2026` is a fine campaign id
        campaign_id = check.string("id", raw_id, _CAMPAIGN_ID, rule)
    texts = {
        key: check.text(key, root[key]) if root.get(key) is not None else None
        for key in ("title", "organisation", "promise", "intro", "thanks", "data_notice")
    }
    report_back_by = _date(check, "report_back_by", root.get("report_back_by"))
    retention_days = _retention_days(check, root.get("retention_days"))
    status = _translation_status(check, root.get("translation_status"))
    shared_phones = check.boolean("shared_phones", root.get("shared_phones"), False)
    date_order = _date_order(check, root.get("date_order"))
    system_texts = check_system_texts(check, root.get("system_texts"))
    questions = (
        build_questions(check, "questions", root["questions"]) if "questions" in root else ()
    )
    title, organisation, promise = texts["title"], texts["organisation"], texts["promise"]
    if campaign_id is None or title is None or organisation is None or promise is None:
        return None
    return Survey(
        id=campaign_id,
        revision=hashlib.sha256(source.encode()).hexdigest()[:12],
        title=title,
        organisation=organisation,
        languages=tuple(Language(code) for code in check.languages),
        default_language=Language(check.default_language),
        allow_fallback=check.allow_fallback,
        promise=promise,
        questions=questions,
        report_back_by=report_back_by,
        retention_days=retention_days,
        intro=texts["intro"],
        thanks=texts["thanks"],
        data_notice=texts["data_notice"],
        translation_status=status,
        shared_phones=shared_phones,
        date_order=date_order,
        system_texts=system_texts,
    )


def _date(check: Checker, path: str, raw: Any) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        check.problem(
            path, f"{raw!r} is not a date like 2027-03-31", ProblemCode.NOT_A_DATE, found=repr(raw)
        )
        return None


def _date_order(check: Checker, raw: Any) -> DateOrder:
    """How a date typed in numbers only (5/3/2026) is read; day first unless the file says."""
    for order in _DATE_ORDERS:
        if raw == order:
            return order
    if raw is not None:
        expected = ", ".join(_DATE_ORDERS)
        check.problem(
            "date_order", f"must be one of {expected}", ProblemCode.NOT_ONE_OF, expected=expected
        )
    return "day_first"


def _retention_days(check: Checker, raw: Any) -> int | None:
    """Days personal-level data is kept after the campaign closes (None: the deployment's
    default applies). 0 erases it at the first retention run after closing."""
    if raw is None:
        return None
    return check.integer("retention_days", raw, 0, MAX_RETENTION_DAYS)


def _translation_status(check: Checker, raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    mapping = check.mapping("translation_status", raw, "translation_status")
    status: dict[str, str] = {}
    for language, state in (mapping or {}).items():
        path = f"translation_status.{language}"
        if language not in check.languages:
            check.problem(
                path,
                f"'{language}' is not one of the languages",
                ProblemCode.STATUS_NOT_A_LANGUAGE,
                language=str(language),
            )
        elif state not in _TRANSLATION_STATES:
            check.problem(
                path,
                f"must be one of {', '.join(_TRANSLATION_STATES)}",
                ProblemCode.NOT_ONE_OF,
                expected=", ".join(_TRANSLATION_STATES),
            )
        else:
            status[language] = state
    return status


def _warnings(check: Checker, root: dict[str, Any]) -> list[str]:
    warnings: list[str] = []
    status = root.get("translation_status")
    if isinstance(status, dict):
        unreviewed = sorted(lang for lang, state in status.items() if state != "reviewed")
        if unreviewed:
            warnings.append(
                f"translations not yet reviewed by a native speaker: {', '.join(unreviewed)}"
            )
    catalog = builtin_catalog()
    missing = [lang for lang in check.languages if lang not in catalog.language_names]
    if missing:
        warnings.append(
            f"no built-in button and hint texts for {', '.join(missing)} yet: "
            "participants will see them in English"
        )
    return warnings
