"""A campaign's results, from answers given through the real pipeline (ingest, worker, commit)
on a real Redis: counts that follow the answers, a changed answer that moves its count, an
erasure that takes a participant's counts away, and small cells withheld."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Action, Answer, Channel, Command, Join
from bot.records.results import (
    NO_ANSWER,
    CampaignResults,
    QuestionResults,
    UnknownBreakdownError,
    campaign_results,
)
from dialogues import Survey, parse
from dialogues.inbound import ChoiceReply, GoBack, Skip, TextReply
from tests.kit.runtime import Runtime, make_runtime

WATER = """\
spec_version: 1
id: water-2026
organisation: {en: "Maji Co", fr: "Maji Co"}
title: {en: "Water", fr: "Eau"}
languages: [en, fr]
default_language: en
promise: {en: "We will tell you by March.", fr: "Nous vous le dirons en mars."}
questions:
  - id: source
    kind: single_choice
    text: {en: "Where do you get water?", fr: "Où prenez-vous l'eau ?"}
    options:
      - {id: well, text: {en: "Well", fr: "Puits"}}
      - {id: tap, text: {en: "Tap", fr: "Robinet"}}
      - {id: river, text: {en: "River", fr: "Rivière"}}
  - id: worries
    kind: multiple_choice
    optional: true
    min: 1
    max: 2
    text: {en: "What worries you?", fr: "Qu'est-ce qui vous inquiète ?"}
    options:
      - {id: price, text: {en: "Price", fr: "Prix"}}
      - {id: safety, text: {en: "Safety", fr: "Sécurité"}}
      - {id: distance, text: {en: "Distance", fr: "Distance"}}
  - id: trips
    kind: number
    optional: true
    text: {en: "Trips a day?", fr: "Trajets par jour ?"}
  - id: story
    kind: text
    optional: true
    text: {en: "Tell us more", fr: "Dites-nous en plus"}
