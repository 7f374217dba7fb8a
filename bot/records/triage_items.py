"""How a free-text answer is named in its campaign's triage queue, and what takes an erased
participant's answers off it.

An item is `<participant id>/<question id>`, in a sorted set under the participant's shard tag
(`KeySchema.triage`), scored by when the answer was given. It names the participant as the
shard's respondent set already does, in the same hash slot, so the commit, an erasure and
retention change it in the same step as the answer; the participant id never leaves the server
(the API names an item by the organisation's pseudonym: `<pseudonym>/<question id>`).
"""

from __future__ import annotations

from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall
from bot.storage.scripts import FORGET_TRIAGE


def triage_item(participant_id: str, question_id: str) -> str:
    return f"{participant_id}/{question_id}"


def parse_item(item: str) -> tuple[str, str]:
    """(participant id, question id) of an item (a question id holds no `/`)."""
    participant_id, _, question_id = item.rpartition("/")
    return participant_id, question_id


def forget_triage(schema: KeySchema, participant_id: str, campaign_id: str) -> ScriptCall:
    """Their items of the campaign, off the queue with their flags and alert: to run before
    their answers there are deleted (the script reads the question ids from them)."""
    shard = schema.shard_of(participant_id)
    keys = (
        schema.answers(participant_id, campaign_id),
        schema.triage(shard, campaign_id),
        schema.triage_marks(shard, campaign_id),
        schema.safety_alerts(shard, campaign_id),
    )
    return ScriptCall(FORGET_TRIAGE, keys, (participant_id,))
