"""Loop notices and case updates in a web chat participant's inbox: the same sealed items the
worker's commit writes (bot/runtime/commit.py), so the page shows them like any message."""

from __future__ import annotations

import json

from bot.privacy import ParticipantId, encrypt_field, field_aad

INBOX_CAP = 200  # the commit's cap (WEBCHAT_INBOX_CAP): older items are dropped


def inbox_item(participant_id: str, data_key: bytes, text: str) -> bytes:
    # "text"/"from" is what the web chat page reads today; "n" is the notice-only inbox format
    # being introduced (the page rebuilds everything else): one item both can show.
    item = json.dumps({"text": text, "from": "sauti", "n": text}, ensure_ascii=False)
    return encrypt_field(data_key, item, field_aad(ParticipantId(participant_id), "webchat"))
