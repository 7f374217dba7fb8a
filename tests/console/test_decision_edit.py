"""Saving a decision's edit page changes only what was changed on it: a rule the form cannot
show exactly is kept as stored (and said so), and every text the form shows survives."""

from __future__ import annotations

from typing import Any

import pytest

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.bot.loop import SIM_DECISION
from tests.console import signed_in
from tests.console.forms import form_fields

CAMPAIGN = CAMPAIGNS[ORG_A]
LIST = f"/console/campaigns/{CAMPAIGN}/decisions"
EDIT = f"{LIST}/sim-without-id/edit"
API = f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-without-id"
SIM_YES = '    question: sim_id\n    is: "yes"\n'


def _with_rule(rule: str, extra: str = "") -> str:
    head, _, _ = SIM_DECISION.partition("linked_to:\n")
    return head + extra + "linked_to:\n  rule:\n" + rule


async def _save_untouched(
    world: World, source: str, **changed: str
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The decision before and after its edit page is saved with only `changed` fields."""
    await world.deployment.app.ledger().load(source, world.deployment.received_ms)
    before = await world.get(API)
    analyst = await signed_in(world, Role.ANALYST)
    page = await analyst.page(EDIT)
    fields = [(name, changed.pop(name, value)) for name, value in form_fields(page)]
    sent = await analyst.post(EDIT, fields)
    assert sent.status == 303, await sent.text()
    return before, await world.get(API), page


@pytest.mark.parametrize(
    "rule",
    [
        # two parts of an `all` on one question (not "either of them")
        "    all:\n"
        "      - {question: uses, includes: [calls]}\n"
        "      - {question: uses, includes: [sms]}\n",
        # who did not answer
        '    any:\n      - {question: sim_id, is: "yes"}\n'
        "      - {question: unsafe_what, answered: false}\n",
        # a theme of one question
        '    any:\n      - {question: sim_id, is: "yes"}\n'
        "      - {question: unsafe_what, theme: harassment}\n",
        # two ranges of one scale
        "    any:\n      - {question: money_safe, at_most: 2}\n"
        "      - {question: money_safe, at_least: 4}\n",
        # answered, on a yes/no question
        "    question: sim_id\n    answered: true\n",
    ],
)
async def test_a_rule_the_form_cannot_show_is_kept_as_stored(world: World, rule: str) -> None:
    before, after, page = await _save_untouched(
        world, _with_rule(rule), **{"title-en": "A new title"}
    )

    assert 'id="kept"' in page
    assert 'name="option-sim_id"' not in page  # the rule is shown, not offered to tick
    assert after["link"] == before["link"]
    assert after["title"]["en"] == "A new title"
    assert after["version"] == before["version"] + 1


async def test_a_rule_the_form_shows_is_saved_untouched_without_a_new_version(
    world: World,
) -> None:
    rule = (
        "    any:\n      - {question: uses, includes: [sms, calls]}\n"
        '      - {question: sim_id, is: "yes"}\n'
    )
    before, after, page = await _save_untouched(world, _with_rule(rule))

    assert 'id="kept"' not in page
    assert after["link"] == before["link"]
    # Saved from the form once (the file it writes is the form's), a second untouched save
    # changes nothing: its parts keep their stored order.
    analyst = await signed_in(world, Role.ANALYST)
    assert (await analyst.post(EDIT, form_fields(await analyst.page(EDIT)))).status == 303
    assert (await world.get(API))["version"] == after["version"]


async def test_you_told_us_is_edited_per_language_and_kept_when_untouched(world: World) -> None:
    extra = 'you_told_us:\n  en: "you raised a concern about registration"\n'
    before, after, page = await _save_untouched(world, _with_rule(SIM_YES, extra))
    assert 'id="you_told_us-en"' in page
    assert after["you_told_us"] == before["you_told_us"]

    analyst = await signed_in(world, Role.ANALYST)
    fields = [
        (name, "you worried about ID cards" if name == "you_told_us-en" else value)
        for name, value in form_fields(await analyst.page(EDIT))
    ]
    assert (await analyst.post(EDIT, fields)).status == 303
    assert (await world.get(API))["you_told_us"] == {"en": "you worried about ID cards"}
