"""Signing in to the staff pages: setup links, passwords, the second factor, throttling."""

from __future__ import annotations

import asyncio

from bot.access.roles import Role
from bot.access.signin import CODE_NOT_ACCEPTED, NO_SECOND_FACTOR, NOT_ACCEPTED
from bot.staff_web.wiring import build_sign_in
from tests.bot.staff_web import PASSWORD, Browser, Site, browser

ANALYST = "ama@acme.example"
VIEWER = "vic@acme.example"


async def enrol(site: Site, email: str, role: Role, org: str = "acme") -> str:
    """Add `email` with `role`, set the account up through its link; the TOTP secret shown
    (whether or not it was enrolled: viewers enrol none here)."""
    await site.app.staff().add(email, org, role)
    member = await site.app.staff().get(email)
    assert member is not None
    token = await build_sign_in(site.app).links.issue(email, member.roles)
    async with browser(site) as person:
        page = await person.get(f"/staff/setup/{token}")
        secret = page.secret
        done = await person.set_up(
            f"/staff/setup/{token}", site.clock, enrol=role is not Role.VIEWER
        )
    assert done.message == "Your account is ready: sign in.", done.text
    site.clock.now += 30  # the enrolment's code is spent: the next one is a step later
    return secret


async def test_a_new_analyst_sets_up_the_account_from_the_link_then_signs_in_with_a_code(
    site: Site,
) -> None:
    secret = await enrol(site, ANALYST, Role.ANALYST)
    async with browser(site) as person:
        home = await person.sign_in(ANALYST, code=site.clock.code(secret))
        assert home.status == 200
        assert home.url.endswith("/staff/")
        assert (home.field("who"), home.field("org"), home.field("role")) == (
            ANALYST,
            "Acme Telecom (acme)",
            "analyst",
        )
        assert 'href="/api/v1/openapi.json"' in home.text
    assert ("signed_in", ANALYST, "acme") in site.events.seen


async def test_a_stored_second_factor_is_sealed_and_the_password_hashed(site: Site) -> None:
    secret = await enrol(site, ANALYST, Role.ANALYST)
    raw = await site.app.redis.hgetall(site.app.schema.staff(ANALYST))
    stored = {bytes(name): bytes(value) for name, value in raw.items()}  # type: ignore[arg-type]
    assert stored[b"pw"].startswith(b"$argon2id$")
    assert secret.encode() not in stored[b"totp"]
    assert PASSWORD.encode() not in b"".join(stored.values())


async def test_a_wrong_password_a_wrong_code_and_an_unknown_address_look_the_same(
    site: Site,
) -> None:
    secret = await enrol(site, ANALYST, Role.ANALYST)
    async with browser(site) as person:
        wrong_password = await person.sign_in(ANALYST, "not the password at all", "000000")
        wrong_code = await person.sign_in(
            ANALYST, code=str((int(site.clock.code(secret)) + 1) % 10**6).zfill(6)
        )
        no_code = await person.sign_in(ANALYST)
        unknown = await person.sign_in("nobody@acme.example")
    answers = [wrong_password, wrong_code, no_code, unknown]
    assert {(page.status, page.message) for page in answers} == {(401, NOT_ACCEPTED)}
    reasons = [reason for kind, _, reason in site.events.seen if kind == "sign_in_failed"]
    assert reasons == ["password", "code", "code", "unknown"]


async def test_after_too_many_failures_even_the_right_password_waits_for_the_window(
    site: Site,
) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as guesser:
        for guess in ("guess one here", "guess two here", "guess three here"):
            assert (await guesser.sign_in(VIEWER, guess)).message == NOT_ACCEPTED
    async with browser(site) as owner:
        locked = await owner.sign_in(VIEWER)
        assert (locked.status, locked.message) == (401, NOT_ACCEPTED)
        assert site.events.seen[-1] == ("sign_in_failed", VIEWER, "throttled")
        await asyncio.sleep(2.2)  # the window (SAUTI_STAFF_FAILURE_WINDOW_SECONDS) passes
        assert (await owner.sign_in(VIEWER)).field("who") == VIEWER


async def test_guesses_sent_all_at_once_get_no_more_tries_than_one_after_another(
    site: Site,
) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    guesses = [f"a wrong guess number {n}" for n in range(12)]

    async def guess(words: str) -> None:
        async with browser(site) as guesser:
            assert (await guesser.sign_in(VIEWER, words)).message == NOT_ACCEPTED

    site.events.seen.clear()
    await asyncio.gather(*(guess(words) for words in guesses))
    reasons = [reason for kind, _, reason in site.events.seen if kind == "sign_in_failed"]
    # SAUTI_STAFF_ACCOUNT_FAILURES is 3: at most three reached the password check (fewer when
    # the address's count, 6, ran out first for one of them: both are counted up front).
    assert 1 <= reasons.count("password") <= 3
    # The refusals are recorded once per window and counter (account, address), not once per
    # guess: a flood of guesses does not flood the audit log.
    assert 1 <= reasons.count("throttled") <= 2
    assert len(reasons) == reasons.count("password") + reasons.count("throttled")


