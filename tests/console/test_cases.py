"""The grievance desk's pages, over HTTP: the desk (safety first, overdue first, filters), a
case (its text read and audited, stepped with a message that reaches the participant), the
desk report, and what each role may see and do."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from bot.access.roles import Role
from bot.audit import AuditAction
from bot.console import cases as console_cases
from bot.conversation.inbox import open_notice
from bot.loop.grievances import Desk
from bot.records.cases import CaseStatus, Urgency, find_case
from bot.records.desk import desk_page
from tests.bot.api import BOTH, GRIEVANCE, ORG_A, ORG_B, World, answer
from tests.bot.api.test_desk_index import _send
from tests.console import signed_in
from tests.kit.example import CAMPAIGN


async def participant_inbox(world: World, user: str = BOTH) -> list[str]:
    """What a web chat participant of the world was told, opened with their key."""
    app = world.deployment.app
    pid = world.deployment.participant(user)
    wrapped: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    key = app.crypto.unwrap_data_key(wrapped)
    items: Any = await app.redis.lrange(app.schema.webchat_inbox(pid), 0, -1)
    return [notice.text for item in items if (notice := open_notice(item, pid, key))]


async def test_the_desk_lists_the_organisations_cases_with_their_countdown(world: World) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    page = await caseworker.page("/console/cases")
    assert world.cases[ORG_A] in page
    assert world.cases[ORG_B] not in page
    assert '<a href="/console/cases" aria-current="page">Cases</a>' in page
    assert "Not categorised" in page
    campaign = await caseworker.page("/console/campaigns/safe-connect-2026")
    assert 'href="/console/cases?campaign=safe-connect-2026"' in campaign
    assert '<th scope="col">Time to answer</th>' in page
    assert "Overdue by" in page or " left" in page


async def test_roles_without_the_desk_see_neither_its_link_nor_its_pages(world: World) -> None:
    for role in (Role.VIEWER, Role.ANALYST):
        staff = await signed_in(world, role)
        assert 'href="/console/cases"' not in await staff.page("/console/campaigns")
        await staff.page("/console/cases", status=403)
        await staff.page(f"/console/cases/{world.cases[ORG_A]}", status=403)
        await staff.page("/console/cases/report", status=403)
        refused = await staff.post(
            f"/console/cases/{world.cases[ORG_A]}/steps", {"status": "resolved"}
        )
        assert refused.status == 403
    assert world.audit.entries == []  # nothing was read, nothing moved


async def test_a_caseworker_reads_a_case_and_steps_it_with_a_message(world: World) -> None:
    reference = world.cases[ORG_A]
    caseworker = await signed_in(world, Role.CASEWORKER)
    page = await caseworker.page(f"/console/cases/{reference}")
    assert GRIEVANCE[ORG_A] in page
    assert '<textarea id="step-message" name="message"' in page
    assert 'lang="en"' in page
    [read] = world.audit.entries
    assert (read.action, read.target) == (AuditAction.FREE_TEXT_READ, f"case:{reference}")

    stepped = await caseworker.post(
        f"/console/cases/{reference}/steps",
        {
            "status": "under_review",
            "category": "billing",
            "urgency": "urgent",
            "message": "We are checking the double charge.",
            "expected_steps": "0",
        },
    )
    assert stepped.status == 303
    after = await caseworker.page(stepped.headers["Location"])
    assert "The case moved on. The participant will read it in their web chat." in after
    assert "<dt>Category</dt><dd>Billing and mobile money</dd>" in after
    assert (await participant_inbox(world))[-1].endswith("We are checking the double charge.")
    moved = world.audit.entries[1]
    assert (moved.action, dict(moved.details)) == (
        AuditAction.CASE_STEPPED,
        {"status": "under_review", "category": "billing", "urgency": "urgent"},
    )


async def test_a_step_on_a_case_that_moved_meanwhile_keeps_what_was_written(
    world: World,
) -> None:
    reference = world.cases[ORG_A]
    first = await signed_in(world, Role.CASEWORKER)
    second = await signed_in(world, Role.ADMIN)
    await first.post(
        f"/console/cases/{reference}/steps", {"status": "escalated", "expected_steps": "0"}
    )
    told_before = await participant_inbox(world)
    late = await second.post(
        f"/console/cases/{reference}/steps",
        {"status": "resolved", "message": "Refunded: 500 shillings.", "expected_steps": "0"},
    )
    assert late.status == 409
    page = await late.text()
    assert "The case did not move:" in page
    assert "was changed since this page was opened" in page
    assert ">Refunded: 500 shillings.</textarea>" in page
    assert await participant_inbox(world) == told_before  # nothing more reached them


async def test_a_message_too_long_is_refused_with_the_reason_and_kept(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    reference = world.cases[ORG_A]
    refused = await admin.post(
        f"/console/cases/{reference}/steps", {"status": "resolved", "message": "a" * 1001}
    )
    assert refused.status == 422
    page = await refused.text()
    assert "Message: Write at most 1000 characters." in page
    assert "a" * 1001 in page
    case = await world.get(f"/api/v1/cases/{reference}")
    assert case["status"] == "received"


async def test_a_form_from_elsewhere_moves_no_case(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    forged = await world.client.post(
        f"/console/cases/{world.cases[ORG_A]}/steps",
        data={"csrf": "guessed", "status": "resolved"},
        cookies={"sauti_session": admin.cookie},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert (await world.get(f"/api/v1/cases/{world.cases[ORG_A]}"))["status"] == "received"


async def test_a_safety_flag_puts_the_case_first_and_raises_a_banner(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    reference = world.cases[ORG_A]
    await admin.post(
        f"/console/cases/{reference}/steps", {"status": "under_review", "urgency": "safety"}
    )
    caseworker = await signed_in(world, Role.CASEWORKER)
    page = await caseworker.page("/console/campaigns")
    assert "1 open case puts someone&#39;s safety at stake." in page
    assert 'role="alert"' in page
    desk = await caseworker.page("/console/cases?category=uncategorised")
    assert '<span class="badge alert">safety at stake</span>' in desk
    viewer = await signed_in(world, Role.VIEWER)
    assert "safety at stake" not in await viewer.page("/console/campaigns")


async def _flagged_elsewhere(world: World) -> None:
    """The case of ORG_A flagged `safety` from outside this console (the command line)."""
    app = world.deployment.app
    case = await find_case(app.redis, app.schema, world.cases[ORG_A])
    assert case is not None
    desk = Desk(app.redis, app.schema, app.campaigns, app.crypto)
    await desk.step(
        case, CaseStatus.UNDER_REVIEW, "", int(time.time() * 1000), urgency=Urgency.SAFETY
    )


async def test_the_safety_banner_is_exact_on_the_next_page_after_a_step_made_elsewhere(
    world: World,
) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    assert "safety at stake" not in await caseworker.page("/console/campaigns")
    await _flagged_elsewhere(world)
    page = await caseworker.page("/console/campaigns")
    assert "1 open case puts someone&#39;s safety at stake." in page
    # Resolved (from the command line too): the very next page shows no banner.
    app = world.deployment.app
    case = await find_case(app.redis, app.schema, world.cases[ORG_A])
    assert case is not None
    desk = Desk(app.redis, app.schema, app.campaigns, app.crypto)
    await desk.step(case, CaseStatus.RESOLVED, "", int(time.time() * 1000))
    assert "safety at stake" not in await caseworker.page("/console/campaigns")


async def test_a_step_in_the_console_shows_in_the_banner_at_once(world: World) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    assert "safety at stake" not in await caseworker.page("/console/campaigns")
    await caseworker.post(
        f"/console/cases/{world.cases[ORG_A]}/steps",
        {"status": "under_review", "urgency": "safety"},
    )
    page = await caseworker.page("/console/campaigns")
    assert "1 open case puts someone&#39;s safety at stake." in page
    # Another organisation's staff see no banner for it.
    other = await signed_in(world, Role.CASEWORKER, org=ORG_B)
    assert "safety at stake" not in await other.page("/console/campaigns")


async def test_the_desk_filters_and_refuses_a_filter_it_does_not_know(world: World) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    none = await caseworker.page("/console/cases?status=resolved")
    assert "No case matches." in none
    assert '<option value="resolved" selected>' in none
    unknown = await caseworker.page("/console/cases?status=lost", status=422)
    assert "Status: Choose one of &#39;received&#39;" in unknown


async def test_the_report_page_withholds_small_counts(world: World) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    page = await caseworker.page("/console/cases/report")
    assert '<h2 id="times-caption">Response times</h2>' in page
    assert '<th scope="row">Not categorised</th>' in page
    assert "fewer than 5" in page
    assert "First response: median / 90th percentile" in page
    french = await caseworker.page("/console/cases/report", headers={"Accept-Language": "fr"})
    assert "Délais de réponse" in french


async def test_a_case_flagged_while_someone_pages_shows_on_their_next_page_as_moved_up(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console_cases, "PAGE_SIZE", "1")
    app = world.deployment.app
    for user in ("tok-p1", "tok-p2", "tok-p3"):
        pid = world.deployment.participant(user)
        await answer(world.deployment, pid, CAMPAIGN, "")
        await world.deployment.send(pid, "feedback")
        await world.deployment.send(pid, "The mast fell on my fence")
        await world.deployment.drain()
    caseworker = await signed_in(world, Role.CASEWORKER)
    first = await caseworker.page(f"/console/cases?campaign={CAMPAIGN}")
    [following] = re.findall(r'<a href="/console/cases\?([^"]+)">Next cases</a>', first)
    second = await caseworker.page(f"/console/cases?{following.replace('&amp;', '&')}")
    [following] = re.findall(r'<a href="/console/cases\?([^"]+)">Next cases</a>', second)
    # The last case of the desk is flagged safety: it moves to the top, before this reader.
    page = await desk_page(app.redis, app.schema, ORG_A, limit=10)
    last = page.cases[-1]
    assert last.reference not in first + second
    await caseworker.post(
        f"/console/cases/{last.reference}/steps", {"status": "under_review", "urgency": "safety"}
    )

    third = await caseworker.page(f"/console/cases?{following.replace('&amp;', '&')}")

    assert "Moved up since your last page" in third
    moved = third.split('id="moved-caption"')[1].split("</table>")[0]
    assert last.reference in moved
    assert last.reference not in third.split('id="cases-caption"')[1]


async def test_the_case_page_shows_why_a_resolution_did_not_satisfy_them_and_the_report_counts_it(
    world: World,
) -> None:
    reference = world.cases[ORG_A]
    caseworker = await signed_in(world, Role.CASEWORKER)
    await caseworker.post(f"/console/cases/{reference}/steps", {"status": "resolved"})
    deployment = world.deployment
    both = deployment.participant(BOTH)
    await _send(world, both, "satisfied", f"no:{reference}")
    assert "What is still wrong?" in (await participant_inbox(world))[-1]
    await deployment.send(both, "The second charge is still on my bill")
    await deployment.drain()

    page = await caseworker.page(f"/console/cases/{reference}")
    assert "Why the resolution did not satisfy them" in page
    assert "The second charge is still on my bill" in page
    report = await caseworker.page("/console/cases/report")
    assert "Said what is still wrong" in report
    french = await caseworker.page(f"/console/cases/{reference}", headers={"Accept-Language": "fr"})
    assert "Pourquoi la solution ne l" in french
    await (await signed_in(world, Role.VIEWER)).page(f"/console/cases/{reference}", status=403)
