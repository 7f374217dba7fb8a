"""`sauti org`, `sauti staff` and campaigns that belong to an organisation, as an operator uses
them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.access.organisations import DEFAULT_ORG
from bot.access.roles import Role
from bot.records.campaigns import CampaignOwnedElsewhereError
from bot.runtime.migrations import migrate
from tests.bot.commands import Deployment, sauti
from tests.kit.example import CAMPAIGN, example_survey

Capture = pytest.CaptureFixture[str]


async def test_an_operator_sets_up_an_organisation_and_its_staff(
    deployment: Deployment, capsys: Capture
) -> None:
    assert await sauti("org", "create", "acme", "--name", "Acme Telecom") == 0
    assert "organisation 'acme' created: Acme Telecom" in capsys.readouterr().out

    assert await sauti("staff", "add", "Lead@Acme.example", "--org", "acme", "--role", "admin") == 0
    out = capsys.readouterr().out
    assert "lead@acme.example is admin in 'acme'" in out
    assert "second factor" in out
    assert await sauti("staff", "add", "v@acme.example", "--org", "acme", "--role", "viewer") == 0
    assert "second factor" not in capsys.readouterr().out

    assert await sauti("staff", "role", "v@acme.example", "analyst", "--org", "acme") == 0
    assert "viewer -> analyst" in capsys.readouterr().out
    assert await sauti("staff", "list", "--org", "acme") == 0
    assert capsys.readouterr().out.splitlines() == [
        "lead@acme.example\tadmin",
        "v@acme.example\tanalyst",
    ]
    assert await sauti("staff", "remove", "v@acme.example", "--org", "acme") == 0
    member = await deployment.app.staff().get("v@acme.example")
    assert member is None
    lead = await deployment.app.staff().get("lead@acme.example")
    assert lead is not None
    assert lead.roles == {"acme": Role.ADMIN}


async def test_mistakes_get_a_clear_answer(deployment: Deployment, capsys: Capture) -> None:
    assert await sauti("org", "create", "Acme Corp", "--name", "Acme") == 1
    assert "not an organisation slug" in capsys.readouterr().err
    assert await sauti("staff", "add", "x@y.example", "--org", "nowhere", "--role", "viewer") == 1
    assert "no organisation 'nowhere'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        await sauti("staff", "add", "x@y.example", "--role", "owner")
    assert "roles are viewer, analyst, caseworker, admin" in capsys.readouterr().err
    await sauti("org", "create", "acme", "--name", "Acme")
    await sauti("org", "create", "globex", "--name", "Globex")
    capsys.readouterr()
    assert await sauti("staff", "list") == 1  # two organisations: which one?
    assert "--org acme | globex" in capsys.readouterr().err


async def test_a_campaign_belongs_to_the_organisation_it_was_loaded_for(
    deployment: Deployment, capsys: Capture, tmp_path: Path
) -> None:
    await sauti("org", "create", "acme", "--name", "Acme")
    await sauti("org", "create", "globex", "--name", "Globex")
    survey = tmp_path / "pulse.yaml"
    survey.write_text(example_survey().replace(CAMPAIGN, "acme-pulse"), encoding="utf-8")
    capsys.readouterr()

    assert await sauti("campaign", "load", str(survey), "--org", "acme") == 0
    assert "loaded for 'acme'" in capsys.readouterr().out
    assert await deployment.app.campaigns.ids("acme") == ["acme-pulse"]
    assert await deployment.app.campaigns.ids("globex") == []

    # Campaign ids are deployment-wide (join links carry them): another organisation cannot
    # take one over by loading a file of the same id.
    assert await sauti("campaign", "load", str(survey), "--org", "globex") == 1
    assert "belongs to another organisation" in capsys.readouterr().err
    assert await deployment.app.campaigns.owner("acme-pulse") == "acme"

    assert await sauti("campaign", "list", "--org", "acme") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["acme-pulse", "acme"]]


async def test_campaigns_from_before_organisations_move_into_the_default_one(
    deployment: Deployment, capsys: Capture
) -> None:
    app = deployment.app
    # The example campaign was stored the way the previous version stored it: no `org`.
    await app.redis.hdel(app.schema.campaign(CAMPAIGN), "org")
    await app.redis.hdel(app.schema.meta, "schema")

    done = await migrate(app.redis, app.schema, dedupe_ttl_seconds=3600)

    assert done.adopted == 1
    assert await app.redis.hget(app.schema.campaign(CAMPAIGN), "org") == DEFAULT_ORG.encode()
    organisation = await app.organisations().get(DEFAULT_ORG)
    assert organisation is not None
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    assert campaign.org == DEFAULT_ORG
    assert campaign.is_open
    assert await sauti("org", "list") == 0
    assert "default\tDefault organisation\tcampaigns 1\tstaff 0" in capsys.readouterr().out


async def test_two_organisations_loading_one_new_id_at_once_get_it_once(
    deployment: Deployment,
) -> None:
    source = example_survey().replace(CAMPAIGN, "contested")
    store = deployment.app.campaigns
    outcomes = await asyncio.gather(
        *(store.load(source, org=org) for org in ("acme", "globex") * 4),
        return_exceptions=True,
    )
    won = {campaign.org for campaign in outcomes if not isinstance(campaign, BaseException)}
    refused = [error for error in outcomes if isinstance(error, BaseException)]
    owner = await store.owner("contested")
    assert won == {owner}
    assert len(refused) == 4
    assert all(isinstance(error, CampaignOwnedElsewhereError) for error in refused)