async def test_one_address_trying_many_accounts_is_stopped(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as guesser:
        for number in range(6):  # SAUTI_STAFF_ADDRESS_FAILURES
            await guesser.sign_in(f"someone{number}@acme.example", "a guess of some kind")
        refused = await guesser.sign_in(VIEWER)  # the right password, from that address
    assert refused.message == NOT_ACCEPTED


async def test_a_code_is_accepted_once_and_never_an_older_one(site: Site) -> None:
    secret = await enrol(site, ANALYST, Role.ANALYST)
    earlier = site.clock.code(secret)
    site.clock.now += 30
    current = site.clock.code(secret)
    async with browser(site) as person:
        assert (await person.sign_in(ANALYST, code=current)).field("who") == ANALYST
    async with browser(site) as other:
        replayed = await other.sign_in(ANALYST, code=current)
        older = await other.sign_in(ANALYST, code=earlier)  # within the drift, but older
    assert replayed.message == NOT_ACCEPTED
    assert older.message == NOT_ACCEPTED


async def test_the_enrolment_code_cannot_sign_in(site: Site) -> None:
    await site.app.staff().add(ANALYST, "acme", Role.ANALYST)
    token = await build_sign_in(site.app).links.issue(ANALYST, ["acme"])
    async with browser(site) as person:
        page = await person.get(f"/staff/setup/{token}")
        code = site.clock.code(page.secret)
        await person.post(
            f"/staff/setup/{token}",
            {"csrf": page.csrf, "password": PASSWORD, "repeated": PASSWORD, "code": code},
        )
        assert (await person.sign_in(ANALYST, code=code)).message == NOT_ACCEPTED


async def test_a_viewer_needs_no_code_and_an_analyst_cannot_skip_the_second_factor(
    site: Site,
) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as viewer:
        assert (await viewer.sign_in(VIEWER)).field("role") == "viewer"

    await site.app.staff().add(ANALYST, "acme", Role.ANALYST)
    token = await build_sign_in(site.app).links.issue(ANALYST, ["acme"])
    async with browser(site) as analyst:
        skipped = await analyst.set_up(f"/staff/setup/{token}", site.clock, enrol=False)
        assert (skipped.status, skipped.message) == (400, CODE_NOT_ACCEPTED)
        member = await site.app.staff().get(ANALYST)
        assert member is not None
        assert member.password_hash is None  # nothing was set: the link still works
        assert (await analyst.set_up(f"/staff/setup/{token}", site.clock)).status == 200


async def test_a_viewer_made_analyst_is_signed_out_and_needs_a_second_factor(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as person:
        await person.sign_in(VIEWER)
        await site.app.staff().set_role(VIEWER, "acme", Role.ANALYST)
        assert (await person.home()).url.endswith("/staff/sign-in")  # the session ended
        again = await person.sign_in(VIEWER)
    assert again.message == NO_SECOND_FACTOR  # only after the right password


async def test_a_refused_password_says_why_and_changes_nothing(site: Site) -> None:
    await site.app.staff().add(ANALYST, "acme", Role.ANALYST)
    token = await build_sign_in(site.app).links.issue(ANALYST, ["acme"])
    async with browser(site) as person:
        for password, why in [
            ("short one", "too short"),
            ("password1234", "too easy to guess"),
            ("ama acme telecom 2026!", "e-mail address or your organisation's name"),
            ("x" * 257, "too long"),
            ("ሰላምሰላምዓለምዓ", "too short"),  # 11 characters (33 bytes): characters count
        ]:
            await person.get(f"/staff/setup/{token}")
            page = await person.set_up(f"/staff/setup/{token}", site.clock, password=password)
            assert page.status == 400
            assert page.message is not None
            assert why in page.message, page.message
        # Characters, not bytes: twelve letters of Amharic are long enough (and uncommon).
        assert (
            await person.set_up(f"/staff/setup/{token}", site.clock, password="ሰላምሰላምዓለምዓለምአዲስ")
        ).status == 200


async def test_a_setup_link_works_once(site: Site) -> None:
    await site.app.staff().add(VIEWER, "acme", Role.VIEWER)
    token = await build_sign_in(site.app).links.issue(VIEWER, ["acme"])
    async with browser(site) as person:
        assert (await person.set_up(f"/staff/setup/{token}", site.clock, enrol=False)).status == 200
        again = await person.get(f"/staff/setup/{token}")
        assert again.status == 404
        assert "does not work" in again.text
        unknown = await person.get("/staff/setup/made-up")
        assert unknown.status == 404


async def test_a_new_link_ends_the_one_before(site: Site) -> None:
    await site.app.staff().add(VIEWER, "acme", Role.VIEWER)
    links = build_sign_in(site.app).links
    first = await links.issue(VIEWER, ["acme"])
    await links.issue(VIEWER, ["acme"])
    async with browser(site) as person:
        assert (await person.get(f"/staff/setup/{first}")).status == 404


async def test_a_changed_hash_cost_rehashes_the_password_at_sign_in(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    from argon2 import PasswordHasher

    older = PasswordHasher(time_cost=2, memory_cost=32, parallelism=1).hash(PASSWORD)
    await site.app.staff().set_password_hash(VIEWER, older)
    async with browser(site) as person:
        assert (await person.sign_in(VIEWER)).field("who") == VIEWER
    member = await site.app.staff().get(VIEWER)
    assert member is not None
    assert member.password_hash is not None
    assert "m=64,t=1,p=1" in member.password_hash  # this deployment's parameters


async def browser_signed_in(site: Site, person: Browser, email: str) -> None:
    assert (await person.sign_in(email)).field("who") == email
