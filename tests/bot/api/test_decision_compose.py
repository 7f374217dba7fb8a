"""A decision composed field by field (the console's form) over HTTP: it is the decision its file
gives, the completeness check names each text a campaign language lacks at its field, publishing
refuses while someone to tell reads one of them, and mistakes come back at the form's fields."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.api.problems import PROBLEM_BASE
from bot.conversation.decisions.compose import (
    Draft,
    QuestionPick,
    ThemePick,
    decision_file,
    form_location,
)
from dialogues.loader import parse
from tests.bot.api import CAMPAIGNS, ORG_A, ORG_B, World
from tests.bot.api.test_decisions import DECISIONS, ONE, YAML, _linked, _publish
from tests.bot.loop import SIM_COMPOSED, SIM_DECISION
from tests.kit.example import CAMPAIGN, example_survey


async def _compose(
    world: World, body: dict[str, Any], role: Role = Role.ANALYST, org: str = ORG_A
) -> ClientResponse:
    return await world.call("PUT", ONE, token=world.token(org, role), json=body)


def _without(body: dict[str, Any], *languages: str) -> dict[str, Any]:
    """The body with no title, message or rationale in `languages`."""
    trimmed = copy.deepcopy(body)
    for key in ("title", "message", "rationale"):
        for language in languages:
            trimmed[key].pop(language, None)
    return trimmed


async def test_the_form_and_the_file_store_the_same_decision(world: World) -> None:
    uploaded = await world.call(
        "POST", DECISIONS, token=world.token(ORG_A, Role.ANALYST), data=SIM_DECISION, headers=YAML
    )
    assert uploaded.status == 200, await uploaded.text()
    composed = await _compose(world, SIM_COMPOSED)
    assert composed.status == 200, await composed.text()
    stored = (await composed.json())["decision"]
    assert (stored["version"], stored["incomplete"], stored["languages_without_message"]) == (
        2, [], [],
    )  # fmt: skip
    ledger = world.deployment.app.ledger()
    from_file = await ledger.get(CAMPAIGN, "sim-without-id", 1)
    from_form = await ledger.get(CAMPAIGN, "sim-without-id", 2)
    assert from_file is not None
    assert from_form is not None
    assert from_form.decision == from_file.decision
    again = await (await _compose(world, SIM_COMPOSED)).json()
    assert (again["new_version"], again["decision"]["version"]) == (False, 2)


async def test_the_completeness_check_names_each_missing_text_and_publishing_waits(
    world: World,
) -> None:
    await _linked(world, {"en": 5, "sw": 1})
    half = _without(SIM_COMPOSED, "ar", "sw")
    half["title"]["sw"] = "Laini bila kitambulisho"  # a title alone does not make it complete
    response = await _compose(world, half)
    assert response.status == 200, await response.text()
    decision = (await response.json())["decision"]
    assert [(item["location"]) for item in decision["incomplete"]] == [
        "title.ar", "message.ar", "rationale.ar", "message.sw", "rationale.sw",
    ]  # fmt: skip
    assert decision["languages_without_message"] == ["ar", "sw"]
    problem = await _publish(world, Role.ADMIN)
    assert problem.status == 409
    assert (await problem.json())["type"] == PROBLEM_BASE + "missing-translations"

    whole = await (await _compose(world, SIM_COMPOSED)).json()
    assert (whole["decision"]["version"], whole["decision"]["incomplete"]) == (2, [])
    published = await _publish(world, Role.ADMIN)
    assert published.status == 200, await published.text()
    assert (await published.json())["version"] == 2


async def test_an_empty_field_of_the_form_counts_as_not_given(world: World) -> None:
    body = copy.deepcopy(SIM_COMPOSED)
    body["message"]["fr"] = "   "
    decision = (await (await _compose(world, body)).json())["decision"]
    assert [item["location"] for item in decision["incomplete"]] == ["message.fr"]


async def test_mistakes_come_back_at_the_forms_fields(world: World) -> None:
    body = copy.deepcopy(SIM_COMPOSED)
    body["status"] = "not_adopted"
    body["title"] = {"fr": "Cartes SIM"}  # not the default language (en)
    body["link"] = {
        "picks": [
            {"question": "sim_id", "options": ["maybe"]},
            {"question": "uses", "options": ["sms", "pigeons"]},
            {"theme": "fees", "question": "worry"},
            {},
        ],
    }
    response = await _compose(world, body)
    assert response.status == 422, await response.text()
    problem = await response.json()
    assert problem["type"] == PROBLEM_BASE + "invalid-decision"
    assert [error["location"] for error in problem["errors"]] == ["link.picks[3]"]

    body["link"]["picks"].pop()
    problem = await (await _compose(world, body)).json()
    located = {error["location"]: error["message"] for error in problem["errors"]}
    assert set(located) == {
        "title",
        "link.picks[0].options",
        "link.picks[1].options[1]",
        "link.picks[2].theme",
    }
    assert "maybe" in located["link.picks[0].options"]
    assert "pigeons" in located["link.picks[1].options[1]"]
    assert "(en)" in located["title"]
    assert await world.deployment.app.ledger().ids(CAMPAIGN) == []


async def test_only_those_who_draft_compose_and_only_in_their_organisation(world: World) -> None:
    viewer = await _compose(world, SIM_COMPOSED, Role.VIEWER)
    assert viewer.status == 403
    stranger = await _compose(world, SIM_COMPOSED, Role.ADMIN, ORG_B)
    assert stranger.status == 404
    assert await world.deployment.app.ledger().ids(CAMPAIGNS[ORG_A]) == []


def test_picks_make_the_rule_the_file_format_has() -> None:
    survey = parse(example_survey())
    draft = Draft(
        id="d1",
        campaign_id=CAMPAIGN,
        status="adopted",
        title={"en": "T", "fr": " "},
        message={"en": "M"},
        picks=(
            QuestionPick("uses", ("sms", "money"), every=True),
            QuestionPick("outages", at_least=3),
            QuestionPick("change", answered=True),
            ThemePick("fees"),
        ),
        match="all",
    )
    source = decision_file(draft, survey)
    assert "fr:" not in source
    assert "includes_all:\n      - sms\n      - money" in source
    assert "at_least: 3" in source
    assert "answered: true" in source
    assert "- theme: fees" in source
    assert source.index("all:") < source.index("includes_all")
    assert form_location("linked_to.rule.all[1].at_least", 4) == "link.picks[1].at_least"
    assert form_location("linked_to.rule.includes[0]", 1) == "link.picks[0].options[0]"
    assert form_location("linked_to", 0) == "link"
    assert form_location("message.sw", 1) == "message.sw"


async def test_a_stored_decision_comes_back_as_the_form_would_show_it(world: World) -> None:
    await _compose(world, SIM_COMPOSED)
    decision = await world.get(ONE, world.token(ORG_A, Role.VIEWER))
    assert decision["link"] == {
        "picks": [
            {
                "question": "sim_id",
                "options": ["yes"],
                "every": False,
                "at_least": None,
                "at_most": None,
                "answered": None,
                "theme": None,
            }
        ],
        "match": "any",
        "responses": [],
    }
    assert decision["message"] == SIM_COMPOSED["message"]
    assert decision["rationale"] == SIM_COMPOSED["rationale"]
    nested = SIM_DECISION.replace(
        '    question: sim_id\n    is: "yes"\n', '    not: {question: sim_id, is: "yes"}\n'
    )
    assert nested != SIM_DECISION
    uploaded = await world.call(
        "POST", DECISIONS, token=world.token(ORG_A, Role.ANALYST), data=nested, headers=YAML
    )
    assert (await uploaded.json())["decision"]["link"] is None  # the form cannot show a `not`


async def test_the_form_offers_the_questions_options_and_themes_of_the_campaign(
    world: World,
) -> None:
    path = f"/api/v1/campaigns/{CAMPAIGN}/decision-choices"
    choices = await world.get(path, world.token(ORG_A, Role.ANALYST))
    assert (choices["languages"], choices["default_language"]) == (["en", "fr", "ar", "sw"], "en")
    questions = {question["id"]: question for question in choices["questions"]}
    assert "about" not in questions  # an info screen has no answers
    assert [option["id"] for option in questions["sim_id"]["options"]] == ["yes", "no"]
    assert questions["sim_id"]["options"][0]["label"]["fr"] == "Oui"
    assert questions["uses"]["options"][1]["label"]["en"] == "Text messages"
    assert (questions["unsafe_what"]["themes"], questions["uses"]["themes"]) == (True, False)
    viewer = await world.call("GET", path, token=world.token(ORG_A, Role.VIEWER))
    assert viewer.status == 403
