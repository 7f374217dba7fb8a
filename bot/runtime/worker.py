"""Workers: consume each shard's inbound stream, run the engine, commit atomically.

A shard is processed by one worker at a time (a renewed lease), in stream order, so two events
of one participant are never processed concurrently or out of order. A worker that takes over a
shard first claims the entries its dead predecessor left pending. An event that keeps failing is
moved to the shard's dead-letter stream after `max_attempts`, so one broken event cannot stall
its participant — or the shard — forever.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.conversation.case_view import CaseSummary
from bot.conversation.dispatch import take_turn
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent
from bot.conversation.my_cases import NEEDS_CASES
from bot.conversation.participants import ParticipantRecord, Stage
from bot.conversation.reading import campaign_of, normalise
from bot.conversation.stored_sessions import decode_session
from bot.conversation.turns import Context
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.records.cases import participant_cases
from bot.records.tally import result_delta
from bot.runtime.batch import BatchState
from bot.runtime.commit import writes_for_turn
from bot.runtime.commit_writes import CommittedEvent, Committer, commit_call
from bot.runtime.erasure_traces import forget_erased
from bot.runtime.event_codec import decode
from bot.runtime.leases import Ownership, ShardLeases, while_owned
from bot.runtime.loop_context import LoopContext
from bot.runtime.metrics import Metrics
from bot.runtime.recovery_codes import forget_recovery_codes
from bot.runtime.streams import WORKERS, claim_all, ensure_group, trim_acknowledged
from bot.runtime.uncount import uncount_erased
from bot.settings.loop import DEFAULT_REOPEN_DAYS, DEFAULT_RESPONSE_DAYS
from bot.storage import lua
from bot.storage.erasure_marks import erasure_noted
from bot.storage.errors import is_storage_unavailable
from bot.storage.keys import KeySchema
from bot.understanding import MessageReader, understand
from dialogues import Session
from nlu.intent import DEFAULT_THRESHOLD

log = logging.getLogger(__name__)

GROUP = WORKERS
Entry = tuple[bytes, dict[bytes, bytes]]


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 200
    # Idle, a shard's read waits this long: new events end it at once, so a long wait costs no
    # latency, only fewer round trips (two per wait and shard: the read and the pending check).
    block_ms: int = 30_000
    max_attempts: int = 5
    marker_ttl_seconds: int = 7 * 24 * 3600
    retry_pause_seconds: float = 0.2
    trim_every_seconds: float = 1.0
    response_days: int = DEFAULT_RESPONSE_DAYS  # a case's promised answer time
    reopen_days: int = DEFAULT_REOPEN_DAYS  # how long after a resolution it may be reopened
    nlu_threshold: float = DEFAULT_THRESHOLD  # confidence from which a typed message is a command


@dataclass(frozen=True)
class _Planned:
    """One event's commit, worked out and waiting for the batch's round trip."""

    entry_id: bytes
    event: InboundEvent
    before: list[lua.BatchStep]  # idempotent steps run just before the commit script
    commit: lua.ScriptCall
    erases: bool = False  # a confirmed erasure: its own entry is deleted once committed
    flagged: bool = False  # flagged for someone's safety (counted once committed)


@dataclass
class _ShardState:
    """Per-shard, in-process: participants whose oldest pending event failed (their later
    events wait behind it), and failure counts."""

    blocked: set[str] = field(default_factory=set)
    failures: dict[bytes, int] = field(default_factory=dict)
    trimmed_at: float = 0.0
    fenced: bool = False  # a commit was refused: the lease is someone else's
    # Entries dead-lettered during the current poll: never taken up again by its second pass.
    settled: set[bytes] = field(default_factory=set)
    # Whether this consumer may hold entries it read and did not acknowledge. While it knows it
    # holds none, a poll skips reading them (one round trip per batch).
    may_have_pending: bool = True


class Worker:
    def __init__(  # noqa: PLR0913 - wired by the composition root: one argument per port it uses
        self,
        redis: Redis,
        schema: KeySchema,
        *,
        campaigns: CampaignStore,
        crypto: ParticipantCrypto,
        loop_context: LoopContext,
        metrics: Metrics,
        consumer: str,
        config: WorkerConfig | None = None,
        clock: Callable[[], float] = time.time,
        waits: Redis | None = None,
        reader: MessageReader | None = None,
    ) -> None:
        self._redis = redis
        self._reader = reader  # reads typed messages no keyword matched (None: none are read)
        self._waits = waits or redis  # the client of the blocking read for new events
        self._schema = schema
        self._campaigns = campaigns
        self._crypto = crypto
        self._metrics = metrics
        self._consumer = consumer
        self._config = config or WorkerConfig()
        self._clock = clock
        self._loop = loop_context
        self._states: dict[int, _ShardState] = {}
        self._committer = Committer(
            schema,
            group=GROUP,
            owner=consumer,
            marker_ttl=self._config.marker_ttl_seconds,
            crypto=crypto,
        )
        self.leases = ShardLeases(redis, schema, role="worker", owner=consumer)

    # -- running ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Hold shard leases and process owned shards until `stop` is set."""
        await self.leases.run(stop, self._run_shard)

    async def _run_shard(self, shard: int, owned: Ownership) -> None:
        await self.ensure_group(shard)
        await self.claim_orphans(shard)
        state = self._state(shard)
        state.fenced, state.may_have_pending = False, True
        while owned.is_set() and not state.fenced:
            handled = await self.poll(shard, block_ms=self._config.block_ms, owned=owned)
            if handled == 0 and self._state(shard).blocked:
                await asyncio.sleep(self._config.retry_pause_seconds)

    async def ensure_group(self, shard: int) -> None:
        await ensure_group(self._redis, self._schema.inbound(shard), GROUP)

    async def claim_orphans(self, shard: int) -> int:
        """Take over what a dead predecessor left pending (we hold the shard's lease)."""
        return await claim_all(self._redis, self._schema.inbound(shard), GROUP, self._consumer)

    async def poll(
        self, shard: int, block_ms: int | None = None, owned: Ownership | None = None
    ) -> int:
        """Process this consumer's pending entries first (in order), else new ones. Returns how
        many entries were committed or dead-lettered. Pending entries are read only when there
        may be some: not after a batch that was committed whole (one round trip saved). A wait
        for new entries ends when the shard is given up (`owned`)."""
        stream, state = self._schema.inbound(shard), self._state(shard)
        size = self._config.batch_size
        entries: list[Entry] = []
        reply: Any
        if state.may_have_pending:
            reply = await self._redis.xreadgroup(GROUP, self._consumer, {stream: "0"}, count=size)
            entries = reply[0][1] if reply else []
        if not entries:
            state.may_have_pending = False
            read = self._waits.xreadgroup(
                GROUP, self._consumer, {stream: ">"}, count=size, block=block_ms
            )
            reply = await (read if owned is None else while_owned(owned, read))
            entries = reply[0][1] if reply else []
        if not entries:
            # Idle: look again next time. A fenced worker may have handed us its reads.
            state.may_have_pending = True
            return 0
        state.may_have_pending = True  # until the whole batch is committed or dead-lettered
        state.settled.clear()
        counted = dict(state.failures)
        try:
            handled = await self.process_batch(shard, entries)
        except Exception as error:
            if is_storage_unavailable(error):
                raise  # nobody's fault: the shard runner is restarted and the batch read again
            # Something failed outside any one event's isolation. Take the batch one entry at a
            # time, so the entry at fault is counted (and in the end dead-lettered) on its own
            # and everyone else's events go through now. Failures the batch pass counted are
            # counted again there: not twice.
            log.warning("batch failed on shard %d (%s): one entry at a time", shard, _name(error))
            state.failures = counted
            handled = await self._one_at_a_time(shard, entries)
        state.may_have_pending = handled < len(entries)
        await self._trim(shard, entries[-1][0])
        return handled

    async def _trim(self, shard: int, last_read: bytes) -> None:
        """Drop acknowledged entries so the stream holds only its backlog: everything older
        than the oldest pending entry, or up to the last entry read when nothing is pending.
        At most once a second per shard: a trim is two round trips."""
        state = self._state(shard)
        now = time.monotonic()
        if now - state.trimmed_at < self._config.trim_every_seconds:
            return
        state.trimmed_at = now
        stream = self._schema.inbound(shard)
        pending = await trim_acknowledged(self._redis, stream, GROUP, last_read)
        if pending.get(self._consumer):  # handed over by a fenced worker while we were busy
            state.may_have_pending = True

    # -- one batch -------------------------------------------------------------------------

    async def process_batch(self, shard: int, entries: list[Entry]) -> int:
        self._state(shard).blocked.clear()  # recomputed: pending entries come first, in order
        return await self._process(shard, entries)

    async def _one_at_a_time(self, shard: int, entries: list[Entry]) -> int:
        """Each entry as a batch of its own, in order; one that fails whatever way counts a
        failure against itself alone. A participant's later entries wait behind a failing one."""
        state = self._state(shard)
        state.blocked.clear()
        handled = len(state.settled)  # dead-lettered by the batch pass already
        failed: list[tuple[bytes, dict[bytes, bytes], str, Exception]] = []
        for index, (entry_id, fields) in enumerate(entries):
            participant_id = fields.get(b"pid", b"").decode(errors="replace")
            if participant_id in state.blocked or entry_id in state.settled:
                continue
            try:
                handled += await self._process(shard, [(entry_id, fields)])
            except Exception as error:
                if is_storage_unavailable(error):
                    raise
                state.blocked.add(participant_id)
                failed.append((entry_id, fields, participant_id, error))
            if state.fenced:  # hand the rest of the batch over too, not only this entry
                await self._hand_over(shard, [entry_id for entry_id, _ in entries[index + 1 :]])
                return handled
        kinds = {type(failure) for *_, failure in failed}
        participants = {pid for _, _, pid, _ in failed}
        if len(failed) == len(entries) > 1 and len(kinds) == 1 and len(participants) > 1:
            # Every entry of several participants fails alike: not one event's fault but
            # something they all need (a broken open campaign, an outage Redis words its own
            # way). Count it against none; the shard runner restarts after a pause.
            raise failed[0][3]
        for entry_id, fields, pid, failure in failed:
            handled += await self._failed(shard, entry_id, fields, pid, failure)
        return handled

    async def _process(self, shard: int, entries: list[Entry]) -> int:
        state = self._state(shard)
        events: list[tuple[bytes, InboundEvent]] = []
        handled = 0
        for entry_id, fields in entries:
            try:
                events.append((entry_id, decode(fields, self._crypto)))
            except Exception as error:  # an undecodable entry never becomes decodable
                await self._dead_letter(shard, entry_id, fields, error)
                handled += 1
        loaded = await self._load(events)
        plans: list[_Planned] = []
        for entry_id, event in events:
            pid = event.participant_id
            if pid in state.blocked:
                continue  # waits behind its participant's failing event
            predecessor = loaded.last_planned.get(pid)
            try:
                if pid in loaded.broken:
                    raise loaded.broken[pid]
                plan = await self._plan(shard, entry_id, event, loaded)
            except Exception as error:
                if is_storage_unavailable(error):
                    raise  # not this event's fault: the batch is read again
                handled += await self._failed_event(shard, entry_id, entries, event, error)
                continue
            if plan.before and predecessor is not None:
                # Its steps before the commit (an erasure, a new case) would run even were the
                # commit to wait for the event before it: it goes first in the next batch.
                state.blocked.add(pid)
                continue
            plans.append(plan)
        if plans:
            handled += await self._commit(shard, entries, plans)
        return handled

    async def _commit(self, shard: int, entries: list[Entry], plans: list[_Planned]) -> int:
        """Every planned event's commit in one round trip; returns how many were handled."""
        state = self._state(shard)
        steps: list[lua.BatchStep] = []
        for plan in plans:
            steps += plan.before
            steps.append(plan.commit)
        replies = iter(await lua.run_batch(self._redis, steps))
        results = []
        for plan in plans:  # a failed "before" command fails its event
            before = [next(replies) for _ in plan.before]
            commit = next(replies)
            failed = next((r for r in before if isinstance(r, Exception)), None)
            results.append(failed or commit)
        now_ms = self._clock() * 1000
        handled = 0
        erased: list[_Planned] = []
        for plan, result in zip(plans, results, strict=True):
            entry_id, event = plan.entry_id, plan.event
            if isinstance(result, Exception) and is_storage_unavailable(result):
                raise result  # not this event's fault: the batch is read again
            if isinstance(result, Exception):
                handled += await self._failed_event(shard, entry_id, entries, event, result)
            elif result == -1:
                state.fenced = True  # another worker holds this shard now
            elif result == -2:
                state.blocked.add(event.participant_id)  # behind their failed one
            else:
                if plan.erases:  # its sealed body holds their address: not left to the trim
                    erased.append(plan)
                state.failures.pop(entry_id, None)
                self._metrics.processed.inc()
                if plan.flagged:
                    self._metrics.safety_flags.labels(event.channel.value).inc()
                self._metrics.latency.observe(max(0.0, (now_ms - event.received_at_ms) / 1000))
                handled += 1
        if erased:
            await self._after_erasures(shard, erased, int(now_ms))
        if state.fenced:
            log.warning("lost the lease of shard %d: handing its events over", shard)
            await self._hand_over(shard, [entry_id for entry_id, _ in entries])
        return handled

    async def _after_erasures(self, shard: int, erased: list[_Planned], now_ms: int) -> None:
        """After erasing commits: each one's inbound entry (its sealed body holds the address)
        and the keys still named by the pseudonym go, in one pipeline that notes them first, so
        no deletion is ever without its note for the rewrite of the data files."""
        steps: list[lua.BatchStep] = list(erasure_noted(self._schema, now_ms))
        for plan in erased:
            steps.append(("XDEL", self._schema.inbound(shard), plan.entry_id))
            steps.append(
                forget_erased(
                    self._schema, plan.event.participant_id, self._config.marker_ttl_seconds
                )
            )
        for reply in await lua.run_batch(self._redis, steps):
            if isinstance(reply, Exception):
                raise reply

    async def _hand_over(self, shard: int, entry_ids: list[bytes]) -> None:
        """Give what this worker read but may no longer commit to the shard's new holder, so
        nothing stays pending for a consumer that will never come back to it."""
        holder: Any = await self._redis.get(self._schema.lease("worker", shard))
        ids: list[Any] = list(entry_ids)
        if holder is not None and ids:
            await self._redis.xclaim(self._schema.inbound(shard), GROUP, holder, 0, ids)

    async def _load(self, events: list[tuple[bytes, InboundEvent]]) -> BatchState:
        """Participants, then the sessions the events need: two round trips per batch."""
        loaded = BatchState()
        pids = list(dict.fromkeys(event.participant_id for _, event in events))
        pipe = self._redis.pipeline(transaction=False)
        for pid in pids:
            pipe.hgetall(self._schema.participant(pid))
        for pid, fields in zip(pids, await pipe.execute(), strict=True):
            try:
                loaded.participants[pid] = (
                    ParticipantRecord.from_fields(pid, fields) if b"wk" in fields else None
                )
            except Exception as error:  # a damaged record fails its own events, not the batch
                loaded.broken[pid] = error
        codes = tuple(campaign.id for campaign in await self._campaigns.open_campaigns())
        # Typed commands and join codes decide which campaign's session an event needs. This
        # is a prefetch guess from the state before the batch: `_plan` reads each event again
        # with its participant as the earlier events of the batch left them.
        loaded.codes = codes
        wanted: list[tuple[str, str]] = []
        for _, event in events:
            participant = loaded.participants.get(event.participant_id)
            try:
                campaign_id = campaign_of(normalise(event, participant, codes), participant)
            except Exception:  # no prefetch for it: `_plan` meets the error again, for it alone
                continue
            if campaign_id is not None:
                wanted.append((event.participant_id, campaign_id))
        wanted = list(dict.fromkeys(wanted))
        pipe = self._redis.pipeline(transaction=False)
        for pid, campaign_id in wanted:
            pipe.get(self._schema.session(pid, campaign_id))
        for pair, raw in zip(wanted, await pipe.execute(), strict=True):
            try:
                loaded.sessions[pair] = decode_session(raw) if raw else None
            except Exception as error:
                loaded.broken[pair[0]] = error
        return loaded

    async def _load_history(
        self, pid: str, participant: ParticipantRecord, loaded: BatchState
    ) -> None:
        """For "my data": sessions and stored answers of every campaign they joined (one round
        trip, only for the rare event that asks)."""
        pipe = self._redis.pipeline(transaction=False)
        for campaign_id in participant.joined:
            pipe.get(self._schema.session(pid, campaign_id))
            pipe.hgetall(self._schema.answers(pid, campaign_id))
        replies = iter(await pipe.execute())
        for campaign_id in participant.joined:
            raw, answers = next(replies), next(replies)
            loaded.sessions.setdefault((pid, campaign_id), decode_session(raw) if raw else None)
            loaded.answers[(pid, campaign_id)] = loaded.as_committed(pid, campaign_id, answers)
        loaded.histories.add(pid)

    async def _plan(
        self, shard: int, entry_id: bytes, event: InboundEvent, loaded: BatchState
    ) -> _Planned:
        inbound, pid = event, event.participant_id
        participant = loaded.participants.get(pid)
        event = normalise(event, participant, loaded.codes)
        campaign_id = campaign_of(event, participant)
        campaign: Campaign | None = None
        session: Session | None = None
        if campaign_id is not None:
            campaign = await self._campaigns.get(campaign_id)
            if (pid, campaign_id) not in loaded.sessions:  # the prefetch guessed otherwise
                raw = await self._redis.get(self._schema.session(pid, campaign_id))
                loaded.sessions[(pid, campaign_id)] = decode_session(raw) if raw else None
            session = loaded.sessions[(pid, campaign_id)]
        understood = await understand(
            self._reader,
            event,
            participant=participant,
            campaign=campaign,
            session=session,
            threshold=self._config.nlu_threshold,
        )
        event = understood.event
        if participant is not None and event.action == Command("mydata"):
            await self._load_history(pid, participant, loaded)
        context = Context(
            campaign=campaign,
            session=session,
            open_campaigns=tuple(await self._campaigns.open_campaigns()),
            history=await self._history(pid, participant, loaded),
            loop=await self._loop.view_for(event, participant, loaded.answers),
            response_days=self._config.response_days,
            cases=await self._cases(pid, participant, event),
            reopen_days=self._config.reopen_days,
            safety=understood.safety,
        )
        now = dt.datetime.fromtimestamp(self._clock(), dt.UTC)
        turn = take_turn(
            event, participant=participant, context=context, crypto=self._crypto, now=now
        )
        # Later events of the same participant in this batch see this one's effects.
        loaded.participants[pid] = None if turn.erase else turn.participant
        if turn.campaign_id is not None and turn.session is not None:
            loaded.sessions[(pid, turn.campaign_id)] = turn.session
        committed = CommittedEvent(
            shard,
            pid,
            event.event_id,
            entry_id.decode(),
            event.channel.value,
            now_ms=int(self._clock() * 1000),
            awaiting=session.current if session is not None else None,
            after_event_id=loaded.last_planned.get(pid),
        )
        writes = writes_for_turn(turn, committed, self._schema)
        if turn.erase and participant is not None:
            # Their sessions leave the result counters as they are deleted, first of all.
            await uncount_erased(
                self._redis, self._schema, self._campaigns, pid, participant, writes.before
            )
            if participant.channel == Channel.WEBCHAT.value:
                await forget_recovery_codes(self._redis, self._schema, pid)
            for key in [key for key in loaded.sessions if key[0] == pid]:
                loaded.sessions[key] = None  # as Redis holds them once this commits
        elif campaign is not None and turn.campaign_id == campaign.id:
            writes.counters.update(
                result_delta(campaign, session, turn.session, event.channel.value)
            )
        plan = _Planned(
            entry_id,
            inbound,
            writes.before,
            commit_call(writes, self._committer),
            erases=turn.erase and participant is not None,
            flagged=turn.flagged is not None,
        )
        loaded.last_planned[pid] = event.event_id
        loaded.answered(pid, writes.answers)
        return plan

    async def _cases(
        self, pid: str, participant: ParticipantRecord | None, event: InboundEvent
    ) -> tuple[CaseSummary, ...]:
        """Their own cases, only for the events that read them (one round trip)."""
        if participant is None:
            return ()
        answering = participant.stage in (Stage.SATISFACTION, Stage.WHY)
        asked = answering and isinstance(event.action, Answer)
        needed = isinstance(event.action, Command) and event.action.name in NEEDS_CASES
        if not (asked or needed):
            return ()
        named = participant.topic if asked else _case_named(event.action)
        return await participant_cases(self._redis, self._schema, pid, also=named)

    async def _history(
        self, pid: str, participant: ParticipantRecord | None, loaded: BatchState
    ) -> dict[str, tuple[Campaign | None, Session | None, dict[bytes, bytes]]]:
        if participant is None or pid not in loaded.histories:
            return {}
        return {
            campaign_id: (
                await self._campaigns.get(campaign_id),
                loaded.sessions.get((pid, campaign_id)),
                loaded.answers.get((pid, campaign_id), {}),
            )
            for campaign_id in participant.joined
        }

    async def _failed_event(
        self,
        shard: int,
        entry_id: bytes,
        entries: list[Entry],
        event: InboundEvent,
        error: Exception,
    ) -> int:
        fields = next(f for i, f in entries if i == entry_id)
        return await self._failed(shard, entry_id, fields, event.participant_id, error)

    async def _failed(
        self,
        shard: int,
        entry_id: bytes,
        fields: dict[bytes, bytes],
        participant_id: str,
        error: Exception,
    ) -> int:
        """Count a failure; dead-letter the entry once it has failed `max_attempts` times."""
        state = self._state(shard)
        attempts = state.failures.get(entry_id, 0) + 1
        state.failures[entry_id] = attempts
        self._metrics.failures.inc()
        log.warning(
            "event failed (attempt %d of %d) participant=%s error=%s",
            attempts,
            self._config.max_attempts,
            participant_id,
            _name(error),
        )
        # Their later events in this batch were (or would be) worked out on top of this one's
        # effects, committed or not: they wait for the next batch, dead letter or not.
        state.blocked.add(participant_id)
        if attempts < self._config.max_attempts:
            return 0
        await self._dead_letter(shard, entry_id, fields, error)
        state.failures.pop(entry_id, None)
        return 1

    async def _dead_letter(
        self, shard: int, entry_id: bytes, fields: dict[bytes, bytes], error: Exception
    ) -> None:
        # Only the error's type: its message could quote participant data.
        letter: dict[Any, Any] = {
            **fields,
            b"error": _name(error).encode(),
            b"entry": entry_id,
        }
        pipe = self._redis.pipeline(transaction=True)  # both keys are in the shard's slot
        pipe.xadd(self._schema.dead_letters(shard), letter, maxlen=10_000, approximate=True)
        pipe.xack(self._schema.inbound(shard), GROUP, entry_id)
        await pipe.execute()
        self._state(shard).settled.add(entry_id)
        self._metrics.dead_letters.inc()
        log.error("event moved to dead letters shard=%d error=%s", shard, _name(error))

    def _state(self, shard: int) -> _ShardState:
        return self._states.setdefault(shard, _ShardState())


def _name(error: BaseException) -> str:
    """What is logged and kept of an error: its type only, as its message could quote what a
    participant wrote."""
    return type(error).__name__


def _case_named(action: object) -> str:
    """The reference a command names (`reopen F-…`, a button `yes:F-…`), or ""."""
    if not isinstance(action, Command):
        return ""
    return action.argument.rpartition(":")[2].strip().upper()
