"""Bring older survey files up to the current spec_version, in place, keeping line numbers.

spec_version 0 is the pre-release draft shape, written the way XLSForm/ODK authors think:
`type` with ODK type names, `label`, `choices` with `name`/`label`, and `required` (questions
are optional unless `required: true`, as in XLSForm, which also accepts yes/no there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogues.checking import Checker, did_you_mean, join_path, suggested
from dialogues.problem_codes import ProblemCode

CURRENT_SPEC_VERSION = 1

_V0_KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "select_one": ("single_choice", {}),
    "select_multiple": ("multiple_choice", {}),
    "integer": ("number", {"integer": True}),
    "decimal": ("number", {"integer": False}),
    "text": ("text", {}),
    "note": ("info", {}),
    "yes_no": ("yes_no", {}),
    "scale": ("scale", {}),
}
_V0_REQUIRED = {True: True, False: False, "yes": True, "no": False, "true": True, "false": False}


def _rename(check: Checker, path: str, mapping: dict[str, Any], old: str, new: str) -> None:
    """Rename a key, and move the lines of everything under it to the new path."""
    if old not in mapping or new in mapping:
        return
    mapping[new] = mapping.pop(old)
    lines = check.document.lines
    old_path, new_path = join_path(path, old), join_path(path, new)
    for known in [
        p for p in lines if p == old_path or p.startswith((old_path + ".", old_path + "["))
    ]:
        lines[new_path + known[len(old_path) :]] = lines[known]


def _v0_question(check: Checker, path: str, question: dict[str, Any]) -> None:
    for old, new in (("name", "id"), ("type", "kind"), ("label", "text"), ("choices", "options")):
        _rename(check, path, question, old, new)
    kind = question.get("kind")
    if kind in _V0_KINDS:
        new_kind, extra = _V0_KINDS[kind]
        question["kind"] = new_kind
        for key, value in extra.items():
            question.setdefault(key, value)
    elif isinstance(kind, str):
        hint = did_you_mean(kind, _V0_KINDS)
        check.problem(
            join_path(path, "kind"),
            f"unknown type '{kind}'{hint} (spec_version 0)",
            ProblemCode.UNKNOWN_V0_TYPE,
            kind=kind,
            **suggested(kind, _V0_KINDS),
        )
        question["kind"] = None  # reported here; the v1 checks stay quiet about it
    if question.get("kind") != "info":
        required = question.pop("required", False)
        if isinstance(required, str):
            required = required.lower()
        if required in _V0_REQUIRED:
            question["optional"] = not _V0_REQUIRED[required]
        else:
            check.problem(
                join_path(path, "required"),
                "must be yes or no (true or false)",
                ProblemCode.NOT_YES_OR_NO,
            )
    options = question.get("options")
    for index, option in enumerate(options if isinstance(options, list) else []):
        if isinstance(option, dict):
            option_path = join_path(join_path(path, "options"), index)
            _rename(check, option_path, option, "name", "id")
            _rename(check, option_path, option, "label", "text")


def _v0_to_v1(check: Checker, root: dict[str, Any]) -> None:
    questions = root.get("questions")
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        if isinstance(question, dict):
            _v0_question(check, join_path("questions", index), question)
    root["spec_version"] = 1


#: MIGRATIONS[n] turns a version-n document into version n+1.
MIGRATIONS: dict[int, Callable[[Checker, dict[str, Any]], None]] = {0: _v0_to_v1}


def migrate(check: Checker, root: dict[str, Any], version: int) -> None:
    """Apply every migration from `version` up to the current one, reporting what cannot be."""
    while version < CURRENT_SPEC_VERSION:
        MIGRATIONS[version](check, root)
        version += 1
