"""How a free-text answer or a concern is named in its campaign's triage queue, and what takes
an erased participant's items off it.

The queue is a sorted set under the participant's shard tag (`KeySchema.triage`), scored by when
the words were written. A free-text answer is `<participant id>/<question id>`: it names the
participant as the shard's respondent set already does, in the same hash slot, so the commit,
an erasure and retention change it in the same step as the answer; the participant id never
leaves the server (the API names the item by the organisation's pseudonym,
`<pseudonym>/<question id>`). A concern about a decision is its case reference (`C-…`), which
names no one; what they were told (`KeySchema.told`) keeps `q:<reference>` → campaign, so that
their erasure finds their concerns too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import FORGET_TRIAGE

CONCERN = re.compile(r"^C-[A-Z2-7]{6}$")  # a concern's case reference (bot.conversation.decisions)
CONCERN_FIELD = "q:"  # what they were told: `q:<case reference>` -> the concern's campaign


def triage_item(participant_id: str, question_id: str) -> str:
    return f"{participant_id}/{question_id}"


def is_answer(item: str) -> bool:
    """A free-text answer's item (a case reference holds no `/`)."""
    return "/" in item


def parse_item(item: str) -> tuple[str, str]:
    """(participant id, question id) of an answer's item (a question id holds no `/`)."""
    participant_id, _, question_id = item.rpartition("/")
    return participant_id, question_id


def concern_steps(
    schema: KeySchema, participant_id: str, campaign_id: str, reference: str, created_ms: int
) -> list[BatchStep]:
    """A new concern in its campaign's triage queue (with the case; safe to run twice)."""
    shard = schema.shard_of(participant_id)
    return [
        ("ZADD", schema.triage(shard, campaign_id), "NX", created_ms, reference),
        ("HSET", schema.told(participant_id), CONCERN_FIELD + reference, campaign_id),
    ]


def forget_triage(
    schema: KeySchema, participant_id: str, campaign_ids: Iterable[str]
) -> ScriptCall:
    """An erasure's triage step: their items of these campaigns off the queues, with their
    flags and alerts. It deletes their answers in these campaigns and what they were told (it
    reads the items there), so the erasure must not delete those keys by a plain DEL before it
    (`forget_triage.lua` says why)."""
    shard = schema.shard_of(participant_id)
    joined = sorted(set(campaign_ids))
    keys = [schema.told(participant_id)]
    for campaign_id in joined:
        keys += [
            schema.answers(participant_id, campaign_id),
            schema.triage(shard, campaign_id),
            schema.triage_marks(shard, campaign_id),
            schema.safety_alerts(shard, campaign_id),
        ]
    return ScriptCall(FORGET_TRIAGE, tuple(keys), (participant_id, *joined))
