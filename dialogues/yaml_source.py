"""Read YAML into plain values while remembering the line of every path, for located errors.

Two deliberate departures from PyYAML's defaults, both because survey authors trip on them:
only `true`/`false` are booleans (YAML 1.1 also turns `no`, `yes`, `on`, `off` into booleans —
fatal for Norwegian (`no`) or a yes/no option id), and a key written twice is an error instead of
the later value silently winning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from dialogues.errors import Problem

_BOOL_TAG = "tag:yaml.org,2002:bool"
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SurveyYamlLoader(_Base):  # type: ignore[valid-type, misc]
    """SafeLoader (libyaml-backed when available) with YAML 1.2 booleans."""


_SurveyYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_SurveyYamlLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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
        document.problems.append(Problem("", message, line))
        document.value = None
    except yaml.YAMLError as error:
        document.problems.append(Problem("", f"not valid YAML: {error}"))
        document.value = None
    finally:
        loader.dispose()
    return document


def _convert(loader: Any, node: yaml.Node, path: str, document: YamlDocument) -> Any:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                str(loader.construct_object(key_node))
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if key is None:
                line = key_node.start_mark.line + 1
                document.problems.append(Problem(path, "keys must be plain words", line))
                continue
            child = f"{path}.{key}" if path else key
            if key in mapping:
                line = key_node.start_mark.line + 1
                document.problems.append(Problem(child, f"'{key}' is written twice", line))
                continue
            document.lines[child] = key_node.start_mark.line + 1
            mapping[key] = _convert(loader, value_node, child, document)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, f"{path}[{index}]", document)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node)
