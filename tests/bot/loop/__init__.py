"""Loop closure end to end: participants answer through the real conversation (ingest → worker
→ commit, a real Redis), the company loads, previews and publishes decisions, the publisher
feeds the outbox, the real sender delivers to fake platforms, and participants react.

Helpers shared by these tests: a `Deployment` (the runtime plus the loop's parts, on a clock the
test moves), and `Person`, one participant on a channel.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.access.organisations import OrganisationStore
from bot.access.pseudonyms import Pseudonyms, pseudonyms_for
from bot.app import App
from bot.conversation.inbound import Action, Answer, Channel, Command, Join
from bot.conversation.inbox import Notice, open_notice
from bot.loop.ledger import DecisionLedger, StoredDecision
from bot.loop.pacing import QuietHours
from bot.loop.preview import Preview, Viewpoint, build_preview
from bot.loop.publisher import LoopConfig, Publisher
from bot.runtime.delivery import SendLimits
from bot.runtime.message_codec import message_to_plain
from bot.runtime.outbox import Priority, unseal
from bot.runtime.sender import Sender, SenderConfig
from bot.runtime.worker import WorkerConfig
from bot.settings.loop import DEFAULT_REOPEN_DAYS, DEFAULT_RESPONSE_DAYS
from bot.storage.keys import KeySchema
from dialogues.inbound import TextReply
from tests.bot.runtime.fake_channel import Delivery, FakePlatform
from tests.kit.example import CAMPAIGN, open_example
from tests.kit.running import send_all
from tests.kit.runtime import Runtime, make_runtime, make_sender

FAST = SendLimits(global_rate=500, global_burst=50, per_chat_interval=0.001, per_chat_burst=10)
# 2026-11-18 11:06:40 UTC, the harness's clock: daytime, outside the default quiet hours.
NOON_MS = 1_795_000_000_000
# Answers up to `sim_id` in the example survey: the info screen, uses (calls, SMS: so the
# mobile money questions are not asked), "felt unsafe?" no, then sim_id.
UP_TO_SIM_ID = ("1", "1,2", "no")

SIM_DECISION = """\
spec_version: 1
id: sim-without-id
campaign: safe-connect-2026
title:
  en: "SIM cards without an ID card"
  fr: "Cartes SIM sans pièce d'identité"
  ar: "شرائح بدون بطاقة هوية"
  sw: "Laini bila kitambulisho"
status: not_adopted
rationale:
  en: "The law requires an ID check for every SIM card."
  fr: "La loi impose un contrôle d'identité pour chaque carte SIM."
  ar: "يفرض القانون التحقق من الهوية لكل شريحة."
  sw: "Sheria inataka kitambulisho kwa kila laini."
message:
  en: "We will still ask for an ID card, but agents now accept a letter from the village chief."
  fr: "Nous demanderons toujours une pièce d'identité, mais les agents acceptent une lettre."
  ar: "سنظل نطلب بطاقة هوية، لكن الوكلاء يقبلون الآن رسالة من شيخ القرية."
  sw: "Bado tutaomba kitambulisho, lakini mawakala sasa wanakubali barua ya mwenyekiti wa kijiji."
changes:
  en: "Agents accept a letter from the village chief instead of an ID card."
effective: 2027-02-01
linked_to:
  rule:
    question: sim_id
    is: "yes"
