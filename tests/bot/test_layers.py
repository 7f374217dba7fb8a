"""The floor plan holds: each folder of `bot/` imports only from the layers below it, no module
imports another that imports it back, and the pure folders stay pure (no I/O library, no
clock, no environment, no file opened; their texts come as package data).

`docs/architecture.md` explains the layers. Every import counts, including those inside a
function or under `TYPE_CHECKING`: hiding an import does not change which way the code leans.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot

ROOT = Path(bot.__file__).parent.parent

# Bottom to top: a module may import from its own layer and the layers below, never above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.secret", "bot.time_zones"),  # leaves: import nothing from Sauti
    ("bot.settings",),
    ("bot.privacy",),
    ("bot.conversation",),  # pure: what Sauti says back, no I/O
    ("bot.storage",),  # Redis: clients, the embedded server, scripts, the key schema
    ("bot.audit",),  # the audit log of each organisation
    ("bot.access",),  # organisations, staff, roles, the permission check, pseudonyms
    ("bot.records",),  # stores and queries over Redis
    ("bot.understanding",),  # reading typed messages: the embedded model or a Rasa server
    ("bot.runtime",),  # the durable pipeline
    ("bot.channels",),  # Telegram, WhatsApp, the web chat
    ("bot.loop",),  # closing the feedback loop in Redis
    ("bot.panels",),  # panels, and inviting them to new campaigns
    (  # entry points and the composition root
        "bot.app",
        "bot.run",
        "bot.web",
        "bot.staff_web",
        "bot.console",
        "bot.api",
        "bot.console",
        "bot.web_log",
        "bot.compression",
        "bot.metrics_http",
        "bot.cli",
        "bot.commands",
        "bot.terminal",
    ),
)
CHANNELS = ("bot.channels.telegram", "bot.channels.whatsapp", "bot.channels.webchat")
PURE = ("bot.conversation", "bot.time_zones", "bot.secret")
IO_LIBRARIES = ("redis", "aiohttp", "aiogram", "httpx", "prometheus_client", "jinja2", "asyncio")
CLOCK_CALLS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "perf_counter"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import of a Sauti module in one file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from bot.runtime import scripts` imports the module bot.runtime.scripts;
                # `from bot.privacy import seal` what the package's __init__ gathers.
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in modules else base), node.lineno


def _graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        for target, line in _imports(name, path, modules):
            if target in modules and target != name:
                graph[name].setdefault(target, line)
    return graph


def _layer(module: str) -> int:
    for index, members in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return index
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in this test")


def _owner(module: str) -> str:
    return next((c for c in CHANNELS if module == c or module.startswith(c + ".")), "")


def against_the_rule() -> list[str]:
    """Imports that climb a layer, or go from one channel into another."""
    wrong = []
    for module, targets in _graph().items():
        for target, line in targets.items():
            if _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target} (a layer above, line {line})")
            elif _owner(module) and _owner(target) and _owner(module) != _owner(target):
                wrong.append(f"{module} imports {target} (another channel, line {line})")
    return sorted(wrong)


def cycles() -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan): modules that import each other round."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return sorted(found)


def test_every_folder_imports_only_from_the_layers_below_it() -> None:
    assert against_the_rule() == []


def test_no_modules_import_each_other_round_in_a_circle() -> None:
    assert cycles() == []


def test_the_checks_would_catch_an_import_from_above_and_a_circle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guard against the scans silently matching nothing: a small tree that breaks both rules.
    files = {
        "bot/__init__.py": "",
        "bot/app.py": "from bot.runtime.worker import Worker\n",
        "bot/runtime/__init__.py": "",
        "bot/runtime/worker.py": "def f():\n    from bot import app\n",
        "bot/channels/__init__.py": "",
        "bot/channels/telegram/__init__.py": "",
        "bot/channels/telegram/client.py": "from bot.channels.whatsapp.render import x\n",
        "bot/channels/whatsapp/__init__.py": "",
        "bot/channels/whatsapp/render.py": "x = 1\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert against_the_rule() == [
        "bot.channels.telegram.client imports bot.channels.whatsapp.render (another channel,"
        " line 1)",
        "bot.runtime.worker imports bot.app (a layer above, line 2)",
    ]
    assert cycles() == [["bot.app", "bot.runtime.worker"]]


def test_importing_the_pure_folders_pulls_in_no_io_library() -> None:
    script = (
        "import importlib, json, pkgutil, sys\n"
        "import bot.conversation, bot.time_zones, bot.secret\n"
        "for m in pkgutil.walk_packages(bot.conversation.__path__, 'bot.conversation.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", script], text=True))
    assert [m for m in loaded if m.split(".")[0] in IO_LIBRARIES] == []


def test_the_pure_folders_never_read_the_clock_or_the_environment_nor_open_files() -> None:
    # Package data (texts) is read through importlib.resources, as in dialogues.
    offenders = []
    for name, path in _modules().items():
        if not any(name == p or name.startswith(p + ".") for p in PURE):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                if "time" in names or (isinstance(node, ast.ImportFrom) and node.module == "time"):
                    offenders.append(f"{name}:{node.lineno} imports time")
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                offenders.append(f"{name}:{node.lineno} reads the environment")
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in CLOCK_CALLS:
                    offenders.append(f"{name}:{node.lineno} calls .{func.attr}()")
                if isinstance(func, ast.Name) and func.id == "open":
                    offenders.append(f"{name}:{node.lineno} opens a file")
    assert offenders == []
