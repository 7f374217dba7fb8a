"""Decisions through the API, on answers the real pipeline recorded: a file with mistakes comes
back with every one located, a good one previews who would be told (small groups by language
withheld, participants by pseudonym only), only an admin publishes — once, audited once — and
the publication's progress follows; another organisation sees none of it."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.api.problems import PROBLEM_BASE
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent, Join
from dialogues.inbound import TextReply
from tests.bot.api import BOTH, CAMPAIGN_B, CAMPAIGNS, ORG_A, ORG_B, World, api_world
from tests.bot.loop import SIM_DECISION, UP_TO_SIM_ID, publish_all

CAMPAIGN = CAMPAIGNS[ORG_A]
DECISION = "sim-without-id"
DECISIONS = f"/api/v1/campaigns/{CAMPAIGN}/decisions"
ONE = f"{DECISIONS}/{DECISION}"
YAML = {"Content-Type": "application/yaml"}
NO_SWAHILI = SIM_DECISION.replace(
    '  sw: "Bado tutaomba kitambulisho, lakini mawakala sasa wanakubali barua ya mwenyekiti wa'
    ' kijiji."\n',
    "",
)
# Who said yes to the ID question and asked to hear back, by the language they chose.
SAID_YES = {"en": 5, "fr": 5, "sw": 1}


async def _join_and_say_yes(world: World, name: str, language: str, *, updates: str = "yes") -> str:
    """A web chat participant joins in `language`, asks to hear back (or, `updates="no"`,
    not) and answers yes to the ID question (then the rest of the survey); their internal id."""
    deployment = world.deployment
    pid = deployment.participant(f"tok-{name}")
    steps: list[Join | Command | str] = [Join(CAMPAIGN, language), Command("updates", updates)]
    steps += [*UP_TO_SIM_ID, "yes", "0", "5", "1"]
    for step in steps:
        deployment.received_ms += 1000
        await deployment.app.ingestor.ingest(
            InboundEvent(
                event_id=f"webchat:{secrets.token_hex(8)}",
                channel=Channel.WEBCHAT,
                participant_id=pid,
                received_at_ms=deployment.received_ms,
                action=Answer(TextReply(step)) if isinstance(step, str) else step,
            )
        )
        await deployment.drain()
    return pid


async def _linked(world: World, said_yes: dict[str, int] = SAID_YES) -> list[str]:
    return [
        await _join_and_say_yes(world, f"{language}-{n}", language)
        for language, count in said_yes.items()
        for n in range(count)
    ]


async def _upload(world: World, source: str, role: Role = Role.ANALYST) -> ClientResponse:
    token = world.token(ORG_A, role)
    return await world.call("POST", DECISIONS, token=token, data=source, headers=YAML)


async def _problem(response: ClientResponse, status: int, kind: str) -> dict[str, Any]:
    assert response.status == status, await response.text()
    problem: dict[str, Any] = await response.json()
    assert problem["type"] == PROBLEM_BASE + kind
    return problem


async def _publish(world: World, role: Role, **body: bool) -> ClientResponse:
    return await world.call("POST", f"{ONE}/publish", token=world.token(ORG_A, role), json=body)


async def test_a_file_with_mistakes_comes_back_with_every_mistake_located(world: World) -> None:
    broken = (
        SIM_DECISION.replace("status: not_adopted", "status: rejected")
        .replace("question: sim_id", "question: sim_card")
        .replace("effective: 2027-02-01", "effective: someday")
    )
    problem = await _problem(await _upload(world, broken), 422, "invalid-decision")
    located = {(error["location"], error["line"]) for error in problem["errors"]}
    assert {("status", 9), ("effective", 22)} <= located
    assert ("linked_to.rule.question", 25) in located
    assert any("sim_card" in error["message"] for error in problem["errors"])
    assert [e["line"] for e in problem["errors"]] == sorted(e["line"] for e in problem["errors"])
    assert await world.deployment.app.ledger().ids(CAMPAIGN) == []


async def test_a_file_for_another_campaign_is_refused_and_says_where(world: World) -> None:
    elsewhere = SIM_DECISION.replace(f"campaign: {CAMPAIGN}", f"campaign: {CAMPAIGN_B}")
    problem = await _problem(await _upload(world, elsewhere), 422, "invalid-decision")
    assert [(error["location"], error["line"]) for error in problem["errors"]] == [("campaign", 3)]
    unnamed = SIM_DECISION.replace(f"campaign: {CAMPAIGN}\n", "")
    problem = await _problem(await _upload(world, unnamed), 422, "invalid-decision")
    assert any("campaign" in error["message"] for error in problem["errors"])
    assert await world.deployment.app.ledger().ids(CAMPAIGN) == []


async def test_response_ids_are_the_organisations_own_pseudonyms(world: World) -> None:
    app = world.deployment.app
    amina = world.deployment.participant(BOTH)
    ours, theirs = (await app.pseudonyms(ORG_A)).of(amina), (await app.pseudonyms(ORG_B)).of(amina)
    linked = SIM_DECISION + f"  responses: [{theirs}]\n"
    problem = await _problem(await _upload(world, linked), 422, "invalid-decision")
    [error] = problem["errors"]
    assert (error["location"], theirs in error["message"]) == ("linked_to.responses", True)
    response = await _upload(world, SIM_DECISION + f"  responses: [{ours}]\n")
    assert response.status == 200, await response.text()
    assert amina not in await response.text()


async def test_uploading_stores_versions_and_says_when_nothing_changed(world: World) -> None:
    first = await _upload(world, SIM_DECISION)
    assert first.status == 200
    stored = await first.json()
    assert stored["new_version"] is True
    assert (stored["decision"]["version"], stored["decision"]["status"]) == (1, "not_adopted")
    again = await (await _upload(world, SIM_DECISION)).json()
    assert (again["new_version"], again["decision"]["version"]) == (False, 1)
    changed = await (await _upload(world, NO_SWAHILI)).json()
    assert (changed["new_version"], changed["decision"]["version"]) == (True, 2)

    viewer = world.token(ORG_A, Role.VIEWER)
    decision = await world.get(ONE, viewer)
    assert [v["version"] for v in decision["versions"]] == [2, 1]
    assert decision["languages_without_message"] == ["sw"]
    assert decision["title"]["sw"] == "Laini bila kitambulisho"
    assert (decision["published_version"], decision["publication"]) == (0, None)
    refused = await world.call("POST", DECISIONS, token=viewer, data=SIM_DECISION, headers=YAML)
    await _problem(refused, 403, "forbidden")


async def test_preview_counts_withhold_small_groups_and_name_nobody(world: World) -> None:
    pids = await _linked(world)
    assert (await _upload(world, NO_SWAHILI)).status == 200
    response = await world.call(
        "GET", f"{ONE}/preview?current=true", token=world.token(ORG_A, Role.ANALYST)
    )
    assert response.status == 200, await response.text()
    body = await response.text()
    preview = await response.json()
    assert (preview["linked"], preview["told"], preview["minimum"]) == (11, 11, 5)
    assert preview["not_told"]["no_consent"] == 0
    table = preview["told_by_language_and_channel"]
    assert (table["languages"], table["channels"]) == (["en", "fr", "sw"], ["webchat"])
    # sw (1) is withheld, and en beside it, or 11 - 5 would give sw away.
    assert table["cells"] == [[None], [5], [None]]
    assert table["by_language"] == [None, 5, None]
    assert table["by_channel"] == [11]
    assert preview["languages_without_message"] == [{"language": "sw", "participants": None}]
    assert preview["publishing_refused"] is True
    assert preview["campaign_languages_without_message"] == ["sw"]
    notices = {notice["language"]: notice for notice in preview["notices"]}
    assert notices["fr"]["text"].startswith("Vous nous avez dit « Oui »")
    assert notices["fr"]["buttons"] == ["Utile", "Encore inquiet", "En savoir plus"]
    # On WhatsApp, once their window has closed: the approved template around the same words.
    closed = notices["fr"]["whatsapp_closed_window"]
    assert (closed["template"], closed["language"], closed["fallback"]) == (
        "sauti_decision", "fr", False,
    )  # fmt: skip
    assert closed["text"] == (
        "Ce qui est ressorti du questionnaire auquel vous avez répondu : "
        + " ".join(notices["fr"]["text"].split())
        + " Touchez un bouton ci-dessous pour nous dire ce que vous en pensez."
    )
    assert closed["buttons"] == notices["fr"]["buttons"]
    swahili = notices["sw"]
    assert swahili["untranslated"] is True
    assert swahili["text"].startswith("Ulituambia “Ndiyo”")
    assert swahili["text"].endswith("maandishi ya kampuni hapo juu yako kwa English.)")
    assert preview["quiet_hours"]["push_notices"] == 0

    seen = await world.deployment.app.pseudonyms(ORG_A)
    named = {seen.of(pid) for pid in pids}
    samples = preview["samples"]
    assert samples
    for sample in samples:
        pseudonym, _, question = sample["response_id"].partition("/")
        assert pseudonym in named
        assert (question, sample["question_id"], sample["answer"]) == ("sim_id", "sim_id", "Yes")
    assert not [pid for pid in pids if pid in body], "an internal id left the server"
    [read] = world.audit.entries
    assert (read.action, read.target, read.count) == (
        AuditAction.RESPONSES_READ,
        f"decision:{CAMPAIGN}/{DECISION}",
        len(samples),
    )
    viewer = await world.call("GET", f"{ONE}/preview", token=world.token(ORG_A, Role.VIEWER))
    await _problem(viewer, 403, "forbidden")


async def test_only_an_admin_publishes_once_and_it_is_audited_once(world: World) -> None:
    await _linked(world)
    assert (await _upload(world, NO_SWAHILI)).status == 200
    world.audit.entries.clear()
    for role in (Role.VIEWER, Role.ANALYST, Role.CASEWORKER):
        await _problem(await _publish(world, role), 403, "forbidden")

    problem = await _problem(await _publish(world, Role.ADMIN), 409, "missing-translations")
    [missing] = problem["errors"]
    assert missing["location"] == "message.sw"
    assert world.audit.entries == []

    published = await _publish(world, Role.ADMIN, allow_missing_translations=True)
    assert published.status == 200, await published.text()
    assert await published.json() == {
        "campaign_id": CAMPAIGN,
        "decision_id": DECISION,
        "version": 1,
        "status": "publishing",
        "already_published": False,
        "told": 11,
    }
    again = await (await _publish(world, Role.ADMIN, allow_missing_translations=True)).json()
    assert (again["already_published"], again["told"]) == (True, 11)
    [entry] = world.audit.entries
    assert (entry.org, entry.actor.startswith("token:"), entry.action) == (
        ORG_A,
        True,
        AuditAction.DECISION_PUBLISHED,
    )
    assert (entry.target, entry.count, entry.details) == (
        f"decision:{CAMPAIGN}/{DECISION}",
        11,
        {"version": 1},
    )
    decision = await world.get(ONE, world.token(ORG_A, Role.VIEWER))
    assert decision["published_version"] == 1
    assert decision["publication"]["status"] == "publishing"


async def test_progress_follows_the_publication(world: World) -> None:
    await _linked(world)
    assert (await _upload(world, SIM_DECISION)).status == 200
    viewer = world.token(ORG_A, Role.VIEWER)
    before = await world.get(f"{ONE}/progress", viewer)
    assert (before["status"], before["to_tell"]) == ("not published", 0)
    assert (await _publish(world, Role.ADMIN)).status == 200
    await publish_all(world.deployment.app.publisher())
    progress = await world.get(f"{ONE}/progress", viewer)
    assert (progress["status"], progress["version"], progress["planning_done"]) == ("done", 1, True)
    assert progress["channels"] == [
        {"channel": "webchat", "planned": 11, "queued": 11, "delayed": 0, "released": 0}
    ]
    assert (progress["to_tell"], progress["not_told"]) == (11, {})
    missing = await world.call("GET", f"{ONE}/progress?version=7", token=viewer)
    await _problem(missing, 404, "not-found")


async def test_another_organisation_gets_not_found_on_every_decisions_path(world: World) -> None:
    assert (await _upload(world, SIM_DECISION)).status == 200
    world.audit.entries.clear()
    other = world.token(ORG_B, Role.ADMIN)
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", DECISIONS, {"data": SIM_DECISION, "headers": YAML}),
        ("GET", ONE, {}),
        ("GET", f"{ONE}/preview", {}),
        ("POST", f"{ONE}/publish", {"json": {"allow_missing_translations": True}}),
        ("GET", f"{ONE}/progress", {}),
    ]
    for method, path, sent in calls:
        theirs = await world.call(method, path, token=other, **sent)
        missing = path.replace(CAMPAIGN, "no-such-campaign")
        nothing = await world.call(method, missing, token=other, **sent)
        assert (theirs.status, nothing.status) == (404, 404), path
        assert await theirs.json() == await nothing.json(), "told apart from a missing one"
    assert world.audit.entries == []
    decision = await world.get(ONE)
    assert decision["published_version"] == 0


async def test_a_decision_that_reaches_few_people_shows_no_count_of_them(world: World) -> None:
    await _linked(world, {"en": 2})
    assert (await _upload(world, SIM_DECISION)).status == 200
    preview = await world.get(f"{ONE}/preview?current=true", world.token(ORG_A, Role.ANALYST))
    assert (preview["linked"], preview["told"], preview["delayed_by_budget"]) == (None,) * 3
    assert preview["told_by_language_and_channel"]["cells"] == [[None]]
    # Even the zeros: in a group this small, who was not excluded tells what the rest were.
    assert set(preview["not_told"].values()) == {None}

    published = await (await _publish(world, Role.ADMIN)).json()
    assert (published["status"], published["told"]) == ("publishing", None)
    [entry] = world.audit.entries[1:]  # after the preview's read of the sample answers
    assert (entry.action, entry.count) == (AuditAction.DECISION_PUBLISHED, 2)  # the log knows
    await publish_all(world.deployment.app.publisher())
    progress = await world.get(f"{ONE}/progress", world.token(ORG_A, Role.VIEWER))
    assert progress["to_tell"] is None
    assert progress["channels"] == [
        {"channel": "webchat", "planned": None, "queued": None, "delayed": None, "released": None}
    ]


async def _telegram_says_yes(world: World, user: int) -> str:
    """A Telegram participant joins in English, asks to hear back and answers yes to the ID
    question; their internal id."""
    deployment = world.deployment
    pid = deployment.app.crypto.participant_id(Channel.TELEGRAM.value, str(user))
    steps: list[Join | Command | str] = [Join(CAMPAIGN, "en"), Command("updates", "yes")]
    for step in [*steps, *UP_TO_SIM_ID, "yes", "0", "5", "1"]:
        deployment.received_ms += 1000
        await deployment.app.ingestor.ingest(
            InboundEvent(
                event_id=f"telegram:{secrets.token_hex(8)}",
                channel=Channel.TELEGRAM,
                participant_id=pid,
                received_at_ms=deployment.received_ms,
                action=Answer(TextReply(step)) if isinstance(step, str) else step,
            )
        )
        await deployment.drain()
    return pid


async def test_progress_says_how_many_were_sent_and_when_the_rest_will_be(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram at 2 notices a second: twelve people take six seconds.
    async with api_world(
        redis_url,
        tmp_path,
        monkeypatch,
        SAUTI_TELEGRAM_GLOBAL_RATE="2",
        SAUTI_LOOP_QUIET_HOURS="none",
    ) as world:
        for user in range(12):
            await _telegram_says_yes(world, 7000 + user)
        assert (await _upload(world, SIM_DECISION)).status == 200
        assert (await _publish(world, Role.ADMIN)).status == 200
        viewer = world.token(ORG_A, Role.VIEWER)
        planned = await world.get(f"{ONE}/progress", viewer)
        assert (planned["to_tell"], planned["sent"], planned["eta_seconds"]) == (12, 0, 6.0)
        now = world.deployment.app.publisher().now_ms() / 1000
        eta_at = dt.datetime.fromisoformat(planned["eta_at"]).timestamp()
        assert abs(eta_at - (now + 6.0)) < 60
        await publish_all(world.deployment.app.publisher())
        fed = await world.get(f"{ONE}/progress", viewer)
        [telegram] = fed["channels"]
        assert (telegram["channel"], telegram["planned"], telegram["queued"]) == (
            "telegram",
            12,
            12,
        )
        assert fed["sent"] == 12
        # Fed to the outbox, not yet sent by the sender: what is left is the bulk backlog,
        # at the push channels' rates together (2 + 80 a second).
        assert fed["outbox_backlog"] == 12
        assert fed["eta_seconds"] == pytest.approx(12 / 82)


async def test_the_preview_says_who_is_not_told_and_why(world: World) -> None:
    await _linked(world, {"en": 6})
    for n in range(5):
        await _join_and_say_yes(world, f"quiet-{n}", "fr", updates="no")
    for n in range(5):
        pid = await _join_and_say_yes(world, f"stopped-{n}", "sw")
        await world.deployment.send(pid, "/stop")
    await world.deployment.drain()
    assert (await _upload(world, SIM_DECISION)).status == 200
    preview = await world.get(f"{ONE}/preview?current=true", world.token(ORG_A, Role.ANALYST))
    assert (preview["linked"], preview["told"]) == (16, 6)
    assert preview["not_told"] == {
        "no_consent": 5,
        "consent_outdated": 0,
        "opted_out": 5,
        "erased": 0,
        "unreachable": 0,
        "hidden": 0,
    }


async def test_publishing_a_version_no_longer_the_latest_is_refused(world: World) -> None:
    await _linked(world)
    assert (await _upload(world, SIM_DECISION)).status in (200, 201)
    changed = SIM_DECISION.replace("SIM cards without an ID card", "SIM cards, no ID card")
    assert (await _upload(world, changed)).status in (200, 201)
    admin = world.token(ORG_A, Role.ADMIN)

    stale = await world.call("POST", f"{ONE}/publish", token=admin, json={"version": 1})

    await _problem(stale, 409, "conflict")
    assert (await world.get(ONE))["published_version"] == 0
    latest = await world.call("POST", f"{ONE}/publish", token=admin, json={"version": 2})
    assert latest.status == 200, await latest.text()
    assert (await latest.json())["version"] == 2


async def test_a_decisions_response_ids_are_only_for_readers_of_responses_and_audited(
    world: World,
) -> None:
    ours = (await world.deployment.app.pseudonyms(ORG_A)).of(world.deployment.participant(BOTH))
    assert (await _upload(world, SIM_DECISION + f"  responses: [{ours}]\n")).status in (200, 201)
    world.audit.entries.clear()

    seen = await world.get(ONE, world.token(ORG_A, Role.VIEWER))
    assert seen["link"]["responses"] == []
    assert world.audit.entries == []

    read = await world.get(ONE, world.token(ORG_A, Role.ANALYST))
    assert read["link"]["responses"] == [ours]
    [entry] = world.audit.entries
    assert (entry.action, entry.count) == (AuditAction.RESPONSES_READ, 1)
