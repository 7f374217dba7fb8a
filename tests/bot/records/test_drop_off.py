"""Drop-off, from answers given through the real pipeline on a real Redis: where people stopped
(question by question) and how far they got (by language and channel), following what they do —
an answer, going back, an erasure — with small cells withheld."""

from __future__ import annotations

from collections import defaultdict

from redis.asyncio import Redis

from bot.conversation.inbound import Answer, Channel, Command
from bot.records.progress import CampaignProgress, Progress, campaign_progress, progress_of
from bot.records.results import BY_CHANNEL, BY_LANGUAGE, results_of, results_version
from dialogues.inbound import ChoiceReply, GoBack, Skip
from tests.bot.records.test_results import (
    SURVEY,
    Person,
    deployment,
    people,
    question,
    results,
)
from tests.kit.runtime import Runtime
from tests.kit.stored import counters, result_counters


async def progress(runtime: Runtime, minimum: int = 2) -> CampaignProgress:
    return await campaign_progress(runtime.redis, runtime.schema, SURVEY, minimum=minimum)


def counts(row: Progress) -> tuple[int | None, int | None, int | None]:
    return row.started.count, row.completed.count, row.dropped_off.count


async def halfway(
    runtime: Runtime,
    prefix: str,
    count: int,
    language: str = "en",
    channel: Channel = Channel.WHATSAPP,
) -> list[Person]:
    """`count` people who answered the first question and stopped at the second."""
    crowd = []
    for n in range(count):
        person = Person(runtime, f"{prefix}{n}", channel)
        await person.join(language)
        await person.send(Answer(ChoiceReply("source", ("well",))))
        crowd.append(person)
    return crowd


async def test_each_question_says_how_many_were_asked_it_and_stopped_there(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 3, "done", source="tap", trips="2")
    stopped = await halfway(runtime, "half", 2)
    for n in range(2):
        await Person(runtime, f"joined{n}").join()  # asked the first question, never answered

    found = await results(runtime)
    source, worries = question(found, "source"), question(found, "worries")
    assert (source.asked.count, source.stopped_here.count) == (7, 2)
    assert (worries.asked.count, worries.stopped_here.count) == (5, 2)
    assert worries.skipped.count == 3
    story = question(found, "story")
    assert (story.asked.count, story.stopped_here.count) == (3, 0)

    # Both answer on: they leave `worries` and stop at `trips`.
    for person in stopped:
        await person.send(Answer(Skip("worries")))
    found = await results(runtime)
    trips = question(found, "trips")
    assert question(found, "worries").stopped_here.count == 0
    assert (trips.asked.count, trips.stopped_here.count) == (5, 2)
    # Going back to an answered question is not stopping there: it has its answer.
    for person in stopped:
        await person.send(Answer(GoBack()))
    found = await results(runtime)
    assert question(found, "trips").stopped_here.count == 0
    assert question(found, "worries").stopped_here.count == 0
    assert question(found, "worries").asked.count == 5


async def test_an_erasure_takes_its_drop_off_away_and_small_cells_are_withheld(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    [finished, *_] = await people(runtime, 6, "done", source="tap")
    [gone, *_] = await halfway(runtime, "half", 2)

    found = await results(runtime, minimum=5)
    worries = question(found, "worries")
    assert worries.stopped_here.count is None  # 2: fewer than 5
    assert worries.asked.count == 8
    assert worries.skipped.count is None  # 6 alone would give the 2 away

    version = await results_version(runtime.redis, runtime.schema, SURVEY.id)
    await gone.send(Command("delete", ""))
    assert await results_version(runtime.redis, runtime.schema, SURVEY.id) == version
    await gone.send(Command("delete", "confirm"))
    # The counters moved at once...
    assert await results_version(runtime.redis, runtime.schema, SURVEY.id) != version
    # ... but one erasure alone shows nowhere: the figures wait for a second person (minimum 2).
    found = await results(runtime, minimum=2)
    assert question(found, "worries").asked.count == 8
    assert found.needed == 1
    await finished.send(Command("delete", ""))
    await finished.send(Command("delete", "confirm"))
    found = await results(runtime, minimum=2)
    assert question(found, "worries").stopped_here.count is None  # 1 left
    assert question(found, "worries").asked.count == 6
    assert question(found, "source").asked.count == 6
    assert found.needed == 0


async def test_started_completed_and_dropped_off_by_language_and_channel(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 5, "en", source="tap", language="en")
    await people(runtime, 3, "fr", source="tap", language="fr", channel=Channel.TELEGRAM)
    await halfway(runtime, "enh", 3, language="en")
    await halfway(runtime, "frh", 2, language="fr", channel=Channel.TELEGRAM)

    found = await progress(runtime)
    assert counts(found.overall) == (13, 8, 5)
    assert found.overall.dropped_off_share == 5 / 13
    assert found.by_language.values == ("en", "fr")
    assert [counts(row) for row in found.by_language.rows] == [(8, 5, 3), (5, 3, 2)]
    by_channel = dict(zip(found.by_channel.values, found.by_channel.rows, strict=True))
    assert counts(by_channel["whatsapp"]) == (8, 5, 3)
    assert counts(by_channel["telegram"]) == (5, 3, 2)
    assert counts(by_channel["webchat"]) == (0, 0, 0)

    withheld = await progress(runtime, minimum=5)
    assert counts(withheld.overall) == (13, 8, 5)
    french = withheld.by_language.rows[1]
    assert counts(french) == (5, None, None)  # 3 and 2: fewer than 5
    assert french.dropped_off_share is None
    english = withheld.by_language.rows[0]
    assert counts(english) == (8, None, None)  # their complements in the columns


async def test_figures_read_from_the_snapshot_are_protected_by_language_and_channel_together(
    redis_client: Redis,
) -> None:
    """The campaign's figures and its results by language and by channel, as read from the
    results snapshot, are those the pages protected side by side give for the same counters
    (bot.records.side_by_side; test_side_by_side checks that nothing withheld can be worked
    out from them together)."""
    runtime = await deployment(redis_client)
    await people(runtime, 2, "enw", source="tap", language="en")
    await halfway(runtime, "ent", 1, language="en", channel=Channel.TELEGRAM)
    await people(runtime, 2, "frw", source="tap", language="fr")
    await halfway(runtime, "frwh", 1, language="fr")
    await people(runtime, 2, "frt", source="tap", language="fr", channel=Channel.TELEGRAM)

    found = await progress(runtime)
    stored = await counters(runtime.redis, runtime.schema, SURVEY.id)
    stored |= await result_counters(runtime.redis, runtime.schema, SURVEY.id)
    live = defaultdict(int, stored)
    assert found == progress_of(SURVEY, live, minimum=2)
    by_channel = dict(zip(found.by_channel.values, found.by_channel.rows, strict=True))
    # One dropped off in English, on Telegram and on WhatsApp: withheld in both tables, with
    # the completed counts that would give each back; the overall 2 of 8 is not small.
    assert counts(found.overall) == (8, 6, 2)
    assert [counts(row) for row in found.by_language.rows] == [(3, None, None), (5, None, None)]
    assert counts(by_channel["telegram"]) == (3, None, None)
    assert counts(by_channel["whatsapp"]) == (5, None, None)
    for by in (BY_LANGUAGE, BY_CHANNEL):
        assert await results(runtime, by=by) == results_of(SURVEY, live, by=by, minimum=2)
