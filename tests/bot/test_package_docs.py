"""Each package's docstring is a map of the package: it names every module in it, and no module
that is not there, so the map a newcomer reads first cannot drift from the floor."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import bot

PACKAGES = sorted(p.parent for p in Path(bot.__file__).parent.rglob("__init__.py"))
_NAME = re.compile(r"`([a-z_][a-z0-9_]*)(?:[./][^`]*)?`")


def _contents(package: Path) -> set[str]:
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    return modules | {p.name for p in package.iterdir() if (p / "__init__.py").exists()}


def _docstring(package: Path) -> str:
    return ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""


def _named(package: Path) -> set[str]:
    return set(_NAME.findall(_docstring(package)))


def _listed(package: Path) -> set[str]:
    """The names a bullet of the map starts with ("- `ledger`, `themes`: decisions...")."""
    heads = [line[2:].partition(": ")[0] for line in _docstring(package).splitlines()]
    lines = [
        head
        for line, head in zip(_docstring(package).splitlines(), heads, strict=True)
        if line.startswith("- ")
    ]
    return {name for head in lines for name in _NAME.findall(head)}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_the_docstring_names_every_module_of_its_package(package: Path) -> None:
    assert sorted(_contents(package) - _named(package)) == []


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_the_docstring_lists_no_module_that_is_not_there(package: Path) -> None:
    there = _contents(package) | {p.stem for p in package.iterdir()}
    assert sorted(_listed(package) - there) == []
