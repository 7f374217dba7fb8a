"""Aggregate results through the API: small cells withheld by the suppression the command line
uses, a breakdown the campaign does not keep refused with the field at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ONLY_A, ORG_A, World, api_world


async def test_counts_below_the_minimum_are_withheld(world: World) -> None:
    results = await world.get(
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results", world.token(ORG_A, Role.VIEWER)
    )
    assert results["minimum"] == 5
    assert results["started"] is None  # 4 respondents: fewer than 5
    uses = next(q for q in results["questions"] if q["question_id"] == "uses")
    assert all(option["count"] is None for option in uses["options"])


async def test_a_breakdown_the_campaign_does_not_keep_is_refused(world: World) -> None:
    response = await world.call(
        "GET",
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results?by=nonsense",
        token=world.token(ORG_A, Role.VIEWER),
    )
    assert response.status == 422
    problem = await response.json()
    assert [error["location"] for error in problem["errors"]] == ["query.by"]


async def test_with_a_lower_minimum_the_counts_show(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as world:
        path = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results?by=language"
        results = await world.get(path, world.token(ORG_A, Role.VIEWER))
        assert (results["minimum"], results["started"]) == (2, 1 + len(ONLY_A))
        uses = next(q for q in results["questions"] if q["question_id"] == "uses")
        assert uses["breakdown"]["by"] == "language"
        breakdown = uses["breakdown"]
        assert breakdown["columns"] == ["en", "fr", "ar", "sw"]  # the survey's languages
        assert uses["answered"] == 1 + len(ONLY_A)
        assert breakdown["column_totals"][0] == uses["answered"]  # everyone answered in English
