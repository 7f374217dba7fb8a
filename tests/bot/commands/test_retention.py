"""`sauti retention report|run`: what is due and when, a dry run that erases nothing, a run
that keeps the results and is in the audit log, and a second run that finds nothing due; and the
job of `sauti run`, one process per interval."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.access.organisations import DEFAULT_ORG
from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Join
from bot.runtime.retention import holding
from tests.bot.commands import Deployment, deployed, sauti
from tests.kit.example import CAMPAIGN, example_survey, one_question_survey
from tests.kit.waiting import until

Capture = pytest.CaptureFixture[str]
LATER = "later-2026"
LATER_SURVEY = one_question_survey(LATER)


@pytest.fixture
async def deployment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deployment]:
    async with deployed(redis_url, tmp_path, monkeypatch, SAUTI_RETENTION_DAYS="30") as value:
        yield value


async def _closed_days_ago(deployment: Deployment, campaign_id: str, days: int) -> int:
    """Closed, its closing time moved back: `days` have passed since. Returns that time."""
    app = deployment.app
    await app.campaigns.set_status(campaign_id, CampaignStatus.CLOSED)
    closed = int(time.time() * 1000) - days * DAY_MS
    await app.redis.hset(app.schema.campaign(campaign_id), "closed", str(closed))
    return closed


def _minute(epoch_ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(epoch_ms / 1000))


def _line(output: str, campaign_id: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{campaign_id}\t"))


async def _three_answered(deployment: Deployment) -> None:
    for name in ("amina", "juma", "neema"):
        await deployment.send(deployment.participant(name), Join(CAMPAIGN, "en"))
    await deployment.drain()
    for name in ("amina", "juma", "neema"):
        await deployment.send(deployment.participant(name), "1")
    await deployment.drain()


async def test_the_report_says_what_is_due_and_a_run_erases_it_keeping_the_results(
    deployment: Deployment, capsys: Capture
) -> None:
    app = deployment.app
    await _three_answered(deployment)
    await app.campaigns.load(LATER_SURVEY)

    assert await sauti("retention", "report") == 0
    assert _line(capsys.readouterr().out, CAMPAIGN).endswith("\topen")

    closed = await _closed_days_ago(deployment, CAMPAIGN, 31)
    later = await _closed_days_ago(deployment, LATER, 10)
    # Closing took the final results snapshot, with the three in it.
    assert await sauti("campaign", "results", CAMPAIGN) == 0
    results = capsys.readouterr().out
    assert "started <5" in results
    assert await sauti("retention", "report") == 0
    report = capsys.readouterr().out
    assert _line(report, CAMPAIGN).split("\t")[1:] == [
        *(DEFAULT_ORG, _minute(closed), "30 days", _minute(closed + 30 * DAY_MS)),
        *("<5", "due now"),  # three still held: a small count, withheld
    ]
    assert _line(report, LATER).split("\t")[2:] == [
        *(_minute(later), "30 days", _minute(later + 30 * DAY_MS), "0", "in 20 days"),
    ]

    assert await sauti("retention", "run", "--dry-run") == 0
    assert f"would erase campaign '{CAMPAIGN}': <5 respondents" in capsys.readouterr().out
    assert await holding(app.redis, app.schema, CAMPAIGN) == 3

    assert await sauti("retention", "run") == 0
    assert f"campaign '{CAMPAIGN}': personal-level data erased" in capsys.readouterr().out
    assert await holding(app.redis, app.schema, CAMPAIGN) == 0
    for name in ("amina", "juma", "neema"):
        assert not await app.redis.exists(app.schema.participant(deployment.participant(name)))
    assert await sauti("campaign", "results", CAMPAIGN) == 0
    assert capsys.readouterr().out == results  # the aggregates stay as they were
    entries = [e.record async for e in app.audit_log().everything(DEFAULT_ORG) if e.record]
    [entry] = [record for record in entries if record.action == "retention_erased"]
    # Whether it is all erased, never how many (a small count could point at someone).
    assert (entry.actor, entry.target, entry.count) == ("operator", f"campaign:{CAMPAIGN}", None)
    assert dict(entry.details) == {"state": "erased", "by": "command"}

    assert await sauti("retention", "run") == 0
    assert capsys.readouterr().out == "nothing is due\n"
    assert await sauti("retention", "report") == 0
    held, when = _line(capsys.readouterr().out, CAMPAIGN).split("\t")[5:]
    assert (held, when[:17]) == ("0", f"erased {time.strftime('%Y-%m-%d', time.gmtime())}")


async def test_closing_a_campaign_says_until_when_its_data_is_kept(
    deployment: Deployment, capsys: Capture
) -> None:
    assert await sauti("campaign", "close", CAMPAIGN) == 0

    closed = await deployment.app.campaigns.get(CAMPAIGN)
    assert closed is not None
    assert closed.closed_ms is not None
    assert capsys.readouterr().out.splitlines() == [
        f"campaign '{CAMPAIGN}' is closed",
        "its personal-level data is kept 30 days, until "
        f"{_minute(closed.closed_ms + 30 * DAY_MS)} UTC, then erased (sauti retention report)",
    ]
    assert (
        await sauti("campaign", "open", CAMPAIGN, "--accept-machine-drafted") == 0
    )  # reopened: no closing time kept
    assert capsys.readouterr().out == f"campaign '{CAMPAIGN}' is open\n"
    assert not await deployment.app.redis.hexists(
        deployment.app.schema.campaign(CAMPAIGN), "closed"
    )


async def test_a_run_for_one_campaign_not_due_erases_nothing(
    deployment: Deployment, capsys: Capture
) -> None:
    await _three_answered(deployment)
    await _closed_days_ago(deployment, CAMPAIGN, 29)

    assert await sauti("retention", "run", "--campaign", CAMPAIGN) == 0

    assert capsys.readouterr().out.splitlines() == [
        f"campaign '{CAMPAIGN}': in 1 day, nothing to erase",
        "nothing is due",
    ]
    assert await holding(deployment.app.redis, deployment.app.schema, CAMPAIGN) == 3
    assert await sauti("retention", "run", "--campaign", "nope") == 1
    assert "no campaign 'nope'" in capsys.readouterr().err


async def test_one_process_runs_the_job_per_interval(deployment: Deployment) -> None:
    await _three_answered(deployment)
    await _closed_days_ago(deployment, CAMPAIGN, 31)
    first, second = deployment.app.retention_job(), deployment.app.retention_job()

    done = await first.run_once()
    assert done is not None
    assert [erased.campaign_id for erased in done] == [CAMPAIGN]
    assert await second.run_once() is None  # the other process waits for the next interval
    assert await holding(deployment.app.redis, deployment.app.schema, CAMPAIGN) == 0


async def test_the_job_of_sauti_run_erases_what_is_due_and_stops_when_asked(
    deployment: Deployment,
) -> None:
    app = deployment.app
    await _three_answered(deployment)
    await _closed_days_ago(deployment, CAMPAIGN, 31)
    stop = asyncio.Event()
    job = asyncio.create_task(app.retention_job().run(stop))

    async def erased() -> bool:
        return await holding(app.redis, app.schema, CAMPAIGN) == 0

    await until(erased, seconds=10, waiting_for="the job to erase the campaign")
    stop.set()
    await asyncio.wait_for(job, timeout=2)  # it waits for the next interval, and stops at once
    assert await app.campaigns.purged_at(CAMPAIGN) is not None


async def test_a_run_left_unfinished_says_so_without_a_count(
    deployment: Deployment, capsys: Capture
) -> None:
    await _three_answered(deployment)
    await _closed_days_ago(deployment, CAMPAIGN, 31)
    await deployment.send(deployment.participant("amina"), "help")  # stored, not yet processed

    assert await sauti("retention", "run") == 0

    assert capsys.readouterr().out == (
        f"campaign '{CAMPAIGN}': personal-level data not yet complete, the next run goes on\n"
    )
    await deployment.drain()
    assert await sauti("retention", "run") == 0
    assert capsys.readouterr().out == f"campaign '{CAMPAIGN}': personal-level data erased\n"


async def test_one_campaign_failing_holds_up_no_other(
    deployment: Deployment, caplog: pytest.LogCaptureFixture
) -> None:
    app = deployment.app
    await _three_answered(deployment)
    await app.campaigns.load(LATER_SURVEY)
    await _closed_days_ago(deployment, CAMPAIGN, 31)
    await _closed_days_ago(deployment, LATER, 31)
    # Damaged: a key of the wrong type where its respondents are (it comes first by name).
    await app.redis.set(app.schema.respondents(0, LATER), "not a set")
    assert LATER < CAMPAIGN

    done = await app.retention_job().run_once()

    assert done is not None
    assert [erased.campaign_id for erased in done] == [CAMPAIGN]
    assert await holding(app.redis, app.schema, CAMPAIGN) == 0
    assert f"retention of campaign '{LATER}' failed (ResponseError)" in caplog.text
    assert await app.campaigns.purged_at(LATER) is None


async def test_the_command_goes_on_past_a_failing_campaign(
    deployment: Deployment, capsys: Capture
) -> None:
    app = deployment.app
    await _three_answered(deployment)
    await app.campaigns.load(LATER_SURVEY)
    await _closed_days_ago(deployment, CAMPAIGN, 31)
    await _closed_days_ago(deployment, LATER, 31)
    await app.redis.set(app.schema.respondents(0, LATER), "not a set")

    assert await sauti("retention", "run") == 1

    out, err = capsys.readouterr()
    assert out == f"campaign '{CAMPAIGN}': personal-level data erased\n"
    assert f"campaign '{LATER}': retention failed (ResponseError)" in err


async def test_reloading_a_survey_with_another_retention_says_what_people_were_told(
    deployment: Deployment, capsys: Capture, tmp_path: Path
) -> None:
    path = tmp_path / "survey.yaml"
    path.write_text(example_survey().replace("\nquestions:", "\nretention_days: 60\nquestions:"))
    # Nobody joined yet: nobody was told anything, the new number is simply kept.
    assert await sauti("campaign", "load", str(path)) == 0
    assert capsys.readouterr().err == ""
    await deployment.app.campaigns.set_status(CAMPAIGN, CampaignStatus.OPEN)
    await _three_answered(deployment)

    path.write_text(example_survey().replace("\nquestions:", "\nretention_days: 90\nquestions:"))
    assert await sauti("campaign", "load", str(path)) == 1
    err = capsys.readouterr().err
    assert "people who already joined were told 60 days" in err
    assert "goes against what they were told" in err
    assert "--force" in err
    campaign = await deployment.app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    assert campaign.retention_days == 60

    assert await sauti("campaign", "load", str(path), "--force") == 0
    assert "their personal-level data is now kept 90 days" in capsys.readouterr().err

    path.write_text(example_survey().replace("\nquestions:", "\nretention_days: 20\nquestions:"))
    assert await sauti("campaign", "load", str(path)) == 0
    err = capsys.readouterr().err
    assert "were told 90 days; their personal-level data now goes after 20" in err
