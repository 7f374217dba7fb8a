"""What erasing a participant does beyond deleting their keys (`commit.erase_commands`): the
copies of their words and address still travelling through their shard's streams go, and the
erasure is noted so that the data files are rewritten without any of it.

Any erasure adds these steps to its own writes: a confirmed /delete (the commit) and whatever
else erases people, so that what holds for one holds for all (docs/data-protection.md).
"""

from __future__ import annotations

from bot.runtime.outbox import Priority
from bot.runtime.streams import SENDERS, WORKERS
from bot.storage.erasure_marks import erasure_noted
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import FORGET_ERASED, PURGE_PARTICIPANT_ENTRIES


def erasure_traces(
    schema: KeySchema,
    participant_id: str,
    now_ms: int,
    *,
    keep_entry: str = "",
    keep_event: str = "",
) -> list[BatchStep]:
    """Their entries waiting in the inbound, outbox and dead-letter streams and their held
    notices removed, and the erasure noted for the rewrite of the data files.

    `keep_entry`, `keep_event`: the inbound entry and event being committed now: its commit
    acknowledges the entry (the worker then deletes it), and the goodbye it queues is kept
    (the sender deletes it once sent)."""
    purge = purge_entries(schema, [participant_id], keep_entry=keep_entry, keep_event=keep_event)
    return [purge, *erasure_noted(schema, now_ms)]


def purge_entries(
    schema: KeySchema, participant_ids: list[str], *, keep_entry: str = "", keep_event: str = ""
) -> ScriptCall:
    """The purge of the entries of `participant_ids` (all of one shard) from their shard's
    streams and held notices, in one pass."""
    shard = schema.shard_of(participant_ids[0])
    streams = (
        schema.inbound(shard),
        schema.outbox(shard, Priority.REPLY),
        schema.outbox(shard, Priority.BULK),
        schema.dead_letters(shard),
        schema.outbox_dead(shard),
        schema.schedule(shard),
        schema.schedule_bodies(shard),
    )
    first, *others = participant_ids
    # Tuples: the worker compares steps (bot.runtime.uncount), so a call must be hashable.
    return ScriptCall(
        PURGE_PARTICIPANT_ENTRIES,
        streams,
        (first, keep_entry, WORKERS, SENDERS, keep_event, *others),
    )


def forget_erased(schema: KeySchema, participant_id: str, dedupe_ttl_seconds: int) -> ScriptCall:
    """The keys still named by an erased participant's pseudonym, gone (their event markers
    kept, named by no one): run after the erasing commit, and after its goodbye is done with.
    Nothing happens while their record exists (they came back: the keys are theirs again)."""
    shard = schema.shard_of(participant_id)
    rate, pause = schema.chat_rate(participant_id)
    keys = (
        schema.participant(participant_id),
        schema.event_markers(participant_id),
        schema.erased_events(shard),
        schema.send_claims(participant_id),
        schema.send_in_flight(participant_id),
        rate,
        pause,
        schema.telegram_history(participant_id),
        schema.whatsapp_bodies(participant_id),
    )
    body_prefix = schema.whatsapp_body(participant_id, "")
    return ScriptCall(FORGET_ERASED, keys, (dedupe_ttl_seconds, body_prefix))