"""
SURVEY: Survey = parse(WATER)
CAMPAIGN = SURVEY.id


@dataclass
class Person:
    runtime: Runtime
    user: str
    channel: Channel = Channel.WHATSAPP

    @property
    def pid(self) -> str:
        return self.runtime.participant(self.user, self.channel)

    async def send(self, action: Action) -> None:
        event = self.runtime.event(self.pid, action, f"addr-{self.user}", self.channel)
        await self.runtime.ingestor.ingest(event)
        await self.runtime.drain()

    async def join(self, language: str = "en") -> None:
        await self.send(Join(CAMPAIGN, language, updates=False))

    async def answer(
        self, source: str, worries: tuple[str, ...] | None, trips: str | None, story: str | None
    ) -> None:
        await self.send(Answer(ChoiceReply("source", (source,))))
        await self.send(Answer(ChoiceReply("worries", worries) if worries else Skip("worries")))
        await self.send(Answer(TextReply(trips, "trips") if trips else Skip("trips")))
        await self.send(Answer(TextReply(story, "story") if story else Skip("story")))


async def deployment(redis: Redis) -> Runtime:
    runtime = make_runtime(redis, shards=3)
    await runtime.campaigns.load(WATER, open_now=True)
    return runtime


async def people(runtime: Runtime, count: int, prefix: str, **given: object) -> list[Person]:
    """`count` people who joined and answered alike (`given`: Person.answer's arguments)."""
    crowd = []
    channel = given.get("channel", Channel.WHATSAPP)
    assert isinstance(channel, Channel)
    for n in range(count):
        person = Person(runtime, f"{prefix}{n}", channel)
        await person.join(str(given.get("language", "en")))
        await person.answer(
            str(given["source"]),
            given.get("worries"),  # type: ignore[arg-type]
            given.get("trips"),  # type: ignore[arg-type]
            given.get("story"),  # type: ignore[arg-type]
        )
        crowd.append(person)
    return crowd


async def results(runtime: Runtime, by: str | None = None, minimum: int = 2) -> CampaignResults:
    return await campaign_results(runtime.redis, runtime.schema, SURVEY, by=by, minimum=minimum)


def question(found: CampaignResults, question_id: str) -> QuestionResults:
    return next(q for q in found.questions if q.question_id == question_id)


def options(found: CampaignResults, question_id: str) -> dict[str, int | None]:
    return {o.option_id: o.count.count for o in question(found, question_id).options}


async def test_results_count_what_people_answered_and_never_a_number_or_a_text(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 3, "w", source="well", worries=("price", "safety"), trips="4")
    await people(runtime, 2, "t", source="tap", worries=None, story="the pump is broken")

    found = await results(runtime)
    assert (found.started.count, found.completed.count) == (5, 5)
    assert options(found, "source") == {"well": 3, "tap": 2, "river": 0}
    assert question(found, "source").answered.count == 5
    assert options(found, "worries") == {"price": 3, "safety": 3, "distance": 0}
    worries = question(found, "worries")
    assert (worries.answered.count, worries.skipped.count) == (3, 2)
    trips, story = question(found, "trips"), question(found, "story")
    assert (trips.options, trips.answered.count, trips.skipped.count) == ((), 3, 2)
    assert (story.answered.count, story.skipped.count) == (2, 3)
    stored = b""
    for shard in range(runtime.schema.shards):
        counters: Any = await redis_client.hgetall(runtime.schema.counters(shard, CAMPAIGN))
        stored += b" ".join(name + b"=" + value for name, value in counters.items())
    assert b"pump" not in stored
    assert b"trips=" not in stored  # how many answered, never what


async def test_going_back_and_changing_an_answer_moves_its_count(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    crowd = [Person(runtime, f"p{n}") for n in range(4)]
    for person in crowd:
        await person.join()
        await person.send(Answer(ChoiceReply("source", ("well",))))
    assert options(await results(runtime), "source") == {"well": 4, "tap": 0, "river": 0}

    for person in crowd[:2]:  # at the next question, they go back and change their mind
        await person.send(Answer(GoBack()))
        await person.send(Answer(ChoiceReply("source", ("river",))))

    found = await results(runtime)
    assert options(found, "source") == {"well": 2, "tap": 0, "river": 2}
    assert question(found, "source").answered.count == 4


async def test_an_erasure_takes_the_participants_counts_away(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    [gone, also_gone, *_] = await people(runtime, 4, "r", source="river", worries=("distance",))
    await people(runtime, 2, "w", source="well", worries=("price",))
    before = await results(runtime, by="worries")
    assert options(before, "source") == {"well": 2, "tap": 0, "river": 4}

    # Two of them: the figures move once at least `minimum` (2) people changed them.
    for person in (gone, also_gone):
        await person.send(Command("delete", ""))
        await person.send(Command("delete", "confirm"))

    after = await results(runtime, by="worries")
    assert options(after, "source") == {"well": 2, "tap": 0, "river": 2}
    assert options(after, "worries") == {"price": 2, "safety": 0, "distance": 2}
    breakdown = question(after, "source").breakdown
    assert breakdown is not None
    assert breakdown.table.cells[2][2].count == 2  # river x distance: the erased one is gone
    assert question(after, "trips").skipped.count == 4
    assert not await redis_client.exists(runtime.schema.session(gone.pid, CAMPAIGN))


async def test_small_cells_are_withheld_with_those_that_would_give_them_away(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 6, "w", source="well")
    await people(runtime, 5, "t", source="tap")
    await people(runtime, 1, "r", source="river")

    found = await results(runtime, minimum=5)
    source = question(found, "source")
    assert options(found, "source") == {"well": 6, "tap": None, "river": None}
    assert source.answered.count == 12
    assert [o.count.label(found.minimum) for o in source.options] == ["6", "<5", "<5"]
    trips = question(found, "trips")
    assert trips.answered.count == 0
    assert trips.skipped.count == 12


async def test_a_breakdown_by_language_and_by_channel(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 2, "e", source="well", language="en")
    await people(runtime, 3, "f", source="tap", language="fr", channel=Channel.TELEGRAM)

    by_language = await results(runtime, by="language")
    breakdown = question(by_language, "source").breakdown
    assert breakdown is not None
    assert breakdown.columns == ("en", "fr")
    assert [[c.count for c in row] for row in breakdown.table.cells] == [[2, 0], [0, 3], [0, 0]]
    story = question(by_language, "story").breakdown
    assert story is not None
    assert story.rows == ("answered", "skipped", "declined")
    assert [c.count for c in story.table.cells[1]] == [2, 3]

    by_channel = await results(runtime, by="channel")
    breakdown = question(by_channel, "source").breakdown
    assert breakdown is not None
    column = breakdown.columns.index("telegram")
    assert [row[column].count for row in breakdown.table.cells] == [0, 3, 0]


async def test_a_breakdown_by_another_question_counts_those_who_did_not_answer_it(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 2, "w", source="well", worries=("price", "safety"))
    await people(runtime, 3, "t", source="tap", worries=None)

    found = await results(runtime, by="source")
    worries = question(found, "worries").breakdown
    assert worries is not None
    assert worries.columns == ("well", "tap", "river", NO_ANSWER)
    assert [c.count for c in worries.table.cells[0]] == [2, 0, 0, 0]  # price
    by_worries = await results(runtime, by="worries")
    source = question(by_worries, "source").breakdown
    assert source is not None
    assert source.columns == ("price", "safety", "distance")
    assert [c.count for c in source.table.cells[1]] == [0, 0, 0]  # tap: none worried
    assert question(by_worries, "worries").breakdown is None  # not by itself


@pytest.mark.parametrize("by", ["trips", "nothing", "story"])
async def test_a_breakdown_by_what_is_not_a_choice_question_is_refused(
    redis_client: Redis, by: str
) -> None:
    runtime = await deployment(redis_client)
    with pytest.raises(
        UnknownBreakdownError, match="choose language, channel or a choice or scale"
    ):
        await results(runtime, by=by)
