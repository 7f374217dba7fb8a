"""Server keys: from settings when configured, from private key files on a single machine."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from bot.app import server_crypto
from bot.secret import Secret
from bot.settings import Settings, read_settings


def test_embedded_mode_creates_and_then_reuses_key_files_under_the_data_dir(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    first = server_crypto(settings)
    assert server_crypto(settings) == first
    assert first.master_key != first.id_secret
    assert settings.master_key_path.read_bytes() == first.master_key.reveal()
    assert settings.id_secret_path.read_bytes() == first.id_secret.reveal()
    assert stat.S_IMODE(settings.key_dir.stat().st_mode) == 0o700
    assert "Secret('**********')" in repr(first)


def test_configured_keys_are_used_and_no_file_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # away from any local config/sauti.toml
    settings = read_settings(
        {
            "REDIS_URL": "redis://redis.internal:6379/0",
            "SAUTI_DATA_DIR": str(tmp_path / "var"),
            "SAUTI_MASTER_KEY": base64.b64encode(b"m" * 32).decode(),
            "SAUTI_ID_SECRET": base64.b64encode(b"i" * 32).decode(),
        },
        config_path=None,
    )
    keys = server_crypto(settings)
    assert keys.master_key == Secret(b"m" * 32)
    assert keys.id_secret == Secret(b"i" * 32)
    assert not (tmp_path / "var").exists()


def test_keys_can_live_apart_from_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = read_settings(
        {"SAUTI_DATA_DIR": str(tmp_path / "var"), "SAUTI_KEYS_DIR": str(tmp_path / "keys")},
        config_path=None,
    )
    keys = server_crypto(settings)
    assert (tmp_path / "keys" / "master.key").read_bytes() == keys.master_key.reveal()
    assert not (tmp_path / "var" / "keys").exists()
    assert server_crypto(settings) == keys  # found again where it was made
