"""Lua scripts, one per `.lua` file in this folder, run through one `Script` class (`script`).

Each file starts with a header: what the script does, its KEYS, its ARGV and what it returns.
A line `--- @include "includes/<name>.lua"` is replaced by that fragment when the script is
loaded, so a fragment several scripts share is written once. `bot.storage.scripts` names every
script Sauti runs.
"""

from bot.storage.lua.script import BatchStep, Script, ScriptCall, load, run_batch

__all__ = ["BatchStep", "Script", "ScriptCall", "load", "run_batch"]
