"""Feed one batch of a shard's planned targets into the outbox (or schedule, or web chat inbox).

Per batch: read the next targets after the shard's feed cursor, load what is needed to write
to each (one pipelined round trip), check again that they can still be told (they may have
said /stop, withdrawn consent or been erased since planning), compose each notice in their
language, and commit the whole batch with the cursor in one script (`feed.lua`). The
script compares the cursor first and skips anyone already told this version, so a crash at any
point, or two publishers at once, never tells anyone twice; the idempotency key of each outbox
entry (decision reference, version, participant) protects the last step, in the sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.channels.whatsapp.templates import SHARED
from bot.conversation.consents import Given, outcome_versions_honoured
from bot.conversation.decisions.decision import Decision
from bot.conversation.decisions.rules import (
    Facts,
    evaluate,
    facts_from_stored,
    questions_of,
    uses_themes,
)
from bot.conversation.decisions.texts import (
    frame_language,
    notice_text,
    reaction_menu,
    shared_notice,
    summary_of,
)
from bot.conversation.decisions.told import told_version
from bot.conversation.inbound import Channel
from bot.conversation.inbox import Notice, seal_notice
from bot.conversation.outgoing import DecisionNotice, MenuItem, Outgoing, TemplateHint
from bot.conversation.participants import hidden_since
from bot.loop.ledger import StoredDecision
from bot.loop.pacing import WEEK_MS, QuietHours, due_ms
from bot.loop.templates import NOTICE_PURPOSES
from bot.privacy import DecryptionError, ParticipantCrypto
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.storage.keys import KeySchema
from bot.storage.scripts import FEED, LOAD_TARGETS
from bot.time_zones import zone, zone_or
from dialogues.model import Survey

DAY_S = 24 * 3600
_FIELDS = ["wk", "ch", "lang", "stop", "reach", "tz", "shp", "hid"]


@dataclass(frozen=True)
class FeedConfig:
    batch: int
    outbox_window: int  # bulk outbox entries a shard may hold before feeding waits
    weekly_budget: int
    quiet: QuietHours | None
    inbox_cap: int


@dataclass(frozen=True, slots=True)
class _Item:
    pid: str
    action: str  # o: outbox now, s: scheduled, w: web chat inbox, x: skipped
    told: str = ""
    days: int = 0
    due: int = 0
    key: str = ""
    channel: str = ""
    body: bytes = b""
    label: str = ""

    def args(self) -> list[str | bytes | int]:
        return [
            self.pid,
            self.action,
            self.told,
            self.days,
            self.due,
            self.key,
            self.channel,
            self.body,
            self.label,
        ]


class Feeder:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        *,
        crypto: ParticipantCrypto,
        config: FeedConfig,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._config = config

    async def feed(
        self, stored: StoredDecision, survey: Survey, shard: int, now_ms: int, campaign_zone: str
    ) -> int:
        """Feed one batch; returns how many targets it handled (0: nothing to do now)."""
        state = self._schema.shard_publication(shard, stored.ref, stored.version)
        fed_raw, seq_raw = await self._redis.hmget(state, ["fed", "seq"])
        fed, seq = int(fed_raw or 0), int(seq_raw or 0)
        if fed >= seq:
            return 0
        room = self._config.outbox_window - await self._redis.xlen(
            self._schema.outbox(shard, Priority.BULK)
        )
        if room <= 0:
            return 0  # the sender is behind: do not pile a million entries into the stream
        count = min(self._config.batch, room)
        targets: Any = await self._redis.lrange(
            self._schema.targets(shard, stored.ref, stored.version), fed, fed + count - 1
        )
        if not targets:
            return 0
        pids = [member.decode() for member in targets]
        loaded = await self._load(stored, shard, pids, now_ms)
        composer = _Composer(stored, survey, now_ms, campaign_zone, self)
        items = [composer.item(pid, loaded[pid]) for pid in pids]
        written = await self.commit_batch(
            [
                state,
                self._schema.outbox(shard, Priority.BULK),
                self._schema.schedule(shard),
                self._schema.schedule_bodies(shard),
                self._schema.loop_stats(shard, stored.campaign_id),
            ],
            [
                str(fed),
                str(fed + len(pids)),
                *self._prefixes(shard, stored),
                f"d:{stored.ref}",
                f"c:{stored.campaign_id}",
                stored.version,
                now_ms,
                WEEK_MS,
                self._config.inbox_cap,
                f"u:{stored.campaign_id}",
                *[value for item in items for value in item.args()],
            ],
        )
        return 0 if written == -1 else len(items)

    async def commit_batch(self, keys: list[str], args: list[Any]) -> int:
        """The FEED script: -1 when the cursor moved (someone else fed the batch)."""
        written: int = await FEED(self._redis, keys, args)
        return written

    def _prefixes(self, shard: int, stored: StoredDecision) -> list[str]:
        prefixes = self._schema.participant_prefixes(shard, stored.campaign_id)
        return [prefixes["n"], prefixes["nb"], prefixes["wc"]]

    async def _load(
        self, stored: StoredDecision, shard: int, pids: list[str], now_ms: int
    ) -> dict[str, _Loaded]:
        decision = stored.decision
        rule = decision.rule
        prefixes = self._schema.participant_prefixes(shard, stored.campaign_id)
        themes = rule is not None and uses_themes(rule)
        # The answers the rule reads (and any named response); all of them only when someone
        # is linked by participant id alone (their latest answer dates the notice).
        whole = any(ref.question_id is None for ref in decision.responses)
        named = [ref.question_id for ref in decision.responses if ref.question_id]
        questions = (
            [] if whole else list(dict.fromkeys([*(questions_of(rule) if rule else ()), *named]))
        )
        fields = [*_FIELDS, f"u:{stored.campaign_id}"]
        state = self._schema.shard_publication(shard, stored.ref, stored.version)
        replies: Any = await LOAD_TARGETS(
            self._redis,
            [state],
            [
                prefixes["p"],
                prefixes["a"],
                prefixes["n"],
                prefixes["nb"],
                prefixes["th"] if themes else "",
                f"d:{stored.ref}",
                now_ms - WEEK_MS,
                len(fields),
                *fields,
                len(questions),
                *questions,
                *pids,
            ],
        )
        loaded = {}
        for pid, (record, answers, told, budget, tags) in zip(pids, replies, strict=True):
            named_fields = dict(zip([*_FIELDS, "consent"], record, strict=True))
            loaded[pid] = _Loaded(
                fields={name: value for name, value in named_fields.items() if value is not None},
                facts=facts_from_stored(_pairs(answers), _pairs(tags)),
                told_version=told_version(told),
                recent_ms=[int(float(score)) for score in budget[1::2]],
            )
        return loaded


@dataclass(frozen=True, slots=True)
class _Loaded:
    fields: Mapping[str, bytes]
    facts: Facts
    told_version: int
    recent_ms: list[int]


class _Composer:
    """Turns one loaded target into one item of the FEED script."""

    def __init__(
        self,
        stored: StoredDecision,
        survey: Survey,
        now_ms: int,
        campaign_zone: str,
        feeder: Feeder,
    ) -> None:
        self.stored = stored
        self.decision: Decision = stored.decision
        self.survey = survey
        self.now_ms = now_ms
        self.zone = zone(campaign_zone)
        self.feeder = feeder
        self.explicit = {r.participant_id: r.question_id for r in stored.decision.responses}

    def item(self, pid: str, loaded: _Loaded) -> _Item:
        fields = loaded.fields
        reason = _excluded(fields)
        if reason:
            return _Item(pid, "x", label=f"fx|{reason}")
        if loaded.told_version >= self.stored.version:
            return _Item(pid, "x", label="dup")
        linked, witnesses = self._linked(pid, loaded.facts)
        if not linked:
            return _Item(pid, "x", label="fx|unlinked")
        channel = fields["ch"].decode()
        own = fields["lang"].decode() if "lang" in fields else self.survey.default_language
        # Sauti's words and the buttons in their language; a company text lacking it is
        # marked as untranslated (bot.conversation.decisions.texts).
        language = frame_language(self.survey, own)
        text, menu = self._notice(loaded, witnesses, language)
        answered = _answered_at(loaded.facts, witnesses) or self.now_ms // 1000
        told = f"{self.stored.version}|{self.now_ms}|{answered}"
        days = max(0, (self.now_ms // 1000 - answered) // DAY_S)
        key = f"d:{self.stored.ref}:{self.stored.version}:{pid}"
        if channel == Channel.WEBCHAT.value:
            sealed = self._inbox_item(pid, fields["wk"], Notice(text, menu=menu))
            if sealed is None:
                return _Item(pid, "x", label="fx|erased")
            return _Item(pid, "w", told, days, self.now_ms, key, channel, sealed, f"f|{channel}")
        message = self._message(text, menu, language, shared=self._shared(fields))
        entry = OutboxEntry(key, pid, channel, message, self.now_ms)
        body = seal(entry, self.feeder._crypto)["body"]
        assert isinstance(body, bytes)
        due = self._due(fields, loaded.recent_ms)
        action, label = ("o", f"f|{channel}") if due <= self.now_ms else ("s", f"s|{channel}")
        return _Item(pid, action, told, days, due, key, channel, body, label)

    def _notice(
        self, loaded: _Loaded, witnesses: tuple[str, ...], language: str
    ) -> tuple[str, tuple[MenuItem, ...]]:
        """The notice's text and buttons: in neutral words on a shared phone (the campaign's
        setting, or the participant's choice), else quoting what they told us."""
        if self._shared(loaded.fields):
            return shared_notice(self.stored.ref, language)
        text = notice_text(
            self.decision,
            self.survey,
            language,
            summary=summary_of(self.decision, self.survey, loaded.facts, witnesses, language),
            update=loaded.told_version > 0,
        )
        return text, reaction_menu(self.stored.ref, language)

    def _shared(self, fields: Mapping[str, bytes]) -> bool:
        """Shared-phone mode: the campaign's setting, or the participant's choice."""
        return self.survey.shared_phones or fields.get("shp") == b"1"

    def _linked(self, pid: str, facts: Facts) -> tuple[bool, tuple[str, ...]]:
        rule = self.decision.rule
        held, witnesses = evaluate(rule, facts) if rule is not None else (False, ())
        if pid in self.explicit:
            question = self.explicit[pid]
            return True, (*((question,) if question else ()), *witnesses)
        return held, witnesses

    def _message(
        self, text: str, menu: tuple[MenuItem, ...], language: str, *, shared: bool = False
    ) -> Outgoing:
        """A plain notice with reaction buttons, plus what a channel that cannot send free
        text now (WhatsApp outside the 24-hour window) needs to pick an approved template
        (see docs/decisions.md, "What channels receive"). In shared-phone mode only the
        neutral `shared` template will do: the others' words name the survey."""
        purpose, fallback = (SHARED, None) if shared else NOTICE_PURPOSES
        return Outgoing(
            text,
            menu=menu,
            decision=DecisionNotice(
                self.stored.ref, self.stored.version, self.decision.status.value
            ),
            template=TemplateHint(purpose, fallback, language),
        )

    def _due(self, fields: Mapping[str, bytes], recent_ms: list[int]) -> int:
        config = self.feeder._config
        return due_ms(
            self.now_ms,
            local_zone=zone_or(fields.get("tz", b"").decode(), self.zone),
            quiet=config.quiet,
            recent_ms=recent_ms,
            weekly_budget=config.weekly_budget,
        )

    def _inbox_item(self, pid: str, wrapped: bytes, notice: Notice) -> bytes | None:
        """A web chat notice with its reaction buttons, sealed with the participant's key like
        the rest of their inbox (the same item the worker's commit writes)."""
        try:
            key = self.feeder._crypto.unwrap_data_key(wrapped)
        except DecryptionError:
            return None
        return seal_notice(notice, pid, key)


def _pairs(flat: list[bytes]) -> dict[bytes, bytes]:
    return dict(zip(flat[0::2], flat[1::2], strict=True))


def _excluded(fields: Mapping[str, bytes]) -> str | None:
    if "wk" not in fields or "ch" not in fields:
        return "erased"
    given = Given.decode(fields.get("consent", b"0"))
    if given is None or not given.agreed:
        return "no_consent"
    if given.version not in outcome_versions_honoured():
        return "consent_outdated"
    if fields.get("stop") == b"1":
        return "opted_out"
    if fields.get("reach") == b"unreachable":
        return "unreachable"
    if hidden_since(fields.get("hid")):  # a quick exit: nothing reaches them until they are back
        return "hidden"
    return None


def _answered_at(facts: Facts, witnesses: tuple[str, ...]) -> int:
    """When they gave the answer this notice is about (the first linked one), or their latest."""
    times = [facts.answers[q].at for q in witnesses if q in facts.answers]
    if times:
        return min(times)
    return max((answer.at for answer in facts.answers.values()), default=0)
