"""Uploading a broken survey file through the API (`loadCampaign`): every mistake the loader
finds comes back, in file order, each at its path and line — the same list the loader's own
tests expect of every broken file (tests/dialogues/broken/expected.yaml) — and nothing is
stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.access.roles import Role
from tests.bot.api import ORG_A, World, api_world

BROKEN = Path(__file__).resolve().parents[2] / "dialogues" / "broken"


@pytest.fixture
async def unlimited(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """Some fifty uploads in a row: more than a token's burst (the rate is tested elsewhere)."""
    async with api_world(
        redis_url, tmp_path, monkeypatch, SAUTI_API_RATE="100000", SAUTI_API_BURST="10000"
    ) as world:
        yield world


def expected() -> dict[str, list[dict[str, Any]]]:
    loaded: dict[str, list[dict[str, Any]]] = yaml.safe_load(
        (BROKEN / "expected.yaml").read_text(encoding="utf-8")
    )
    return loaded


async def test_every_mistake_of_every_broken_file_comes_back_at_its_line(
    unlimited: World,
) -> None:
    world = unlimited
    token = world.token(ORG_A, Role.ADMIN)
    before = await world.get("/api/v1/campaigns", token)
    for name, problems in expected().items():
        response = await world.call(
            "POST",
            "/api/v1/campaigns",
            token=token,
            data=(BROKEN / name).read_bytes(),
            headers={"Content-Type": "application/yaml"},
        )
        assert response.status == 422, name
        answer = await response.json()
        assert answer["type"].endswith("invalid-survey"), name
        got = answer["errors"]
        assert len(got) == len(problems), (name, got)
        for error, problem in zip(got, problems, strict=True):
            assert error["location"] == (problem["path"] or "(file)"), name
            assert error.get("line") == problem["line"], name  # null: left out
            assert problem["message"] in error["message"], name
    assert await world.get("/api/v1/campaigns", token) == before
