"""Reading settings: sources → parse every value → cross-checks → one error or one object.

Nothing stops at the first problem: an operator fixing a deployment sees the whole list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.settings import sources
from bot.settings.errors import SettingsError
from bot.settings.fields import InvalidValueError, build, leaves
from bot.settings.model import Settings
from bot.settings.rules import consistency_problems


def read_settings(
    environ: Mapping[str, str] | None = None, config_path: Path | str | None = None
) -> Settings:
    """Read settings from `environ` (default: the process environment) over a TOML file.

    The file is `config_path`, else `$SAUTI_CONFIG`, else `config/sauti.toml` if it exists.
    Raises `SettingsError` listing every missing or malformed value by its variable name.
    """
    # The one place in the code base that reads the process environment.
    env: Mapping[str, str] = os.environ if environ is None else environ
    all_leaves = list(leaves(Settings))
    problems: list[str] = []
    raw: dict[tuple[str, ...], sources.Raw] = {}
    file = sources.config_file(env, config_path)
    if file is not None:
        from_file = sources.from_toml(file, all_leaves)
        problems += from_file.problems
        raw.update(from_file.values)
    from_env = sources.from_environ(env, all_leaves)
    problems += from_env.problems
    raw.update(from_env.values)  # the environment wins over the file

    values: dict[tuple[str, ...], object] = {}
    rejected: set[str] = set()
    for leaf in all_leaves:
        if leaf.path not in raw:
            continue
        try:
            values[leaf.path] = leaf.spec.parse(raw[leaf.path].value)
        except InvalidValueError as error:
            problems.append(f"{raw[leaf.path].label(leaf)}: {error}")
            rejected.add(leaf.spec.env)

    settings = build(Settings, values)
    for name, message in consistency_problems(settings):
        if name not in rejected:  # one complaint per variable is enough
            problems.append(f"{name}: {message}")
    if problems:
        raise SettingsError(problems)
    return settings
