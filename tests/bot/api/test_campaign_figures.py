"""A campaign's figures through the API: started, completed and dropped off overall and by
language and channel, small cells withheld, and the promised date with whether it is overdue."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.access.roles import Role
from tests.bot.api import (
    CAMPAIGN_B,
    CAMPAIGNS,
    ONLY_A,
    ORG_A,
    ORG_B,
    World,
    api_world,
    bravo_survey,
)


async def test_figures_below_the_minimum_are_withheld_everywhere(world: World) -> None:
    campaign = await world.get(f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}", world.token(ORG_A))
    assert campaign["started"] is None  # 4 respondents: fewer than 5
    assert campaign["dropped_off"] is None
    assert campaign["dropped_off_share"] is None
    assert [row["value"] for row in campaign["by_language"]] == ["en", "fr", "ar", "sw"]
    # Four people in all: how many started in each language is withheld, even where nobody
    # did (zeros would tell which language the four used), and so is the language they used.
    assert [row["started"] for row in campaign["by_language"]] == [None] * 4
    assert [row["started"] for row in campaign["by_channel"]] == [None] * 3
    english = campaign["by_language"][0]
    assert (english["completed"], english["dropped_off"]) == (None, None)
    assert campaign["report_back_by"] == "2027-03-31"


async def test_with_a_lower_minimum_the_figures_show_by_language_and_channel(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as world:
        page = await world.get("/api/v1/campaigns", world.token(ORG_A, Role.VIEWER))
        [campaign] = page["items"]
        everyone = 1 + len(ONLY_A)
        # Nobody got to the end: three stopped at `unsafe`, one further on.
        assert (campaign["started"], campaign["completed"]) == (everyone, 0)
        assert (campaign["dropped_off"], campaign["dropped_off_share"]) == (everyone, 1.0)
        english = campaign["by_language"][0]
        assert (english["value"], english["started"], english["dropped_off"]) == ("en", 4, 4)
        channels = {row["value"]: row for row in campaign["by_channel"]}
        assert channels["webchat"]["started"] == everyone
        assert channels["telegram"] == {
            "value": "telegram", "started": 0, "completed": 0, "dropped_off": 0,
            "dropped_off_share": None,
        }  # fmt: skip
        results = await world.get(
            f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results", world.token(ORG_A, Role.VIEWER)
        )
        uses = results["questions"][0]
        assert uses["text"]["fr"]  # what to write above its chart, in each language
        assert [o["text"].get("en") for o in uses["options"]][:2] == ["Calls", "Text messages"]
        drop_off = {q["question_id"]: (q["asked"], q["stopped_here"]) for q in results["questions"]}
        assert drop_off["uses"] == (everyone, 0)
        # Three stopped at `unsafe`, but the one who answered it is fewer than 2: withheld, and
        # the three with it (else 4 - 3 would tell).
        assert drop_off["unsafe"] == (everyone, None)
        assert drop_off["unsafe_what"] == (None, None)
        assert drop_off["money_safe"] == (0, 0)  # asked of nobody: its condition never held


async def test_a_promise_passed_with_nothing_published_is_overdue(world: World) -> None:
    token = world.token(ORG_B)
    path = f"/api/v1/campaigns/{CAMPAIGN_B}"
    assert (await world.get(path, token))["overdue"] is False  # due 2027-03-31
    # The same survey, its promise for a date long gone.
    response = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=token,
        data=bravo_survey().replace("report_back_by: 2027-03-31", "report_back_by: 2020-01-31"),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status == 200, await response.text()
    loaded = await response.json()
    assert (loaded["report_back_by"], loaded["overdue"]) == ("2020-01-31", True)
    listed = await world.get("/api/v1/campaigns", token)
    assert [item["overdue"] for item in listed["items"]] == [True]
