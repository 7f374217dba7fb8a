"""Staff sessions: the cookie, timeouts, signing out (here and everywhere), the end of a
session whose owner left, the organisation it acts in, and the forms' CSRF tokens."""

from __future__ import annotations

from pathlib import Path

from aiohttp import ClientSession, CookieJar

from bot.access.permissions import Principal
from bot.access.roles import Role
from bot.staff_web.wiring import build_sign_in
from tests.bot.staff_web import FAST_HASHES, PASSWORD, Browser, Site, browser, staff_site
from tests.bot.staff_web.test_sign_in import ANALYST, VIEWER, enrol
from tests.kit.running import base_url, built, web_server
from tests.kit.settings import deployment_settings


async def signed_in(site: Site, person: Browser, email: str = VIEWER) -> None:
    assert (await person.sign_in(email)).field("who") == email


async def principal_of(site: Site, person: Browser) -> Principal | None:
    """What the API would see for this browser's session."""
    from aiohttp.test_utils import make_mocked_request

    cookies = "; ".join(f"{c.key}={c.value}" for c in person.session.cookie_jar)
    request = make_mocked_request("GET", "/api/v1/me", headers={"Cookie": cookies})
    return await site.auth.principal_from_session(request)


async def test_the_session_cookie_is_httponly_strict_and_holds_only_a_token(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as person:
        form = await person.get("/staff/sign-in")
        response = await person.raw_post(
            "/staff/sign-in",
            {"csrf": form.csrf, "email": VIEWER, "password": PASSWORD, "code": ""},
        )
    assert response.status == 303
    cookie = response.cookies["sauti_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http, no https public URL: a Secure cookie is lost
    assert len(cookie.value) == 43  # 32 random bytes, base64url
    keys = [key async for key in site.app.redis.scan_iter(match="*staff-session:*")]
    assert len(keys) == 1
    assert cookie.value.encode() not in keys[0]  # Redis knows it by its hash only


async def test_behind_https_the_cookie_is_secure(redis_url: str, tmp_path: Path) -> None:
    settings = deployment_settings(
        redis_url, tmp_path, SAUTI_PUBLIC_URL="https://staff.example.org", **FAST_HASHES
    )
    async with built(settings, example=False) as app, staff_site(app) as site:
        await app.organisations().create("acme", "Acme Telecom")
        await enrol(site, VIEWER, Role.VIEWER)
        async with browser(site) as person:
            form = await person.get("/staff/sign-in")
            response = await person.raw_post(
                "/staff/sign-in",
                {"csrf": form.csrf, "email": VIEWER, "password": PASSWORD, "code": ""},
            )
    assert response.cookies["sauti_session"]["secure"] is True


async def test_a_session_ends_after_its_idle_time(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as person:
        await signed_in(site, person)
        site.clock.now += 500  # within SAUTI_STAFF_IDLE_TIMEOUT_SECONDS (600): use renews it
        assert (await person.home()).field("who") == VIEWER
        site.clock.now += 500
        assert (await person.home()).field("who") == VIEWER
        site.clock.now += 601
        assert (await person.home()).url.endswith("/staff/sign-in")
    assert await site.app.redis.keys("*staff-session:*") == []


async def test_a_busy_session_still_ends_at_its_absolute_time(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as person:
        await signed_in(site, person)
        for _ in range(7):  # 3500 s of steady use, within SAUTI_STAFF_ABSOLUTE_TIMEOUT_SECONDS
            site.clock.now += 500
            assert (await person.home()).field("who") == VIEWER
        site.clock.now += 100
        assert (await person.home()).url.endswith("/staff/sign-in")


async def test_signing_out_everywhere_ends_the_other_browsers_session(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as laptop, browser(site) as phone:
        await signed_in(site, laptop)
        await signed_in(site, phone)
        home = await laptop.home()
        out = await laptop.post("/staff/sign-out-everywhere", {"csrf": home.csrf})
        assert out.url.endswith("/staff/sign-in")
        assert (await phone.home()).url.endswith("/staff/sign-in")
        assert await principal_of(site, phone) is None
    assert ("signed_out_everywhere", VIEWER, "2") in site.events.seen
    assert await site.app.redis.keys("*staff-session*") == []


async def test_signing_out_ends_only_this_session(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as laptop, browser(site) as phone:
        await signed_in(site, laptop)
        await signed_in(site, phone)
        await laptop.post("/staff/sign-out", {"csrf": (await laptop.home()).csrf})
        assert (await laptop.home()).url.endswith("/staff/sign-in")
        assert (await phone.home()).field("who") == VIEWER


async def test_leaving_the_organisation_ends_the_session_at_once(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as person:
        await signed_in(site, person)
        principal = await principal_of(site, person)
        assert principal is not None
        assert (principal.actor, principal.org, principal.role) == (
            f"staff:{VIEWER}",
            "acme",
            Role.VIEWER,
        )
        await site.app.staff().remove(VIEWER, "acme")
        assert await principal_of(site, person) is None
        assert (await person.home()).url.endswith("/staff/sign-in")


async def test_someone_in_two_organisations_chooses_one_then_switches(site: Site) -> None:
    secret = await enrol(site, ANALYST, Role.ANALYST)
    await site.app.staff().add(ANALYST, "globex", Role.VIEWER)
    async with browser(site) as person:
        home = await person.sign_in(ANALYST, code=site.clock.code(secret))
        assert home.field("org") is None
        assert "Choose the organisation to work in" in home.text
        assert await principal_of(site, person) is None  # no organisation chosen yet

        home = await person.post("/staff/organisation", {"csrf": home.csrf, "org": "globex"})
        assert (home.field("org"), home.field("role")) == ("Globex Water (globex)", "viewer")
        home = await person.post("/staff/organisation", {"csrf": home.csrf, "org": "acme"})
        assert home.field("role") == "analyst"
        principal = await principal_of(site, person)
        assert principal is not None
        assert (principal.org, principal.role) == ("acme", Role.ANALYST)

        stranger = await person.post("/staff/organisation", {"csrf": home.csrf, "org": "initech"})
        assert stranger.status == 403


async def test_a_post_without_the_right_token_is_refused_and_changes_nothing(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    await site.app.staff().add(VIEWER, "globex", Role.VIEWER)
    async with browser(site) as person:
        home = await person.sign_in(VIEWER)
        home = await person.post("/staff/organisation", {"csrf": home.csrf, "org": "acme"})
        for form in ({}, {"csrf": "x" * 43}, {"csrf": home.csrf + "x"}):
            assert (await person.post("/staff/sign-out", form)).status == 403
            assert (await person.post("/staff/sign-out-everywhere", form)).status == 403
            switched = await person.post("/staff/organisation", {**form, "org": "globex"})
            assert switched.status == 403
        assert (await person.home()).field("org") == "Acme Telecom (acme)"  # unchanged

    # Another site's page, though it knows a token: the browser says where the post came from.
    async with browser(site, headers={"Sec-Fetch-Site": "cross-site"}) as other:
        page = await other.get("/staff/sign-in")
        refused = await other.post(
            "/staff/sign-in", {"csrf": page.csrf, "email": VIEWER, "password": PASSWORD}
        )
        assert refused.status == 403


async def test_the_sign_in_form_needs_its_signed_token(site: Site) -> None:
    await enrol(site, VIEWER, Role.VIEWER)
    async with browser(site) as person:
        await person.get("/staff/sign-in")  # the cookie, but not the form's token
        for token in ("", "0" * 64):
            page = await person.post(
                "/staff/sign-in", {"csrf": token, "email": VIEWER, "password": PASSWORD}
            )
            assert page.status == 403
    async with browser(site) as stranger, browser(site) as victim:
        # A token made for the stranger's cookie does not pass with the victim's.
        token = (await stranger.get("/staff/sign-in")).csrf
        await victim.get("/staff/sign-in")
        page = await victim.post(
            "/staff/sign-in", {"csrf": token, "email": VIEWER, "password": PASSWORD}
        )
        assert page.status == 403
    assert [event for event in site.events.seen if event[0] != "signed_in"] == []


async def test_bad_input_gets_a_clear_page_never_a_server_error(site: Site) -> None:
    async with browser(site) as person:
        form = await person.get("/staff/sign-in")
        huge = await person.post(
            "/staff/sign-in", {"csrf": form.csrf, "email": "a" * 5000, "password": "x"}
        )
        assert (huge.status, "too long" in huge.text) == (400, True)
        as_json = await person.post_json("/staff/sign-in", {"email": VIEWER})
        assert as_json.status == 415
        missing = await person.post("/staff/sign-in", {"csrf": form.csrf})
        assert (missing.status, missing.message) == (401, "E-mail, password or code not accepted.")
        assert (await person.get("/staff/setup/" + "x" * 300)).status == 404
        nobody = await person.post("/staff/sign-out", {"csrf": form.csrf})
        assert nobody.status == 403


async def test_every_answer_forbids_caching_and_scripts(site: Site) -> None:
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
        for path in ("/staff/sign-in", "/staff/", "/staff/setup/unknown", "/staff/style.css"):
            async with client.get(site.server.make_url(path), allow_redirects=False) as response:
                assert response.headers["Cache-Control"] == "no-store", path
                policy = response.headers["Content-Security-Policy"]
                assert "default-src 'none'" in policy
                assert "script-src" not in policy  # none allowed, by default-src
                assert "<script" not in await response.text()


async def test_the_web_server_serves_the_staff_pages_and_audits_sign_in(
    redis_url: str, tmp_path: Path
) -> None:
    settings = deployment_settings(redis_url, tmp_path, **FAST_HASHES)
    async with built(settings, example=False) as app, web_server(app) as server:
        await app.organisations().create("acme", "Acme Telecom")
        await app.staff().add(VIEWER, "acme", Role.VIEWER)
        token = await build_sign_in(app).links.issue(VIEWER, ["acme"])
        async with ClientSession(base_url(server), cookie_jar=CookieJar(unsafe=True)) as client:
            async with client.get(f"/staff/setup/{token}") as response:
                assert response.status == 200
                assert "Set up your account" in await response.text()
            async with client.get("/staff/") as response:
                assert str(response.url).endswith("/staff/sign-in")
        # Set up, then a wrong password, then the right one, then sign out: each in the log.
        site = Browser(base_url(server))
        try:
            path = f"/staff/setup/{token}"
            page = await site.get(path)
            await site.post(
                path, {"csrf": page.csrf, "password": PASSWORD, "repeated": PASSWORD, "code": ""}
            )
            assert (await site.sign_in(VIEWER, "not the password at all")).status == 401
            home = await site.sign_in(VIEWER)
            await site.post("/staff/sign-out", {"csrf": home.csrf})
        finally:
            await site.close()
        logged = [
            entry.record async for entry in app.audit_log().everything("acme") if entry.record
        ]
        assert [(r.action, r.actor, r.address) for r in logged[-3:]] == [
            ("sign_in_failed", f"staff:{VIEWER}", "127.0.0.1"),
            ("sign_in", f"staff:{VIEWER}", "127.0.0.1"),
            ("sign_out", f"staff:{VIEWER}", "127.0.0.1"),
        ]
        assert logged[-3].details == {"reason": "password"}
        assert (await app.audit_log().verify("acme")).ok
