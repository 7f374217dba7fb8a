"""`sauti campaign list` counts people as the API does: through the one suppression function,
a count of 1 to 4 printed `<5`, never the number; larger ones as they are."""

from __future__ import annotations

import pytest

from bot.conversation.inbound import Join
from tests.bot.commands import Deployment, sauti
from tests.bot.commands.test_keys import erase
from tests.kit.example import CAMPAIGN


async def _started(deployment: Deployment, count: int) -> None:
    """`count` people join and answer the first question."""
    for n in range(count):
        await deployment.send(deployment.participant(f"tok-{n}"), Join(CAMPAIGN, "en"))
    await deployment.drain()
    for n in range(count):
        await deployment.send(deployment.participant(f"tok-{n}"), "1")
    await deployment.drain()


async def test_campaign_list_withholds_a_handful_of_people(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    await _started(deployment, 3)
    # Closed: its final results snapshot holds the three (an open campaign's figures wait for
    # at least 5 people: bot.records.snapshots).
    assert await sauti("campaign", "close", CAMPAIGN) == 0
    capsys.readouterr()

    assert await sauti("campaign", "list") == 0

    line = capsys.readouterr().out.strip().split("\t")
    assert line[3:] == ["started <5", "completed <5", "answers <5"]


async def test_campaign_list_shows_counts_from_the_minimum(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    await _started(deployment, 6)

    assert await sauti("campaign", "list") == 0

    line = capsys.readouterr().out.strip().split("\t")
    assert line[3:] == ["started 6", "completed 0", "answers 6"]


async def test_campaign_list_leaves_out_someone_who_erased_their_data(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the API's campaign figures do: the answers they gave still count as answers given."""
    await _started(deployment, 7)
    await erase(deployment.app, deployment.participant("tok-0"))

    assert await sauti("campaign", "list") == 0

    line = capsys.readouterr().out.strip().split("\t")
    assert line[3:] == ["started 6", "completed 0", "answers 7"]
