"""A refused form on the French console is said in French: a field left empty or too long, a
change that came too late, something not found — not a sentence of the API's English."""

from __future__ import annotations

import html
import re

from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.console.i18n import LANGUAGE_COOKIE
from bot.staff_web.auth import SESSION_COOKIE
from tests.bot.api import GRIEVANCE, ORG_A, World, email
from tests.console import Staff, signed_in

PARTICIPANT_WROTE = GRIEVANCE[ORG_A]  # the case's own words, in English
# Words of English sentences that French ones never hold (the API's `detail` and pydantic's
# messages are made of them).
ENGLISH = {
    "the", "should", "field", "required", "least", "most", "is", "was", "of", "this",
    "that", "have", "has", "problem", "problems", "input", "meanwhile", "characters",
    "valid", "must", "no", "not", "in", "at", "be",
}  # fmt: skip


async def in_french(staff: Staff, path: str, data: dict[str, str] | None = None) -> ClientResponse:
    cookies = {SESSION_COOKIE: staff.cookie, LANGUAGE_COOKIE: "fr"}
    if data is None:
        return await staff.world.client.get(path, cookies=cookies, allow_redirects=False)
    return await staff.world.client.post(
        path,
        data=[("csrf", staff.csrf), *data.items()],
        cookies=cookies,
        headers={"Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
    )


def said(page: str, *typed: str) -> str:
    """What the page's main part says, without its markup and what the person typed."""
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<textarea[^>]*>.*?</textarea>", " ", main, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", main))
    for value in typed:
        text = text.replace(value, " ")
    return text


def english_in(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]+", text.lower()) if word in ENGLISH}


async def test_fields_left_empty_are_named_in_french(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    refused = await in_french(admin, "/console/staff/add", {})
    assert refused.status == 422
    text = said(await refused.text())
    assert "Adresse e-mail : Ce champ est obligatoire." in text
    assert "Rôle : Ce champ est obligatoire." in text
    assert english_in(text) == set()


async def test_a_text_too_long_says_how_long_it_may_be_in_french(world: World) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    long = "a" * 1001
    refused = await in_french(
        caseworker,
        f"/console/cases/{world.cases[ORG_A]}/steps",
        {"status": "resolved", "message": long},
    )
    assert refused.status == 422
    page = await refused.text()
    assert long in page  # kept to be shortened
    text = said(page, long, PARTICIPANT_WROTE)
    assert "Message : Écrivez au plus 1\u202f000 caractères." in text or (
        "Message : Écrivez au plus 1000 caractères." in text
    )
    assert english_in(text) == set(), text


async def test_a_choice_not_offered_lists_the_choices_in_french(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    refused = await in_french(
        admin, "/console/staff/add", {"email": "neema@nuru.example", "role": "owner"}
    )
    assert refused.status == 422
    text = said(await refused.text())
    assert "Rôle : Choisissez parmi 'viewer', 'analyst', 'caseworker' ou 'admin'." in text
    assert english_in(text) == set()


async def test_a_step_on_a_case_that_moved_is_refused_in_french(world: World) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    reference = world.cases[ORG_A]
    path = f"/console/cases/{reference}/steps"
    moved = await caseworker.post(path, {"status": "escalated", "expected_steps": "0"})
    assert moved.status == 303
    late = await in_french(
        caseworker, path, {"status": "resolved", "message": "Remboursé.", "expected_steps": "0"}
    )
    assert late.status == 409
    text = said(await late.text(), "Remboursé.", PARTICIPANT_WROTE)
    assert f"Le dossier {reference} a changé depuis l’ouverture de cette page" in text
    assert english_in(text) == set()


async def test_the_last_admin_and_a_member_already_there_are_refused_in_french(
    world: World,
) -> None:
    admin = await signed_in(world, Role.ADMIN)
    me = email(ORG_A, Role.ADMIN)
    last = await in_french(admin, "/console/staff/remove", {"email": me})
    assert last.status == 409
    text = said(await last.text(), me)
    assert "est le dernier administrateur de cette organisation" in text
    assert english_in(text) == set()
    again = await in_french(admin, "/console/staff/add", {"email": me, "role": "viewer"})
    assert again.status == 409
    assert english_in(said(await again.text(), me)) == set()


async def test_something_not_found_is_said_in_french(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    for missing in (
        await in_french(admin, "/console/campaigns/no-such-campaign"),
        await in_french(admin, "/console/staff/remove", {"email": "nobody@nuru.example"}),
    ):
        assert missing.status == 404
        text = said(await missing.text(), "nobody@nuru.example")
        assert "Il n'y a rien ici, ou cela appartient à une autre organisation." in text
        assert english_in(text) == set()


async def test_the_api_keeps_english_and_gives_the_codes(world: World) -> None:
    """The API's answer is unchanged for its clients, with the codes a client may translate."""
    refused = await world.client.post(
        "/api/v1/staff",
        json={"email": "", "role": "owner"},
        headers={"Authorization": f"Bearer {world.token()}"},
    )
    assert refused.status == 422
    problem = await refused.json()
    assert problem["detail"] == "2 problems in the body"
    assert problem["code"] == "invalid_fields"
    by_field = {item["location"]: item for item in problem["errors"]}
    assert by_field["body.email"]["code"] == "missing"
    assert by_field["body.role"]["code"] == "enum"
    assert "'viewer'" in by_field["body.role"]["params"]["expected"]
