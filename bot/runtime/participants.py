"""A participant as stored: pseudonymous id, channel, wrapped data key, encrypted address.

The data key (unwrapped with the master key) encrypts everything personal of this participant:
their platform address, free-text answers and web chat messages. Deleting `wk` makes all of it
unreadable — the erasure feature relies on this.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.privacy import (
    ParticipantId,
    decrypt_field,
    encrypt_field,
    field_aad,
    new_data_key,
    unwrap,
)


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    participant_id: ParticipantId
    channel: str
    wrapped_key: bytes
    address: bytes | None  # encrypted platform address
    language: str
    campaign_id: str | None  # the campaign they are in now
    created_ms: int

    def to_fields(self) -> dict[str, str | bytes]:
        fields: dict[str, str | bytes] = {
            "ch": self.channel,
            "wk": self.wrapped_key,
            "lang": self.language,
            "t0": str(self.created_ms),
        }
        if self.address is not None:
            fields["addr"] = self.address
        if self.campaign_id is not None:
            fields["cid"] = self.campaign_id
        return fields

    @classmethod
    def from_fields(cls, participant_id: str, fields: dict[bytes, bytes]) -> ParticipantRecord:
        campaign = fields.get(b"cid")
        return cls(
            participant_id=ParticipantId(participant_id),
            channel=fields[b"ch"].decode(),
            wrapped_key=fields[b"wk"],
            address=fields.get(b"addr"),
            language=fields[b"lang"].decode(),
            campaign_id=campaign.decode() if campaign else None,
            created_ms=int(fields[b"t0"]),
        )


class ParticipantKeys:
    """Creates and opens participants' data keys with the master key."""

    def __init__(self, master_key: bytes) -> None:
        self._master = master_key

    def new_participant(
        self,
        participant_id: ParticipantId,
        channel: str,
        address: str | None,
        language: str,
        now_ms: int,
    ) -> tuple[ParticipantRecord, bytes]:
        """A new record and its (plaintext) data key."""
        key, wrapped = new_data_key(self._master)
        sealed = (
            encrypt_field(key, address, field_aad(participant_id, "address"))
            if address is not None
            else None
        )
        record = ParticipantRecord(participant_id, channel, wrapped, sealed, language, None, now_ms)
        return record, key

    def data_key(self, record: ParticipantRecord) -> bytes:
        """Raises DecryptionError when the key was destroyed or the master key is wrong."""
        return self.unwrap(record.wrapped_key)

    def unwrap(self, wrapped_key: bytes) -> bytes:
        return unwrap(self._master, wrapped_key)

    def address(self, record: ParticipantRecord, key: bytes) -> str | None:
        if record.address is None:
            return None
        return decrypt_field(key, record.address, field_aad(record.participant_id, "address"))
