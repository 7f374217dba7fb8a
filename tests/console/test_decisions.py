"""The decisions pages over HTTP: the list, the compose form with its completeness check,
the preview with the exact words and the counts (small ones withheld), publishing only after
the confirmation step and only for a role that may, and the organisation's loop report."""

from __future__ import annotations

from markupsafe import escape

from bot.access.roles import Role
from bot.api.audit import AuditAction
from tests.bot.api import CAMPAIGNS, ORG_A, ORG_B, World
from tests.bot.api.test_decision_reactions import CONCERN, _reacted
from tests.bot.api.test_decisions import _linked
from tests.bot.loop import SIM_COMPOSED, SIM_DECISION, publish_all
from tests.console import Staff, signed_in

CAMPAIGN = CAMPAIGNS[ORG_A]
LIST = f"/console/campaigns/{CAMPAIGN}/decisions"
NEW = f"{LIST}/new"
ONE = f"{LIST}/sim-letters"


def _form(languages: tuple[str, ...], **extra: str) -> list[tuple[str, str]]:
    """The compose form as someone fills it in, in `languages` only."""
    fields = [
        ("decision_id", "sim-letters"),
        ("status", "not_adopted"),
        ("match", "any"),
        ("option-sim_id", "yes"),
    ]
    for language in languages:
        for key in ("title", "message", "rationale"):
            fields.append((f"{key}-{language}", SIM_COMPOSED[key][language]))
    return fields + list(extra.items())


async def _composed(analyst: Staff, languages: tuple[str, ...]) -> str:
    sent = await analyst.post(NEW, _form(languages))
    assert sent.status == 303, await sent.text()
    assert sent.headers["Location"] == f"{ONE}/edit?saved=1"
    return await analyst.page(sent.headers["Location"])


