"""The core stays pure: importing `dialogues` pulls in no network or storage library, and no code
in `dialogues/` reads the clock, the environment or files outside its own package data."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import dialogues

PACKAGE = Path(dialogues.__file__).parent
FORBIDDEN_MODULES = ("redis", "aiohttp", "aiogram", "httpx", "pywa", "requests", "urllib3")
CLOCK_CALLS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "perf_counter"}


def test_importing_dialogues_pulls_in_no_io_library() -> None:
    script = (
        "import importlib, json, pkgutil, sys, dialogues\n"
        "for m in pkgutil.walk_packages(dialogues.__path__, 'dialogues.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", script], text=True))
    offenders = [m for m in loaded if m.split(".")[0] in FORBIDDEN_MODULES]
    assert offenders == []


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_dialogues_never_reads_the_clock() -> None:
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if "time" in names or module == "time":
                    offenders.append(f"{path.name}:{node.lineno} imports time")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
            ):
                offenders.append(f"{path.name}:{node.lineno} calls .{node.func.attr}()")
    assert offenders == []


def test_dialogues_reads_no_environment_and_opens_no_files() -> None:
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                offenders.append(f"{path.name}:{node.lineno} reads the environment")
            if isinstance(node, ast.Call) and _called_name(node) == "open":
                offenders.append(f"{path.name}:{node.lineno} opens a file")
    assert offenders == []


def test_the_clock_check_would_catch_a_clock_read(tmp_path: Path) -> None:
    # Guard against the scan above silently matching nothing.
    tree = ast.parse("import datetime\nx = datetime.datetime.now()\n")
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(isinstance(c.func, ast.Attribute) and c.func.attr in CLOCK_CALLS for c in calls)


def _called_name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else None
