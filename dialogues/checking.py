"""Shared helpers for validating a survey document: typed field readers that collect located
problems instead of stopping at the first one."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from typing import Any

from dialogues.errors import Problem
from dialogues.problem_codes import Param, ProblemCode
from dialogues.yaml_source import YamlDocument

MAX_TEXT_LENGTH = 4096  # Telegram's message limit; WhatsApp's interactive body is shorter still
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
LANGUAGE_CODE = _LANGUAGE_CODE  # the codes a survey may name: translators' files take the same

# Keys authors bring from XLSForm/ODK or guess; a plain spelling hint cannot find these.
KEY_HINTS = {
    "type": "kind",
    "label": "text",
    "question": "text",
    "choices": "options",
    "answers": "options",
    "name": "id",
    "required": "optional",
    "condition": "relevant",
    "if": "relevant",
    "show_if": "relevant",
    "maxlength": "max_length",
    "minimum": "min",
    "maximum": "max",
}


def closest(word: str, candidates: Collection[str]) -> str | None:
    """The candidate `word` was most likely meant to be, or None when nothing is close."""
    hinted = KEY_HINTS.get(word)
    if hinted is not None and hinted in candidates:
        return hinted
    # Two-letter language codes differ by one letter at most ('sv' for 'sw'): a lower cutoff.
    cutoff = 0.5 if len(word) <= 3 else 0.6
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Collection[str]) -> str:
    """' — did you mean 'x'?' or '' when nothing is close."""
    close = closest(word, candidates)
    return f"; did you mean '{close}'?" if close is not None else ""


def suggested(word: str, candidates: Collection[str]) -> dict[str, Param]:
    """The `suggestion` parameter of a problem (a page adds "did you mean" in its reader's
    language), or no parameter when nothing is close."""
    close = closest(word, candidates)
    return {"suggestion": close} if close is not None else {}


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Checker:
    """Collects problems for one document. Readers return None when a value is unusable."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.problems: list[Problem] = list(document.problems)
        self.languages: tuple[str, ...] = ()
        # False when `languages` is missing or broken: texts are then not checked against it,
        # so one typo in `languages` does not become one error per text.
        self.languages_known = False
        self.default_language = ""
        self.allow_fallback = False

    def problem(self, path: str, message: str, code: ProblemCode, /, **params: Param) -> None:
        """Record a mistake: `message` in English, `code` and `params` for other languages."""
        line = self.document.line_of(path)
        self.problems.append(Problem(path, message, line, code=code, params=params))

    def keys(
        self,
        path: str,
        mapping: Mapping[str, Any],
        allowed: Collection[str],
        required: Collection[str] = (),
        what: str = "",
    ) -> None:
        for key in mapping:
            if key not in allowed:
                where = f" in {what}" if what else ""
                hint = did_you_mean(key, allowed)
                self.problem(
                    join_path(path, key),
                    f"unknown key '{key}'{where}{hint}",
                    ProblemCode.UNKNOWN_KEY,
                    key=key,
                    **suggested(key, allowed),
                )
        for key in required:
            if key not in mapping:
                self.problem(path, f"'{key}' is required", ProblemCode.REQUIRED_KEY, key=key)

    def mapping(self, path: str, value: Any, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(
            path,
            f"{what} must be a mapping of keys to values, found {_kind(value)}",
            ProblemCode.NOT_A_MAPPING,
            found=_kind(value),
        )
        return None

    def string(self, path: str, value: Any, pattern: re.Pattern[str], rule: str) -> str | None:
        if not isinstance(value, str) or not pattern.match(value):
            self.problem(
                path,
                f"{_show(value)} is not a valid {rule}",
                ProblemCode.BAD_ID,
                found=_show(value),
            )
            return None
        return value

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.problem(
            path,
            f"must be true or false, found {_show(value)}",
            ProblemCode.NOT_A_BOOLEAN,
            found=_show(value),
        )
        return default

    def integer(
        self, path: str, value: Any, low: int | None = None, high: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                path,
                f"must be a whole number, found {_show(value)}",
                ProblemCode.NOT_AN_INTEGER,
                found=_show(value),
            )
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            if high is not None:
                self.problem(
                    path,
                    f"must be {bounds}, found {value}",
                    ProblemCode.OUT_OF_RANGE,
                    low=low if low is not None else "",
                    high=high,
                    found=value,
                )
            else:
                self.problem(
                    path,
                    f"must be {bounds}, found {value}",
                    ProblemCode.TOO_SMALL,
                    low=low if low is not None else "",
                    found=value,
                )
            return None
        return value

    def number(self, path: str, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(
                path,
                f"must be a number, found {_show(value)}",
                ProblemCode.NOT_A_NUMBER,
                found=_show(value),
            )
            return None
        return value

    def language_code(self, path: str, value: Any) -> str | None:
        if isinstance(value, str) and _LANGUAGE_CODE.match(value):
            return value
        if isinstance(value, str) and _LANGUAGE_CODE.match(value.lower()):
            self.problem(
                path,
                f"write language codes in lower case: '{value.lower()}'",
                ProblemCode.LANGUAGE_UPPER_CASE,
                written=value.lower(),
            )
            return None
        self.problem(
            path,
            f"{_show(value)} is not a language code like 'en', 'sw' or 'fr-CD'",
            ProblemCode.NOT_A_LANGUAGE_CODE,
            found=_show(value),
        )
        return None

    def text(self, path: str, value: Any) -> dict[str, str] | None:
        """A participant-facing text: language -> text, in every declared language."""
        if isinstance(value, str) and len(self.languages) == 1:
            value = {self.languages[0]: value}
        if not isinstance(value, dict):
            example = ", ".join(f"{lang}: ..." for lang in self.languages[:2]) or "en: ..."
            self.problem(
                path,
                f"must give the text per language, like {{{example}}}",
                ProblemCode.TEXT_NOT_PER_LANGUAGE,
                example=f"{{{example}}}",
            )
            return None
        texts: dict[str, str] = {}
        for language, text in value.items():
            where = join_path(path, language)
            if self.languages_known and language not in self.languages:
                hint = did_you_mean(language, self.languages)
                declared = ", ".join(self.languages)
                self.problem(
                    where,
                    f"'{language}' is not one of the languages ({declared}){hint}",
                    ProblemCode.UNDECLARED_LANGUAGE,
                    language=str(language),
                    languages=declared,
                    **suggested(str(language), self.languages),
                )
            elif not isinstance(text, str) or not text.strip():
                self.problem(
                    where,
                    f"must be a non-empty text, found {_show(text)}",
                    ProblemCode.EMPTY_TEXT,
                    found=_show(text),
                )
            elif len(text) > MAX_TEXT_LENGTH:
                self.problem(
                    where,
                    f"is {len(text)} characters; the limit is {MAX_TEXT_LENGTH}",
                    ProblemCode.TEXT_TOO_LONG,
                    length=len(text),
                    limit=MAX_TEXT_LENGTH,
                )
            else:
                texts[language] = text
        missing = [lang for lang in self.languages if lang not in value and self.languages_known]
        if missing and not (self.allow_fallback and self.default_language in texts):
            self.problem(
                path,
                f"missing translation for {', '.join(missing)}"
                + ("" if self.allow_fallback else " (or set allow_fallback: true)"),
                ProblemCode.MISSING_TRANSLATION,
                languages=", ".join(missing),
            )
        return texts


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return _show(value)


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list | dict):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
