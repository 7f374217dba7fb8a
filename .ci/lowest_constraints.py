"""Print a pip constraints file pinning every direct dependency of Sauti to its declared floor.

pip has no "lowest versions" resolution, so CI installs with `pip install -c <this output>` to
check that the floors in pyproject.toml really work (`make test-lowest`). Every requirement
must declare a floor (`>=` or `==`): one without would leave its version to chance here.

Usage: python .ci/lowest_constraints.py [EXTRA ...] > constraints.txt   (default extra: test)
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# name, optional [extras], then the version specifiers (environment markers are not used here).
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)")
_FLOOR = re.compile(r"(?:>=|==)\s*([0-9][^,\s]*)")


def floor_pin(requirement: str) -> str:
    """`redis[hiredis]>=7.0,<9` -> `redis==7.0`: constraints may not name extras."""
    match = _REQUIREMENT.fullmatch(requirement)
    floor = _FLOOR.search(match.group(3)) if match else None
    if match is None or floor is None:
        raise SystemExit(f"lowest_constraints: no floor (>= or ==) in {requirement!r}")
    return f"{match.group(1)}=={floor.group(1)}"


def main(extras: list[str]) -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    for requirement in requirements:
        print(floor_pin(requirement))


if __name__ == "__main__":
    main(sys.argv[1:] or ["test"])
