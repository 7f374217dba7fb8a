"""Read YAML into plain values while remembering the line of every path, for located errors.

Deliberate departures from PyYAML's defaults (YAML 1.1), all because survey authors trip on them:
- only `true`/`false` are booleans (YAML 1.1 also turns `no`, `yes`, `on`, `off` into booleans —
  fatal for Norwegian (`no`) or a yes/no option id);
- numbers follow YAML 1.2: `010` and `01` stay strings instead of becoming 8 and 1, `1_0` and
  `1:30` are not numbers;
- dates are not converted (an impossible date like 2026-06-31 is reported by the validator with
  its line instead of crashing the YAML library);
- a key written twice is an error instead of the later value silently winning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from dialogues.errors import Problem
from dialogues.problem_codes import ProblemCode

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_REPLACED = {f"{_TAG}{name}" for name in ("bool", "int", "float", "timestamp")}


class _SurveyYamlLoader(_Base):  # type: ignore[valid-type, misc]
    """SafeLoader (libyaml-backed when available) with the YAML 1.2-like scalars above."""


_SurveyYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("float", r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", "-+0123456789."),
):
    _SurveyYamlLoader.add_implicit_resolver(_TAG + _tag, re.compile(_pattern), list(_first))

# Plain scalars are converted here directly: much faster than PyYAML's constructor machinery.
_SCALARS: dict[str, Callable[[str], Any]] = {
    f"{_TAG}str": str,
    f"{_TAG}int": int,
    f"{_TAG}float": float,
    f"{_TAG}bool": lambda value: value.lower() == "true",
    f"{_TAG}null": lambda value: None,
}


@dataclass
class YamlDocument:
    """Plain values (dict/list/str/int/float/bool/date/None) plus path -> 1-based line."""

    value: Any
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of its nearest ancestor the file has."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = _parent(path)


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def read_yaml(text: str) -> YamlDocument:
    """Compose `text` and convert it; YAML syntax errors become located problems."""
    loader = _SurveyYamlLoader(text)
    document = YamlDocument(value=None)
    try:
        node = loader.get_single_node()
        if node is not None:
            document.value = _convert(loader, node, "", document)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"not valid YAML: {error.problem or error.context}"
        said = str(error.problem or error.context)
        document.problems.append(
            Problem("", message, line, code=ProblemCode.NOT_YAML, params={"error": said})
        )
        document.value = None
    except yaml.YAMLError as error:
        document.problems.append(
            Problem(
                "",
                f"not valid YAML: {error}",
                code=ProblemCode.NOT_YAML,
                params={"error": str(error)},
            )
        )
        document.value = None
    finally:
        loader.dispose()
    return document


def _convert(loader: Any, node: yaml.Node, path: str, document: YamlDocument) -> Any:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                document.problems.append(
                    Problem(path, "keys must be plain words", line, code=ProblemCode.KEY_NOT_A_WORD)
                )
                continue
            key = str(_scalar(loader, key_node))
            child = f"{path}.{key}" if path else key
            if key in mapping:
                document.problems.append(
                    Problem(
                        child,
                        f"'{key}' is written twice",
                        line,
                        code=ProblemCode.DUPLICATE_KEY,
                        params={"key": key},
                    )
                )
                continue
            document.lines[child] = line
            mapping[key] = _convert(loader, value_node, child, document)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, f"{path}[{index}]", document)
            for index, item in enumerate(node.value)
        ]
    return _scalar(loader, node)


def _scalar(loader: Any, node: yaml.Node) -> Any:
    convert = _SCALARS.get(node.tag)
    return convert(node.value) if convert is not None else loader.construct_object(node)
