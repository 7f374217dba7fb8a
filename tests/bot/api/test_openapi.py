"""The OpenAPI document describes the API truthfully: it is a valid OpenAPI 3.1 document, and
requests generated from it (schemathesis, property-based) against the live server, with an
admin's token, get no 5xx and no answer its own schema does not allow."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.access.roles import Role
from tests.bot.api import ORG_A, World, api_world

EXAMPLES_PER_OPERATION = 25  # the whole run stays within a few seconds
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
async def unlimited(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """A world whose tokens are not held to a rate (the run would mostly meet 429s), and whose
    live streams end after a second (a client reading one to its end would wait minutes)."""
    async with api_world(
        redis_url,
        tmp_path,
        monkeypatch,
        SAUTI_API_RATE="100000",
        SAUTI_API_BURST="10000",
        SAUTI_API_EVENTS_SECONDS="1",
        SAUTI_API_EVENTS_PER_CALLER="100",
    ) as world:
        yield world


async def test_the_document_is_valid_openapi_3_1(world: World) -> None:
    document = await world.get("/api/v1/openapi.json")
    assert document["openapi"] == "3.1.0"
    validate(document)
    paths = document["paths"]
    assert paths["/campaigns/{campaign_id}/responses"]["get"]["operationId"] == "listResponses"
    assert "401" in paths["/me"]["get"]["responses"]
    assert paths["/openapi.json"]["get"]["security"] == []


async def test_requests_generated_from_the_document_get_answers_it_allows(
    unlimited: World,
) -> None:
    document = await unlimited.get("/api/v1/openapi.json")
    base_url = str(unlimited.client.make_url("/api/v1"))
    token = unlimited.token(ORG_A, Role.ADMIN)
    failures = await asyncio.to_thread(_run, document, base_url, token)
    assert failures == []


def _run(document: dict[str, Any], base_url: str, token: str) -> list[str]:
    """Every operation, EXAMPLES_PER_OPERATION generated requests each; what went wrong."""
    schema = schemathesis.openapi.from_dict(document)
    failures = []
    headers = {"Authorization": f"Bearer {token}"}
    results: list[Any] = list(schema.get_all_operations())
    for result in results:
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call(base_url=base_url, headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as error:  # every operation is tried; all failures are reported
            failures.append(f"{operation.verbose_name}: {error}")
    return failures
