"""Participant privacy primitives: pseudonymous ids, envelope encryption, key files, redaction,
and `ParticipantCrypto`, the one object that holds the server's keys and uses them.

- `crypto`: `ParticipantCrypto`; `server_keys`: the two server keys, configured or from files
  (`keyfile`);
- `ids`: participant ids; `data_keys`: per-participant keys wrapped by the master key;
  `fields`: one stored field encrypted; `sealing`: the AES-GCM construction under both;
- `redaction`: the logging filter that masks identifiers; `errors`: the package's errors.

How they fit together is described in docs/data-protection.md.
"""

from bot.privacy.crypto import ParticipantCrypto
from bot.privacy.data_keys import new_data_key, unwrap, wrap, wrapped_key_id
from bot.privacy.errors import DecryptionError, KeyFileError, KeyMaterialError, PrivacyError
from bot.privacy.fields import decrypt_field, encrypt_field, field_aad
from bot.privacy.ids import ParticipantId, participant_id
from bot.privacy.keyfile import load_or_create_key
from bot.privacy.redaction import Redactor
from bot.privacy.server_keys import KeyFiles, load_server_keys

__all__ = [
    "DecryptionError",
    "KeyFileError",
    "KeyFiles",
    "KeyMaterialError",
    "ParticipantCrypto",
    "ParticipantId",
    "PrivacyError",
    "Redactor",
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
