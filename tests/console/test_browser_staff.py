"""The Staff, Tokens and Audit log pages in a real browser: an admin adds someone and passes
on their setup link, changes a role, revokes a token after confirming, and finds it all in the
filtered audit log; a viewer is kept out. Each page is checked for accessibility and weight,
and photographed at a phone's width and a laptop's."""

from __future__ import annotations

from urllib.parse import quote

from bot.access.roles import Role
from tests.bot.api import ORG_A, World, email
from tests.console.browser import Browser


async def test_an_admin_manages_staff_and_tokens_and_reads_it_in_the_audit_log(
    world: World, browser: Browser
) -> None:
    admin = await browser.sign_in(world, Role.ADMIN, then="/console/staff")
    page = browser.page
    assert browser.page.url == browser.url("/console/staff")
    await browser.check("staff")

    await page.fill("#new-email", "neema@nuru.example")
    await page.select_option("#new-role", "analyst")
    await page.click("text=Add >> nth=-1")
    assert await page.text_content("h1") == "Member added"
    link = await page.input_value("#secret")
    assert "/staff/setup/" in link
    assert "Shown only now." in (await page.text_content("#secret-warning") or "")
    assert await page.is_visible("button[data-copies=secret]")  # with script, a copy button
    await browser.check("staff-added")
    await page.click("text=Back to the staff")
    assert link not in await page.content()  # shown once, on the page that answered

    analyst = email(ORG_A, Role.ANALYST)
    await page.select_option(f"select:near(:text('{analyst}'))", "viewer")
    row = page.locator("tr", has_text=analyst)
    await row.locator("button").click()
    assert "The role is changed" in (await page.text_content(".notice") or "")
    assert await row.locator("select").input_value() == "viewer"

    await page.click("nav >> text=Tokens")
    await browser.check("tokens")
    viewer_token = world.token(ORG_A, Role.VIEWER).split("_")[1]
    await page.locator("tr", has_text=viewer_token).locator("text=Revoke").click()
    assert await page.text_content("h1") == f"Revoke token {viewer_token}?"
    await browser.check("token-revoke")
    await page.click("button.danger")
    assert "The token is revoked" in (await page.text_content(".notice") or "")
    assert viewer_token not in await page.content()

    await page.click("nav >> text=Audit log")
    assert "The log is intact" in (await page.text_content(".verdict") or "")
    await page.fill("#actor", admin)
    await page.click("text=Show")
    assert f"actor={quote(admin)}" in page.url  # a filtered page can be bookmarked
    table = await page.text_content("tbody") or ""
    for seen in ("revoked a token", "changed a role", "added a member"):
        assert seen in table
    assert table.index("revoked a token") < table.index("added a member")  # newest first
    await browser.check("audit")
    await page.select_option("#action", "role_changed")
    await page.click("text=Show")
    rows = await page.locator("tbody tr").count()
    assert rows == 1
    assert f"staff:{analyst}" in (await page.text_content("tbody") or "")
    await browser.check("audit-filtered")


async def test_a_viewer_is_refused_the_staff_page_and_sees_no_way_in(
    world: World, browser: Browser
) -> None:
    await browser.sign_in(world, Role.VIEWER)
    navigation = await browser.page.text_content("nav") or ""
    for item in ("Staff", "Tokens", "Audit log"):
        assert item not in navigation
    assert await browser.goto("/console/staff") == 403
    assert await browser.page.text_content("h1") == "Not allowed"
    await browser.check("staff-refused")