"""

# SIM_DECISION as the console's form gives it (the composeDecision body): the same decision.
SIM_COMPOSED: dict[str, Any] = {
    "status": "not_adopted",
    "title": {
        "en": "SIM cards without an ID card",
        "fr": "Cartes SIM sans pièce d'identité",
        "ar": "شرائح بدون بطاقة هوية",
        "sw": "Laini bila kitambulisho",
    },
    "rationale": {
        "en": "The law requires an ID check for every SIM card.",
        "fr": "La loi impose un contrôle d'identité pour chaque carte SIM.",
        "ar": "يفرض القانون التحقق من الهوية لكل شريحة.",
        "sw": "Sheria inataka kitambulisho kwa kila laini.",
    },
    "message": {
        "en": "We will still ask for an ID card, but agents now accept a letter from the "
        "village chief.",
        "fr": "Nous demanderons toujours une pièce d'identité, mais les agents acceptent une "
        "lettre.",
        "ar": "سنظل نطلب بطاقة هوية، لكن الوكلاء يقبلون الآن رسالة من شيخ القرية.",
        "sw": "Bado tutaomba kitambulisho, lakini mawakala sasa wanakubali barua ya mwenyekiti "
        "wa kijiji.",
    },
    "changes": {"en": "Agents accept a letter from the village chief instead of an ID card."},
    "effective": "2027-02-01",
    "link": {"picks": [{"question": "sim_id", "options": ["yes"]}]},
}


@dataclass
class Clock:
    now_ms: int = NOON_MS

    def time(self) -> float:
        return self.now_ms / 1000


@dataclass
class Deployment:
    runtime: Runtime
    clock: Clock
    ledger: DecisionLedger
    publisher: Publisher
    platforms: dict[str, FakePlatform] = field(default_factory=dict)

    @property
    def redis(self) -> Redis:
        return self.runtime.redis

    @property
    def schema(self) -> KeySchema:
        return self.runtime.schema

    async def load(self, source: str) -> StoredDecision:
        stored, _ = await self.ledger.load(source, self.clock.now_ms)
        return stored

    def set_time(self, now_ms: int) -> None:
        """Move every clock: the worker's and publisher's, and when the next event is sent."""
        self.clock.now_ms = now_ms
        self.runtime.clock_ms = now_ms - 1000  # `Runtime.event` adds a second per event

    async def preview(self, stored: StoredDecision) -> Preview:
        """What `sauti decision preview` shows for a stored decision, now."""
        campaign = await self.runtime.campaigns.get(stored.campaign_id)
        assert campaign is not None
        return await build_preview(
            self.redis,
            self.schema,
            stored,
            campaign.survey,
            self.publisher.limits(),
            Viewpoint(
                quiet=self.publisher.quiet,
                zone_name=await self.publisher.campaign_zone(stored.campaign_id),
                pseudonyms=await self.pseudonyms(campaign.org),
            ),
        )

    async def pseudonyms(self, org: str) -> Pseudonyms:
        """How the campaign's organisation sees participants (`sauti` and the API alike)."""
        return await pseudonyms_for(
            OrganisationStore(self.redis, self.schema), self.runtime.crypto, org
        )

    async def publish_all(self, publisher: Publisher | None = None) -> None:
        """Run the publisher role until it has nothing left to do now."""
        await publish_all(publisher or self.publisher)

    def sender(self, name: str = "sender") -> Sender:
        config = SenderConfig(block_ms=10, backoff_seconds=0.01)
        return make_sender(self.runtime, *self.platforms.values(), name=name, config=config)

    async def deliver_all(self, sender: Sender | None = None) -> None:
        """Let a sender empty every outbox."""
        await send_all(sender or self.sender(), self.runtime.schema.shards)

    def delivered(self, person: Person) -> list[Delivery]:
        platform = self.platforms[person.channel.value]
        return [d for d in platform.delivered if d.address == person.address]

    def notices(self, person: Person) -> list[dict[str, Any]]:
        return [d.message for d in self.delivered(person) if d.message.get("kind") == "decision"]


def make_deployment(
    redis: Redis,
    *,
    shards: int = 2,
    weekly_budget: int = 2,
    quiet: str | None = "21:00-08:00",
    timezone: str = "UTC",
    feed_batch: int = 500,
    response_days: int = DEFAULT_RESPONSE_DAYS,
    reopen_days: int = DEFAULT_REOPEN_DAYS,
) -> Deployment:
    clock = Clock(NOON_MS - 3_600_000)  # they answer an hour before the decision
    runtime = dataclasses.replace(
        make_runtime(redis, shards=shards),
        worker_config=WorkerConfig(
            block_ms=10, response_days=response_days, reopen_days=reopen_days
        ),
        worker_clock=clock.time,
        clock_ms=clock.now_ms,
    )
    organisations = OrganisationStore(redis, runtime.schema)
    ledger = DecisionLedger(
        redis,
        runtime.schema,
        runtime.campaigns,
        lambda org: pseudonyms_for(organisations, runtime.crypto, org),
    )
    config = LoopConfig(
        weekly_budget=weekly_budget,
        quiet=QuietHours.parse(quiet) if quiet else None,
        default_timezone=timezone,
        feed_batch=feed_batch,
        plan_chunk=50,
    )
    publisher = Publisher(
        redis,
        runtime.schema,
        ledger=ledger,
        campaigns=runtime.campaigns,
        crypto=runtime.crypto,
        config=config,
        clock=clock.time,
    )
    platforms = {
        Channel.TELEGRAM.value: FakePlatform(FAST, channel=Channel.TELEGRAM),
        Channel.WHATSAPP.value: FakePlatform(FAST, channel=Channel.WHATSAPP),
    }
    return Deployment(runtime, clock, ledger, publisher, platforms)


