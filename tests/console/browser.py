"""A real browser for the console's tests: Playwright driving the system's Chromium (Debian's
`chromium` package; nothing is downloaded). `make test` runs these tests when Chromium is
installed and says plainly at the end when it is not (CI installs it: .ci/run).

Each page a test visits can be `check`ed: axe-core (vendored) finds no serious or critical
accessibility violation, the page's HTML is under 100 KB, and screenshots at 360 and 1280 px
wide are kept under test-artifacts/console/ to look at.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyotp
import pytest
from playwright.async_api import Page, async_playwright

from bot.access.roles import Role
from bot.staff_web.wiring import build_sign_in
from tests.bot.api import ORG_A, World, email

VENDOR = Path(__file__).parent / "vendor"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PASSWORD = "seven sleepy otters paddle north"
MAX_PAGE_BYTES = 100_000
WIDTHS = {360: 780, 1280: 900}  # width: height
# As the machines here need them: no sandbox as root, and no calls to Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING: list[str] = []  # why browser tests did not run, said at the end of the run


def chromium_or_skip() -> str:
    found = os.environ.get("SAUTI_TEST_CHROMIUM") or shutil.which("chromium")
    if found is None:
        reason = "Chromium is not installed (apt-get install chromium): browser tests did not run"
        MISSING.append(reason)
        pytest.skip(reason)
    return found


@dataclass
class Browser:
    page: Page
    base: str  # http://127.0.0.1:<port>/

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + path

    async def goto(self, path: str) -> int:
        response = await self.page.goto(self.url(path))
        assert response is not None
        return response.status

    async def sign_in(
        self, world: World, role: Role, org: str = ORG_A, then: str = "/console/campaigns"
    ) -> str:
        """Set the member's account up from a setup link and sign in through the page, with a
        code from the authenticator secret the setup page showed, as someone sent to sign in
        from the console page `then`. Their address."""
        address = email(org, role)
        member = await world.deployment.app.staff().get(address)
        assert member is not None
        token = await build_sign_in(world.deployment.app).links.issue(address, member.roles)
        await self.goto(f"/staff/setup/{token}")
        secret = (await self.page.text_content("#secret") or "").strip()
        totp = pyotp.TOTP(secret)
        await self.page.fill("#password", PASSWORD)
        await self.page.fill("#repeated", PASSWORD)
        # A code counts once, in a later time step than the last one taken: the sign-in uses the
        # step after the setup's (accepted as a clock one step ahead) unless time moved on.
        set_up_step = int(time.time()) // totp.interval
        await self.page.fill("#code", totp.generate_otp(set_up_step))
        await self.page.click("button[type=submit]")
        await self.goto(f"/staff/sign-in?next={quote(then, safe='')}")
        await self.page.fill("#email", address)
        await self.page.fill("#password", PASSWORD)
        step = max(int(time.time()) // totp.interval, set_up_step + 1)
        await self.page.fill("#code", totp.generate_otp(step))
        await self.page.click("button[type=submit]")
        await self.page.wait_for_load_state()
        return address

    async def check(self, name: str) -> None:
        """The page as it is now: accessible, light, and photographed at both widths."""
        html = await self.page.content()
        size = len(html.encode())
        assert size < MAX_PAGE_BYTES, f"{name}: {size} bytes of HTML"
        violations = await self.accessibility_violations()
        assert violations == [], f"{name}: {violations}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for width, height in WIDTHS.items():
            await self.page.set_viewport_size({"width": width, "height": height})
            await self.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        await self.page.set_viewport_size({"width": 1280, "height": 900})

    async def accessibility_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical findings (WCAG 2.x A and AA, and best practice)."""
        result = await self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )
        return list(result)


@asynccontextmanager
async def launched(executable: str, base: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            # The console's policy forbids eval, which the tests' own waits use.
            context = await chromium.new_context(
                bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="en-GB"
            )
            # axe-core comes with every page as it loads, outside the page's own HTML (which
            # `check` weighs), so a page can be checked again after it changed.
            await context.add_init_script(path=str(VENDOR / "axe.min.js"))
            yield Browser(await context.new_page(), base)
        finally:
            await chromium.close()
