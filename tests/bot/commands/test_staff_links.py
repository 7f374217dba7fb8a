"""`sauti staff add` and `sauti staff reset` hand out one-time setup links, which work in the
staff pages exactly once; a reset takes the old credentials away."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.access.signin import NOT_ACCEPTED
from tests.bot.commands import Deployment, deployed, sauti
from tests.bot.staff_web import FAST_HASHES, Site, browser, setup_path, staff_site

Capture = pytest.CaptureFixture[str]
PUBLIC = "https://staff.example.org"


@pytest.fixture
async def deployment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deployment]:
    async with deployed(
        redis_url, tmp_path, monkeypatch, SAUTI_PUBLIC_URL=PUBLIC, **FAST_HASHES
    ) as value:
        yield value


@pytest.fixture
async def site(deployment: Deployment) -> AsyncIterator[Site]:
    async with staff_site(deployment.app) as running:
        yield running


def printed_link(out: str) -> str:
    found = re.search(rf"^{re.escape(PUBLIC)}/staff/setup/[A-Za-z0-9_-]{{43}}$", out, re.M)
    assert found, out
    return found.group(0)


async def test_staff_add_prints_a_link_that_works_once(site: Site, capsys: Capture) -> None:
    assert await sauti("org", "create", "acme", "--name", "Acme Telecom") == 0
    assert (
        await sauti("staff", "add", "ama@acme.example", "--org", "acme", "--role", "analyst") == 0
    )
    out = capsys.readouterr().out
    assert "one-time setup link (it works once, for 72 h)" in out
    path = setup_path(printed_link(out))
    async with browser(site) as person:
        page = await person.get(path)
        secret = page.secret
        assert (await person.set_up(path, site.clock)).message == "Your account is ready: sign in."
        again = await person.get(path)
        assert again.status == 404
        site.clock.now += 30
        home = await person.sign_in("ama@acme.example", code=site.clock.code(secret))
        assert home.field("role") == "analyst"

    # Added to a second organisation: they keep their credentials, no new link.
    assert await sauti("org", "create", "globex", "--name", "Globex") == 0
    assert (
        await sauti("staff", "add", "ama@acme.example", "--org", "globex", "--role", "admin") == 0
    )
    out = capsys.readouterr().out
    assert "/staff/setup/" not in out
    assert "signs in with their existing password" in out


async def test_staff_reset_ends_the_old_credentials_and_sessions(
    site: Site, capsys: Capture
) -> None:
    assert await sauti("org", "create", "acme", "--name", "Acme Telecom") == 0
    assert await sauti("staff", "add", "vic@acme.example", "--org", "acme", "--role", "viewer") == 0
    first = setup_path(printed_link(capsys.readouterr().out))
    async with browser(site) as person:
        await person.set_up(first, site.clock, enrol=False)
        assert (await person.sign_in("vic@acme.example")).field("who") == "vic@acme.example"

        assert await sauti("staff", "reset", "Vic@Acme.example") == 0
        out = capsys.readouterr().out
        assert "password and second factor removed, signed out everywhere" in out
        second = setup_path(printed_link(out))
        assert (await person.home()).url.endswith("/staff/sign-in")  # signed out
        assert (await person.sign_in("vic@acme.example")).message == NOT_ACCEPTED
        assert (await person.set_up(second, site.clock, enrol=False)).status == 200
        assert (await person.sign_in("vic@acme.example")).field("who") == "vic@acme.example"

    logged = [e.record async for e in site.app.audit_log().everything("acme") if e.record]
    reset = logged[-1]
    assert (reset.action, reset.actor, reset.target, reset.details) == (
        "sign_out_everywhere",
        "operator",
        "staff:vic@acme.example",
        {"reason": "reset"},
    )
    assert await sauti("staff", "reset", "nobody@acme.example") == 1
    assert "nobody@acme.example is no staff member" in capsys.readouterr().err
