"""Individual responses through the API: pseudonymous, paginated, free text only when asked
for, every page audited."""

from __future__ import annotations

import base64
from typing import Any

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.api.operations.responses import records_read
from tests.bot.api import BOTH, CAMPAIGN_B, CAMPAIGNS, ONLY_A, ORG_A, ORG_B, STORY, World


def _responses(org: str) -> str:
    return f"/api/v1/campaigns/{CAMPAIGNS[org]}/responses"


async def _all_pages(world: World, path: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    internal = {world.deployment.participant(name) for name in (BOTH, *ONLY_A)}
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = await world.get(path + query)
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        # The cursor goes to the client too: no internal id in it, however it is decoded.
        opened = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        assert not any(pid in opened for pid in internal)


async def test_one_person_in_two_organisations_has_unrelated_pseudonyms_and_no_internal_id(
    world: World,
) -> None:
    both = world.deployment.participant(BOTH)
    seen = {}
    for org in (ORG_A, ORG_B):
        response = await world.call("GET", _responses(org), token=world.token(org, Role.ANALYST))
        assert response.headers["Cache-Control"] == "no-store"
        body = await response.text()
        assert both not in body
        page = await response.json()
        [theirs] = [item for item in page["items"] if item["answers"].get("unsafe_what")]
        seen[org] = theirs["participant"]
    assert seen[ORG_A] != seen[ORG_B]
    assert seen[ORG_A].startswith("p-")
    assert seen[ORG_A] not in str(await world.get(_responses(ORG_B), world.token(ORG_B)))


async def test_free_text_is_shown_only_when_asked_for_and_then_audited(world: World) -> None:
    token = world.token(ORG_A, Role.ANALYST)
    without = await world.get(_responses(ORG_A), token)
    [story] = [
        i["answers"]["unsafe_what"] for i in without["items"] if "unsafe_what" in i["answers"]
    ]
    assert story == {"outcome": "answered", "value": None, "free_text": True, "lost": None}
    assert [entry.action for entry in world.audit.entries] == [AuditAction.RESPONSES_READ]

    world.audit.entries.clear()
    with_text = await world.get(_responses(ORG_A) + "?free_text=true", token)
    [story] = [
        i["answers"]["unsafe_what"] for i in with_text["items"] if "unsafe_what" in i["answers"]
    ]
    assert story["value"] == STORY[ORG_A]
    read, words = world.audit.entries
    assert (read.action, read.org, read.target, read.count) == (
        AuditAction.RESPONSES_READ,
        ORG_A,
        f"campaign:{CAMPAIGNS[ORG_A]}",
        1 + len(ONLY_A),
    )
    assert (words.action, words.count, words.actor) == (
        AuditAction.FREE_TEXT_READ,
        1,
        f"token:{token.split('_')[1]}",
    )
    # Which records: the page's first and last pseudonyms, and a digest of them all.
    shown = sorted(item["participant"] for item in with_text["items"])
    assert read.details is not None
    assert (read.details["first"], read.details["last"]) == (shown[0], shown[-1])
    assert read.details["records"] == records_read(shown)["records"]  # type: ignore[index]


async def test_pages_walk_every_respondent_once(world: World) -> None:
    every = await _all_pages(world, _responses(ORG_A), limit=1)
    pseudonyms = [item["participant"] for item in every]
    assert len(pseudonyms) == 1 + len(ONLY_A)
    assert len(set(pseudonyms)) == len(pseudonyms)
    assert sorted(pseudonyms) == sorted(
        i["participant"] for i in await _all_pages(world, _responses(ORG_A), 3)
    )
    pages = [entry.count for entry in world.audit.entries]
    assert sum(count or 0 for count in pages) == 2 * len(pseudonyms)


async def test_another_organisations_campaign_is_not_found(world: World) -> None:
    response = await world.call(
        "GET", f"/api/v1/campaigns/{CAMPAIGN_B}/responses", token=world.token(ORG_A)
    )
    assert response.status == 404
    assert CAMPAIGN_B not in await response.text()
    assert world.audit.entries == []
