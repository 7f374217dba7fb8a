"""Someone who erases their data leaves every figure of a campaign at once: the overall
figures (started, completed, dropped off; each question's answered, skipped, declined) equal
the sum of their rows by language and by channel, read together, small cells withheld."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.campaign import CampaignStatus
from bot.conversation.inbound import Channel, Command
from bot.records.progress import CampaignProgress, campaign_progress
from bot.records.results import CampaignResults
from bot.records.suppression import Cell
from tests.bot.records.test_drop_off import halfway
from tests.bot.records.test_results import SURVEY, Person, deployment, people, results
from tests.kit.runtime import Runtime


async def progress(runtime: Runtime, minimum: int) -> CampaignProgress:
    return await campaign_progress(runtime.redis, runtime.schema, SURVEY, minimum=minimum)


async def erase(person: Person) -> None:
    await person.send(Command("delete", ""))
    await person.send(Command("delete", "confirm"))


def shown_sum(cells: list[Cell]) -> int | None:
    """The sum of the rows, or None when one is withheld (then no sum may be checked)."""
    counts = [cell.count for cell in cells]
    return None if None in counts else sum(c for c in counts if c is not None)


def assert_rows_add_up(found: CampaignProgress) -> None:
    """Each overall figure is the sum of its rows, by language and by channel; where rows are
    withheld, the overall figure gives none of them away (it is withheld too, or at least two
    rows are)."""
    for rows in (found.by_language.rows, found.by_channel.rows):
        for part in ("started", "completed", "dropped_off"):
            overall: Cell = getattr(found.overall, part)
            cells = [getattr(row, part) for row in rows]
            summed = shown_sum(cells)
            if summed is not None:
                assert overall.count in (summed, None), part
            elif overall.count is not None:
                assert sum(cell.withheld for cell in cells) >= 2, part


def answered_by(found: CampaignResults, question_id: str) -> tuple[int | None, int | None]:
    """A question's answered count, and the sum of its options' columns by the breakdown."""
    question = next(q for q in found.questions if q.question_id == question_id)
    assert question.breakdown is not None
    totals = question.breakdown.table.column_totals
    return question.answered.count, shown_sum(list(totals))


async def test_an_erased_person_is_out_of_the_totals_as_out_of_the_rows(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    [gone, *_] = await people(runtime, 6, "en", source="tap", language="en")
    await people(runtime, 5, "fr", source="well", language="fr", channel=Channel.TELEGRAM)
    [stopped, *_] = await halfway(runtime, "h", 6, language="fr", channel=Channel.TELEGRAM)
    assert_rows_add_up(await progress(runtime, minimum=5))

    await erase(gone)  # completed
    await erase(stopped)  # dropped off
    # Two erasures alone move nothing a reader sees (fewer than 5 people: a results snapshot
    # waits); closing the campaign takes its final snapshot, with them out.
    assert (await progress(runtime, minimum=5)).overall.started.count == 17
    assert await runtime.campaigns.set_status(SURVEY.id, CampaignStatus.CLOSED)

    found = await progress(runtime, minimum=5)
    assert (found.overall.started.count, found.overall.completed.count) == (15, 10)
    assert found.overall.dropped_off.count == 5
    assert_rows_add_up(found)
    assert [row.started.count for row in found.by_language.rows] == [5, 10]
    by_language = await results(runtime, by="language", minimum=5)
    assert (by_language.started.count, by_language.completed.count) == (15, 10)
    assert answered_by(by_language, "source") == (15, 15)
    by_channel = await results(runtime, by="channel", minimum=5)
    assert answered_by(by_channel, "source") == (15, 15)


async def test_a_total_withheld_with_its_rows_after_an_erasure(redis_client: Redis) -> None:
    """Two people in all once one erased their data: fewer than 5 overall as in each row,
    never the 3 that counted the erased one."""
    runtime = await deployment(redis_client)
    crowd = await people(runtime, 3, "en", source="tap", language="en")
    await erase(crowd[0])

    found = await progress(runtime, minimum=2)
    assert found.overall.started.count == 2
    assert [row.started.count for row in found.by_language.rows] == [2, 0]
    assert (await results(runtime, minimum=2)).started.count == 2


async def test_the_overall_figures_give_no_withheld_row_away(redis_client: Redis) -> None:
    """8 in English and 3 in French: the 11 in all is shown, so the 8 is withheld with the 3
    (11 - 8 would say 3)."""
    runtime = await deployment(redis_client)
    await people(runtime, 8, "en", source="tap", language="en")
    await people(runtime, 3, "fr", source="well", language="fr", channel=Channel.TELEGRAM)

    found = await progress(runtime, minimum=5)
    assert found.overall.started.count == 11
    assert [row.started.count for row in found.by_language.rows] == [None, None]
    by_channel = dict(zip(found.by_channel.values, found.by_channel.rows, strict=True))
    assert by_channel["whatsapp"].started.count is None
    assert by_channel["telegram"].started.count is None
    assert_rows_add_up(found)
    assert_rows_add_up(await progress(runtime, minimum=2))