async def publish_all(publisher: Publisher) -> None:
    """Run the publisher role until it has nothing left to do now."""
    while await publisher.step():
        pass


async def publish_on(app: App, source: str) -> StoredDecision:
    """Load a decision file into a running Sauti, publish it and feed it to everyone it is
    linked to (web chat inboxes written, push notices queued for the sender)."""
    stored, _ = await app.ledger().load(source, int(time.time() * 1000))
    publisher = app.publisher()
    await publisher.publish(stored.campaign_id, stored.id)
    await publish_all(publisher)
    return stored


async def with_campaign(deployment: Deployment) -> Deployment:
    await open_example(deployment.runtime.campaigns)
    return deployment


@dataclass
class Person:
    """One participant on a chat app (or the web chat), driven through the real worker."""

    deployment: Deployment
    name: str
    channel: Channel = Channel.TELEGRAM

    @property
    def runtime(self) -> Runtime:
        return self.deployment.runtime

    @property
    def pid(self) -> str:
        return self.runtime.participant(self.name, self.channel)

    @property
    def address(self) -> str:
        return f"addr-{self.name}"

    def event(self, action: Action) -> Any:
        address = None if self.channel is Channel.WEBCHAT else self.address
        return self.runtime.event(self.pid, action, address, self.channel)

    async def send(self, action: Action) -> list[dict[str, Any]]:
        start = await self.last_reply_id()
        await self.runtime.ingestor.ingest(self.event(action))
        await self.runtime.drain()
        return await self.replies(after=start)

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send(Answer(TextReply(text)))

    async def press(self, name: str, argument: str = "") -> list[dict[str, Any]]:
        return await self.send(Command(name, argument))

    async def replies(self, after: str = "-") -> list[dict[str, Any]]:
        """Messages the worker queued for them (reply priority), after an entry id."""
        schema = self.runtime.schema
        stream = schema.outbox(schema.shard_of(self.pid), Priority.REPLY)
        entries: Any = await self.runtime.redis.xrange(stream, min=after)
        messages = []
        for entry_id, fields in entries:
            if entry_id.decode() == after:
                continue
            entry = unseal(fields, self.runtime.crypto)
            if entry.participant_id == self.pid:
                messages.append(message_to_plain(entry.message))
        return messages

    async def last_reply_id(self) -> str:
        schema = self.runtime.schema
        stream = schema.outbox(schema.shard_of(self.pid), Priority.REPLY)
        last: Any = await self.runtime.redis.xrevrange(stream, count=1)
        return last[0][0].decode() if last else "-"

    async def inbox(self) -> list[Notice]:
        """A web chat participant's inbox, opened with their key."""
        schema = self.runtime.schema
        redis = self.runtime.redis
        wrapped = await redis.hget(schema.participant(self.pid), "wk")
        assert isinstance(wrapped, bytes)
        data_key = self.runtime.crypto.unwrap_data_key(wrapped)
        items: Any = await redis.lrange(schema.webchat_inbox(self.pid), 0, -1)
        return [n for item in items if (n := open_notice(item, self.pid, data_key))]


async def join(
    person: Person, language: str, *, updates: bool, answers: Sequence[str] = ()
) -> Person:
    """Join the example campaign the way each channel does, then answer."""
    if person.channel is Channel.WEBCHAT:
        await person.send(Join(CAMPAIGN, language))
        await person.press("updates", "yes" if updates else "no")
    else:
        await person.say(f"/start {CAMPAIGN}" if person.channel is Channel.TELEGRAM else CAMPAIGN)
        await person.press("language", language)
        await person.press("consent", "take:yes")
        await person.press("updates", "yes" if updates else "no")
    for text in answers:
        await person.say(text)
    return person
