"""Key files: private on creation, stable afterwards, refused rather than guessed at."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from bot.privacy import KeyFileError, load_or_create_key


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_key_file_is_32_bytes_owner_only_in_an_owner_only_directory(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys" / "master.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert path.read_bytes() == key
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700


def test_permissions_do_not_depend_on_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        path = tmp_path / "keys" / "master.key"
        load_or_create_key(path)
    finally:
        os.umask(previous)
    assert (mode_of(path), mode_of(path.parent)) == (0o600, 0o700)


def test_the_second_call_returns_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "master.key"
    assert load_or_create_key(path) == load_or_create_key(path)
    assert [entry.name for entry in path.parent.iterdir()] == ["master.key"]  # no temp files


def test_different_files_hold_different_keys(tmp_path: Path) -> None:
    assert load_or_create_key(tmp_path / "k" / "a.key") != load_or_create_key(tmp_path / "k" / "b")


def test_processes_starting_together_end_up_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "master.key"
    start = threading.Barrier(8)
    keys: list[bytes] = []

    def racer() -> None:
        start.wait()
        keys.append(load_or_create_key(path))

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert set(keys) == {path.read_bytes()}
    assert [entry.name for entry in path.parent.iterdir()] == ["master.key"]


@pytest.mark.parametrize("mode", [0o640, 0o644, 0o604, 0o660, 0o610])
def test_a_key_file_others_can_access_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "keys" / "master.key"
    load_or_create_key(path)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"too open.*chmod 600 {path}"):
        load_or_create_key(path)


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_a_key_file_of_the_wrong_size_is_refused_and_left_alone(tmp_path: Path, size: int) -> None:
    path = tmp_path / "keys" / "master.key"
    path.parent.mkdir(mode=0o700)
    content = b"x" * size
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="expected exactly 32 bytes"):
        load_or_create_key(path)
    assert path.read_bytes() == content


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_a_key_directory_others_can_write_to_is_refused(tmp_path: Path, mode: int) -> None:
    directory = tmp_path / "keys"
    directory.mkdir()
    directory.chmod(mode)
    with pytest.raises(KeyFileError, match="chmod 700"):
        load_or_create_key(directory / "master.key")
    assert list(directory.iterdir()) == []


def test_an_existing_readable_directory_is_accepted_and_left_as_it_is(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    directory.mkdir()
    directory.chmod(0o755)
    load_or_create_key(directory / "master.key")
    assert mode_of(directory) == 0o755


def test_a_directory_in_place_of_the_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "master.key"
    path.mkdir(parents=True)
    path.parent.chmod(0o700)
    with pytest.raises(KeyFileError):
        load_or_create_key(path)
