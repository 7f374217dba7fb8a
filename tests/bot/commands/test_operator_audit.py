"""What the operator does on the command line to an organisation's people and data is in that
organisation's audit log, as `operator`: exports, reads of what participants wrote, staff and
campaign changes."""

from __future__ import annotations

import pytest

from bot.access.organisations import DEFAULT_ORG
from bot.audit.entry import OPERATOR
from bot.conversation.inbound import Join
from tests.bot.commands import Deployment, sauti
from tests.kit.example import CAMPAIGN

Capture = pytest.CaptureFixture[str]


async def _log(deployment: Deployment, org: str = DEFAULT_ORG) -> list[tuple[str, str | None]]:
    """(action, target) of each entry, oldest first."""
    entries = [entry async for entry in deployment.app.audit_log().everything(org)]
    records = [entry.record for entry in entries]
    assert all(record is not None for record in records)
    assert all(record.actor == OPERATOR for record in records if record is not None)
    return [(record.action, record.target) for record in records if record is not None]


async def test_an_export_is_recorded_with_how_many_it_held(
    deployment: Deployment, capsys: Capture
) -> None:
    for name in ("amina", "juma"):
        await deployment.send(deployment.participant(name), Join(CAMPAIGN, "en"))
    await deployment.drain()

    assert await sauti("campaign", "export", CAMPAIGN, "--format", "json") == 0

    [entry] = [e async for e in deployment.app.audit_log().everything(DEFAULT_ORG)]
    assert entry.record is not None
    assert (entry.record.action, entry.record.target) == ("export_created", f"campaign:{CAMPAIGN}")
    assert entry.record.count == 2
    assert dict(entry.record.details) == {"format": "json", "to": "stdout"}
    # The entry names no participant: neither their id nor the pseudonym the export showed.
    exported = capsys.readouterr().out
    for name in ("amina", "juma"):
        assert deployment.participant(name) not in str(entry.fields)
    assert "p-" not in str(entry.fields)
    assert exported  # the export itself went out


async def test_staff_and_campaign_changes_are_recorded_in_order(
    deployment: Deployment, capsys: Capture
) -> None:
    email = "ama@acme.example"
    assert await sauti("staff", "add", email, "--role", "viewer") == 0
    assert await sauti("staff", "role", email, "analyst") == 0
    assert await sauti("staff", "remove", email) == 0
    assert await sauti("campaign", "close", CAMPAIGN) == 0
    assert await sauti("campaign", "open", CAMPAIGN, "--accept-machine-drafted") == 0

    assert await _log(deployment) == [
        ("staff_added", f"staff:{email}"),
        ("role_changed", f"staff:{email}"),
        ("staff_removed", f"staff:{email}"),
        ("campaign_closed", f"campaign:{CAMPAIGN}"),
        ("campaign_opened", f"campaign:{CAMPAIGN}"),
    ]
    verification = await deployment.app.audit_log().verify(DEFAULT_ORG)
    assert verification.ok


async def test_each_organisation_holds_only_its_own_entries(
    deployment: Deployment, capsys: Capture
) -> None:
    await sauti("org", "create", "acme", "--name", "Acme")
    await sauti("org", "create", "globex", "--name", "Globex")
    assert await sauti("staff", "add", "a@acme.example", "--org", "acme", "--role", "admin") == 0
    assert await _log(deployment, "acme") == [("staff_added", "staff:a@acme.example")]
    assert await _log(deployment, "globex") == []
