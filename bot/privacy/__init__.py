"""Participant privacy primitives: pseudonymous ids, envelope encryption, key files, redaction.

How they fit together is described in docs/data-protection.md.
"""

from bot.privacy.data_keys import new_data_key, unwrap, wrap, wrapped_key_id
from bot.privacy.errors import DecryptionError, KeyFileError, KeyMaterialError, PrivacyError
from bot.privacy.fields import decrypt_field, encrypt_field, field_aad
from bot.privacy.ids import ParticipantId, participant_id
from bot.privacy.keyfile import load_or_create_key
from bot.privacy.redaction import Redactor
from bot.privacy.server_keys import ServerKeys, load_server_keys

__all__ = [
    "DecryptionError",
    "KeyFileError",
    "KeyMaterialError",
    "ParticipantId",
    "PrivacyError",
    "Redactor",
    "ServerKeys",
    "decrypt_field",
    "encrypt_field",
    "field_aad",
    "load_or_create_key",
    "load_server_keys",
    "new_data_key",
    "participant_id",
    "unwrap",
    "wrap",
    "wrapped_key_id",
]