async def test_the_form_shows_what_is_missing_with_a_link_to_each_field(world: World) -> None:
    analyst = await signed_in(world, Role.ANALYST)
    form = await analyst.page(NEW)
    for field in ("title-sw", "message-ar", "rationale-fr", "option-sim_id-yes"):
        assert f'id="{field}"' in form
    assert 'name="option-uses" value="sms"' in form  # a multiple choice's options to tick
    page = await _composed(analyst, ("en", "fr"))
    assert "The decision is saved." in page
    assert '<a href="#title-ar">' in page
    assert '<a href="#rationale-sw">' in page
    assert '<a href="#message-fr">' not in page
    assert 'value="yes" checked' in page  # the rule, shown again as ticked
    filled = _form(("en", "fr", "ar", "sw"))
    sent = await analyst.post(f"{ONE}/edit", [f for f in filled if f[0] != "decision_id"])
    assert sent.status == 303
    again = await analyst.page(sent.headers["Location"])
    assert 'id="complete"' in again
    decision = await world.get(f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-letters")
    assert (decision["version"], decision["incomplete"]) == (2, [])


async def test_a_mistake_keeps_what_was_typed_and_says_where(world: World) -> None:
    analyst = await signed_in(world, Role.ANALYST)
    fields = [f for f in _form(("fr",)) if f[0] != "option-sim_id"]
    fields.append(("least-outages", "many"))
    sent = await analyst.post(NEW, fields)
    assert sent.status == 422
    page = await sent.text()
    assert "nothing was saved" in page
    # At the question's own field, named by the question.
    assert '<a href="#least-outages">outages.at_least</a>: Write a number.' in page
    assert SIM_COMPOSED["message"]["fr"].replace("'", "&#39;") in page  # kept as typed
    assert (
        'id="least-outages" name="least-outages" inputmode="decimal" size="6" value="many"' in page
    )
    fields[-1] = ("least-outages", "3")
    page = await (await analyst.post(NEW, fields)).text()
    assert '<a href="#title-en">title</a>' in page  # the default language's title is required
    taken = await analyst.post(NEW, _form(("en",)))
    assert taken.status == 303
    twice = await analyst.post(NEW, _form(("en",)))
    assert twice.status == 422
    assert "exists already" in await twice.text()


async def test_the_preview_shows_the_words_and_withholds_small_counts(world: World) -> None:
    await _linked(world, {"en": 6, "sw": 2})
    analyst = await signed_in(world, Role.ANALYST)
    await _composed(analyst, ("en", "fr", "ar", "sw"))
    world.audit.entries.clear()
    counting = await analyst.page(ONE)  # the first view: at once, while the count runs
    assert "Counting…" in counting
    await world.deployment.app.preview_cache().settled()
    page = await analyst.page(ONE)
    assert "Counting…" not in page
    # The preview's sample answers, read as the API reads them: once, however often the page
    # is fetched (its script fetches it every few seconds while it counts).
    [read] = world.audit.entries
    assert (read.action, read.target) == (
        AuditAction.RESPONSES_READ,
        f"decision:{CAMPAIGN}/sim-letters",
    )
    preview = await world.get(f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-letters/preview")
    english = next(n for n in preview["notices"] if n["language"] == "en")
    assert f'data-notice="en">{escape(english["text"])}</div>' in page
    assert "Ce qui est ressorti du questionnaire" in page  # WhatsApp outside the window, fr
    assert "fewer than 5" in page  # the two Swahili readers
    assert "did not ask to hear back" in page
    assert "Publish…" not in page  # an analyst drafts; only an admin publishes
    refused = await analyst.post(f"{ONE}/publish", {"confirm": "yes"})
    assert refused.status == 403


async def test_publishing_asks_first_and_then_follows_the_progress(world: World) -> None:
    await _linked(world, {"en": 6})
    await _composed(await signed_in(world, Role.ANALYST), ("en", "fr", "ar", "sw"))
    admin = await signed_in(world, Role.ADMIN)
    assert f'href="{ONE}/publish"' in await admin.page(ONE)
    question = await admin.page(f"{ONE}/publish")
    assert "Publish to 6 people? This sends messages and cannot be undone." in question
    unconfirmed = await admin.post(f"{ONE}/publish", {})
    assert unconfirmed.status == 400
    assert "nothing was sent" in await unconfirmed.text()
    assert (await world.get(f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-letters"))[
        "published_version"
    ] == 0
    published = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})
    assert published.status == 303
    await publish_all(world.deployment.app.publisher())
    page = await admin.page(published.headers["Location"])
    assert "Publishing has started" in page
    assert "6 handed to their channel of 6" in page
    listed = await admin.page(LIST)
    assert "version 1" in listed
    assert "6 handed to their channel of 6" in listed
    french = await admin.page(ONE, headers={"Accept-Language": "fr"})
    assert "Ce que les gens liront" in french
    assert "6 transmis à leur canal sur 6" in french


async def test_the_loop_report_page_adds_up_the_organisations_campaigns(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    page = await viewer.page("/console/loop")
    assert CAMPAIGN in page
    assert CAMPAIGNS[ORG_B] not in page
    assert "All campaigns" in page
    assert '<th scope="col" class="num">Share told</th>' in page
    french = await viewer.page("/console/loop", headers={"Accept-Language": "fr"})
    assert "<h1>Boucler la boucle</h1>" in french
    assert "Compose a decision" not in await viewer.page(LIST)
    assert (await viewer.get(NEW)).status == 403
    caseworker = await signed_in(world, Role.CASEWORKER)
    assert (await caseworker.get("/console/loop")).status == 403
    stranger = await signed_in(world, Role.ADMIN, ORG_B)
    assert (await stranger.get(LIST)).status == 404


async def test_written_concerns_show_only_to_those_who_read_responses(world: World) -> None:
    await _reacted(world)  # the example decision (sim-without-id), published; one concern
    path = f"{LIST}/sim-without-id"
    viewer = await signed_in(world, Role.VIEWER)
    counts = await viewer.page(path)
    assert "Concerns written" in counts
    assert CONCERN not in counts
    assert "Concerns people wrote" not in counts
    assert "What people will read" not in counts  # the preview is for those who draft
    world.audit.entries.clear()
    analyst = await signed_in(world, Role.ANALYST)
    page = await analyst.page(path)
    assert CONCERN in page
    assert [e.action for e in world.audit.entries].count(AuditAction.FREE_TEXT_READ) == 1


async def test_a_rule_the_form_cannot_show_is_not_overwritten_by_it(world: World) -> None:
    nested = SIM_DECISION.replace(
        '    question: sim_id\n    is: "yes"\n', '    not: {question: sim_id, is: "yes"}\n'
    )
    await world.deployment.app.ledger().load(nested, world.deployment.received_ms)
    analyst = await signed_in(world, Role.ANALYST)
    edit = f"{LIST}/sim-without-id/edit"
    page = await analyst.page(edit)
    assert 'id="locked"' in page
    assert ">Save</button>" not in page
    refused = await analyst.post(edit, _form(("en",)))
    assert refused.status == 422
    decision = await world.get(f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-without-id")
    assert (decision["version"], decision["link"]) == (1, None)
