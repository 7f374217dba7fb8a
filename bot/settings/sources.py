"""Raw values from the two sources: the environment and the TOML file.

Both are flattened to `{setting path: Raw}` so the loader parses one kind of thing. Mistakes
that would otherwise pass silently become problems here: an unknown `SAUTI_*` variable or TOML
key (a typo keeps the default and nobody notices), and secrets in a file others can read.
"""

from __future__ import annotations

import difflib
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings.fields import Leaf

CONFIG_VARIABLE = "SAUTI_CONFIG"
DEFAULT_CONFIG = Path("config") / "sauti.toml"
_OWN_PREFIX = "SAUTI_"


@dataclass(frozen=True)
class Raw:
    """A value before parsing, and where it came from (None: the environment)."""

    value: object
    file: Path | None = None

    def label(self, leaf: Leaf) -> str:
        if self.file is None:
            return leaf.spec.env
        return f"{leaf.spec.env} ({leaf.toml_key} in {self.file})"


@dataclass
class Collected:
    values: dict[tuple[str, ...], Raw] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def config_file(environ: Mapping[str, str], given: Path | str | None) -> Path | None:
    """The TOML file to read: given, named by SAUTI_CONFIG, or the default if present."""
    named = given if given is not None else environ.get(CONFIG_VARIABLE, "").strip()
    if named:
        return Path(named)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def from_environ(environ: Mapping[str, str], leaves: Iterable[Leaf]) -> Collected:
    """Set variables, stripped; an empty variable counts as unset (as compose files write it)."""
    found = Collected()
    known = {CONFIG_VARIABLE}
    for leaf in leaves:
        known.add(leaf.spec.env)
        text = environ.get(leaf.spec.env, "").strip()
        if text:
            found.values[leaf.path] = Raw(text)
    for name in sorted(environ):
        if name.startswith(_OWN_PREFIX) and name not in known:
            found.problems.append(f"{name}: unknown setting{_suggest(name, known)}")
    return found


def from_toml(path: Path, leaves: Iterable[Leaf]) -> Collected:
    found = Collected()
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
        mode = path.stat().st_mode
    except FileNotFoundError:
        found.problems.append(f"{CONFIG_VARIABLE}: no such file: {path}")
        return found
    except (OSError, tomllib.TOMLDecodeError) as error:
        found.problems.append(f"{CONFIG_VARIABLE}: cannot read {path}: {error}")
        return found
    by_path = {leaf.path: leaf for leaf in leaves}
    tables = {key[:depth] for key in by_path for depth in range(1, len(key))}
    _walk(document, (), _Schema(by_path, tables), path, found)
    secret_names = [by_path[key].spec.env for key in found.values if by_path[key].spec.secret]
    if secret_names and mode & (stat.S_IRWXG | stat.S_IRWXO):
        found.problems.append(
            f"{CONFIG_VARIABLE}: {path} holds secrets ({', '.join(secret_names)}) but group or "
            f"others may read it: chmod 600 {path}, or pass secrets in the environment"
        )
    return found


@dataclass(frozen=True)
class _Schema:
    """The TOML layout the settings tree implies: setting keys and the tables holding them."""

    leaves: Mapping[tuple[str, ...], Leaf]
    tables: set[tuple[str, ...]]


def _walk(
    table: Mapping[str, object],
    prefix: tuple[str, ...],
    schema: _Schema,
    file: Path,
    found: Collected,
) -> None:
    for key, value in table.items():
        here = (*prefix, key)
        dotted = ".".join(here)
        if here in schema.leaves:
            raw = value.strip() if isinstance(value, str) else value
            if isinstance(raw, dict):
                found.problems.append(f"{file}: {dotted}: expected a value, got a table")
            elif raw != "":  # an empty string is "unset", as in the environment
                found.values[here] = Raw(raw, file)
        elif here in schema.tables and isinstance(value, dict):
            _walk(value, here, schema, file, found)
        elif here in schema.tables:
            found.problems.append(f"{file}: [{dotted}] must be a table, got a value")
        else:
            names = {".".join(key) for key in (*schema.leaves, *schema.tables)}
            found.problems.append(f"{file}: unknown key {dotted!r}{_suggest(dotted, names)}")


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
