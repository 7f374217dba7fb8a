"""A broken survey file or XLSForm uploaded on the French console: every mistake is listed, at
its line and place, in French; the API gives each mistake's code and parameters to say it so."""

from __future__ import annotations

import html
import re
from pathlib import Path

from aiohttp import ClientResponse, FormData

from bot.access.roles import Role
from bot.console.i18n import LANGUAGE_COOKIE
from bot.records.sheets import XLSX_MEDIA_TYPE
from bot.staff_web.auth import SESSION_COOKIE
from tests.bot.api import World
from tests.console import Staff, signed_in
from tests.console.test_errors_in_french import english_in
from tests.kit.xlsforms import BROKEN_FORM, workbook_bytes

BROKEN = Path(__file__).resolve().parents[1] / "dialogues" / "broken"
# Seven mistakes in every part of a survey file; and an expression that does not parse.
SURVEY = (
    (BROKEN / "several_mistakes.yaml")
    .read_text(encoding="utf-8")
    .replace("min: 1\n    max: 20", 'min: 1\n    max: 20\n    relevant: "sells = food"')
)
_ROW = re.compile(r"<tr><td class=\"num\">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", re.S)


async def upload_in_french(staff: Staff, content: bytes, media_type: str) -> ClientResponse:
    form = FormData()
    form.add_field("csrf", staff.csrf)
    form.add_field("survey", content, filename="survey", content_type=media_type)
    return await staff.world.client.post(
        "/console/campaigns/new",
        data=form,
        cookies={SESSION_COOKIE: staff.cookie, LANGUAGE_COOKIE: "fr"},
        headers={"Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
    )


def listed(page: str) -> list[tuple[str, str, str]]:
    """The rows of the page's "what to fix" table: line, where, what (as read)."""
    table = page[page.index('id="upload-problems"') :]
    table = table[: table.index("</table>")]
    return [
        tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row)  # type: ignore[misc]
        for row in _ROW.findall(table)
    ]


async def api_errors(world: World, content: bytes, media_type: str) -> list[dict[str, object]]:
    refused = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=world.token(),
        data=content,
        headers={"Content-Type": media_type},
    )
    assert refused.status == 422
    errors: list[dict[str, object]] = (await refused.json())["errors"]
    return errors


async def test_every_mistake_of_a_survey_file_is_listed_in_french_at_its_line(
    world: World,
) -> None:
    errors = await api_errors(world, SURVEY.encode(), "application/yaml")
    assert len(errors) == 8
    assert all(error["code"] for error in errors)  # each mistake with its code, for any client
    typo = next(error for error in errors if error["code"] == "unknown_key")
    assert typo["params"] == {"key": "optinal", "suggestion": "optional"}

    admin = await signed_in(world, Role.ADMIN)
    refused = await upload_in_french(admin, SURVEY.encode(), "application/yaml")
    assert refused.status == 422
    page = await refused.text()
    assert "Rien n’a été changé : le fichier contient 8 erreurs." in html.unescape(page)
    rows = listed(page)
    # Every mistake the API lists, in its order, at its line and path; none in English.
    assert [(line, where) for line, where, _ in rows] == [
        (str(error["line"]), error["location"]) for error in errors
    ]
    for (_, _, what), error in zip(rows, errors, strict=True):
        assert what != error["message"]
        assert english_in(what) == set(), what
    said = {what for _, _, what in rows}
    assert "Clé inconnue « optinal » ; vouliez-vous dire « optional » ?" in said
    assert "« eng » n’est pas une des langues ; vouliez-vous dire « en » ?" in said
    assert "Identifiant « food » en double" in said
    assert "Une échelle a au plus 11 degrés (comme 0-10) ; il y en a 20" in said
    # An unquoted option is a mistake of the expression itself, said with where it is in it.
    assert (
        "Les identifiants d’option s’écrivent entre guillemets : écrivez 'food' "
        "(au caractère 9 de « sells = food »)" in said
    )


async def test_every_mistake_of_an_xlsform_is_listed_in_french_at_its_cell(world: World) -> None:
    content = workbook_bytes(BROKEN_FORM)
    errors = await api_errors(world, content, XLSX_MEDIA_TYPE)
    first = errors[0]
    assert (first["sheet"], first["row"], first["column"]) == ("survey", 1, "label::Français")
    assert first["code"] == "language_without_code"

    admin = await signed_in(world, Role.ADMIN)
    refused = await upload_in_french(admin, content, XLSX_MEDIA_TYPE)
    assert refused.status == 422
    rows = listed(await refused.text())
    assert len(rows) == len(errors) == 13
    for (_, where, what), error in zip(rows, errors, strict=True):
        assert where.startswith(f"feuille « {error['sheet']} »"), where
        assert what != error["message"]
    assert (
        "—",
        "feuille « survey », ligne 2, colonne « type »",
        "Une question « geopoint » ne peut pas être posée dans une conversation",
    ) in rows
    assert (
        "—",
        "feuille « settings », colonne « promise::English (en) »",
        "Sauti a besoin d’une colonne « promise::English (en) » dans la feuille settings (une "
        "par langue)",
    ) in rows
