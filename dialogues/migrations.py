"""Bring older survey files up to the current spec_version, in place, keeping line numbers.

spec_version 0 is the pre-release draft shape, written the way XLSForm/ODK authors think:
`type` with ODK type names, `label`, `choices` with `name`/`label`, and `required` (questions
are optional unless `required: true`, as in XLSForm).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogues.checking import join_path
from dialogues.yaml_source import YamlDocument

CURRENT_SPEC_VERSION = 1

_V0_KINDS = {
    "select_one": ("single_choice", {}),
    "select_multiple": ("multiple_choice", {}),
    "integer": ("number", {"integer": True}),
    "decimal": ("number", {"integer": False}),
    "text": ("text", {}),
    "note": ("info", {}),
    "yes_no": ("yes_no", {}),
    "scale": ("scale", {}),
}


def _rename(document: YamlDocument, path: str, mapping: dict[str, Any], old: str, new: str) -> None:
    if old in mapping and new not in mapping:
        mapping[new] = mapping.pop(old)
        line = document.lines.get(join_path(path, old))
        if line is not None:
            document.lines[join_path(path, new)] = line


def _v0_to_v1(document: YamlDocument, root: dict[str, Any]) -> None:
    questions = root.get("questions")
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(question, dict):
            continue
        path = join_path("questions", index)
        for old, new in (("name", "id"), ("type", "kind"), ("label", "text")):
            _rename(document, path, question, old, new)
        _rename(document, path, question, "choices", "options")
        if question.get("kind") in _V0_KINDS:
            kind, extra = _V0_KINDS[question["kind"]]
            question["kind"] = kind
            for key, value in extra.items():
                question.setdefault(key, value)
        if question.get("kind") != "info":
            required = question.pop("required", False)
            question["optional"] = not required if isinstance(required, bool) else required
        options = question.get("options")
        for option_index, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict):
                option_path = join_path(join_path(path, "options"), option_index)
                _rename(document, option_path, option, "name", "id")
                _rename(document, option_path, option, "label", "text")
    root["spec_version"] = 1


#: MIGRATIONS[n] turns a version-n document into version n+1.
MIGRATIONS: dict[int, Callable[[YamlDocument, dict[str, Any]], None]] = {0: _v0_to_v1}


def migrate(document: YamlDocument, root: dict[str, Any], version: int) -> None:
    """Apply every migration from `version` up to the current one."""
    while version < CURRENT_SPEC_VERSION:
        MIGRATIONS[version](document, root)
        version += 1
