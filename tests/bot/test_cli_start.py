"""`sauti` answers at once: a command imports only what it needs.

aiogram alone took about 4 s to import, and every command, even `--help`, paid it. Guarded
without timing (timings flake on a busy machine): each run reports which heavy libraries it
loaded, in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import SUBCOMMANDS, main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "dialogues" / "examples" / "safe_connect.yaml"
# Seconds to import on a small machine: aiogram ~4, aiohttp ~0.3, redis ~0.15.
PLATFORM_LIBRARIES = ("aiogram", "aiohttp")
HEAVY = (*PLATFORM_LIBRARIES, "redis", "cryptography", "prometheus_client")

# Runs `sauti` once per argument list (its exit is caught), then prints what it loaded.
_SCRIPT = """
import json, sys
from bot.cli import main
for argv in json.loads(sys.argv[1]):
    try:
        main(argv)
    except SystemExit:
        pass
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(loaded))
"""


def _loaded_by(runs: list[list[str]], cwd: Path, environ: dict[str, str]) -> tuple[str, list[str]]:
    """(output of the runs, top-level modules loaded) for `sauti` runs in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(runs)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=120,
        check=True,
    )
    output, _, last = result.stdout.rstrip("\n").rpartition("\n")
    return output, json.loads(last)


def _environ(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "sauti.toml"
    config.touch()  # settings from the environment alone
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SAUTI_", "REDIS_"))}
    environ.update(
        PYTHONPATH=str(REPO),
        SAUTI_CONFIG=str(config),
        SAUTI_DATA_DIR=str(tmp_path / "var"),  # its own embedded Redis
    )
    return environ


def test_help_lists_every_command_without_importing_any_of_them(tmp_path: Path) -> None:
    output, loaded = _loaded_by([["--help"]], tmp_path, _environ(tmp_path))
    for name in SUBCOMMANDS:
        assert f"    {name} " in output
    assert [name for name in HEAVY if name in loaded] == []
    assert "dialogues" not in loaded


def test_campaign_commands_skip_the_platform_libraries_even_with_platforms_configured(
    tmp_path: Path,
) -> None:
    environ = _environ(tmp_path)
    environ.update(
        TELEGRAM_BOT_TOKEN="123456:test-token",
        WHATSAPP_ACCESS_TOKEN="test-access-token",
        WHATSAPP_PHONE_NUMBER_ID="1234567890",
        WHATSAPP_APP_SECRET="test-app-secret",
        WHATSAPP_VERIFY_TOKEN="test-verify-token",
    )
    runs = [
        ["campaign", "load", str(EXAMPLE), "--open", "--accept-machine-drafted"],
        ["campaign", "list"],
    ]
    output, loaded = _loaded_by(runs, tmp_path, environ)
    assert "campaign 'safe-connect-2026' loaded for 'default' (open)" in output
    assert "safe-connect-2026\tdefault\topen\tstarted 0" in output
    assert [name for name in PLATFORM_LIBRARIES if name in loaded] == []


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_every_command_shows_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        main([command, "--help"])
    assert leaving.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith(f"usage: sauti {command} ")
