"""Several master keys at once, by id: new data keys and transit seals use the current one, and
what an older one wrapped or sealed still opens until it is moved under the current one."""

from __future__ import annotations

import base64
import os

import pytest

from bot.app import server_crypto
from bot.privacy import DecryptionError, ParticipantCrypto, wrapped_key_id
from bot.secret import Secret
from bot.settings import SettingsError, read_settings

OLD, NEW, ID_SECRET = os.urandom(32), os.urandom(32), os.urandom(32)
BEFORE = ParticipantCrypto(Secret(OLD), Secret(ID_SECRET))
DURING = ParticipantCrypto(
    Secret(NEW), Secret(ID_SECRET), master_key_id=1, older_master_keys=((0, Secret(OLD)),)
)
AFTER = ParticipantCrypto(Secret(NEW), Secret(ID_SECRET), master_key_id=1)


def test_during_a_rotation_both_keys_open_and_new_keys_are_wrapped_under_the_new_one() -> None:
    key, wrapped = BEFORE.new_data_key()
    sealed = BEFORE.seal_in_transit("the tower is far", b"event-1")
    assert DURING.unwrap_data_key(wrapped) == key
    assert DURING.open_in_transit(sealed, b"event-1") == "the tower is far"
    _, fresh = DURING.new_data_key()
    assert wrapped_key_id(fresh) == 1
    with pytest.raises(DecryptionError):  # sealed under the new key, not the old one
        BEFORE.open_in_transit(DURING.seal_in_transit("x", b"e"), b"e")


def test_moved_under_the_new_key_it_opens_without_the_old_one() -> None:
    key, wrapped = BEFORE.new_data_key()
    again = DURING.rewrapped(wrapped)
    assert again is not None
    assert DURING.rewrapped(again) is None  # already under the current key
    assert AFTER.unwrap_data_key(again) == key
    with pytest.raises(DecryptionError):
        AFTER.unwrap_data_key(wrapped)  # the old key retired: the copy in a backup is noise
    sealed = BEFORE.seal_in_transit("secret", b"staff")
    resealed = DURING.resealed_in_transit(sealed, b"staff")
    assert resealed is not None
    assert AFTER.open_in_transit(resealed, b"staff") == "secret"
    with pytest.raises(DecryptionError):
        AFTER.open_in_transit(sealed, b"staff")


def test_two_keys_with_one_id_are_refused() -> None:
    with pytest.raises(ValueError, match="same id"):
        ParticipantCrypto(Secret(NEW), Secret(ID_SECRET), older_master_keys=((0, Secret(OLD)),))


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_a_shared_redis_takes_its_keys_and_their_ids_from_the_settings() -> None:
    settings = read_settings(
        {
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "SAUTI_MASTER_KEY": _b64(NEW),
            "SAUTI_MASTER_KEY_ID": "1",
            "SAUTI_PREVIOUS_MASTER_KEYS": f"0:{_b64(OLD)}",
            "SAUTI_ID_SECRET": _b64(ID_SECRET),
        },
        config_path=None,
    )
    crypto = server_crypto(settings)
    assert crypto.master_key_ids == (1, 0)
    _, wrapped = BEFORE.new_data_key()
    assert crypto.rewrapped(wrapped) is not None


def test_a_malformed_list_of_older_keys_names_the_setting_and_never_the_key() -> None:
    broken = f"0:{_b64(OLD)},0:{_b64(NEW)}"
    with pytest.raises(SettingsError) as caught:
        read_settings({"SAUTI_PREVIOUS_MASTER_KEYS": broken}, config_path=None)
    message = str(caught.value)
    assert "SAUTI_PREVIOUS_MASTER_KEYS" in message
    assert "id 0 twice" in message
    assert _b64(OLD) not in message
