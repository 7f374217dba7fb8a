"""`sauti decision|theme|loop|grievance`, run as an engagement team runs them, on data the
real pipeline wrote. Output names nobody: no platform id, no address, no free text except a
case's own words on `grievance show`."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.access.organisations import DEFAULT_ORG
from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent, Join
from dialogues.inbound import TextReply
from tests.bot.commands import Deployment, deployed, sauti
from tests.bot.loop import SIM_DECISION, UP_TO_SIM_ID, publish_all
from tests.kit.example import CAMPAIGN, example_survey

TOKENS = {"amina": "tok-amina-5f1e", "juma": "tok-juma-77c2", "zawadi": "tok-zawadi-01aa"}
NO_SWAHILI = SIM_DECISION.replace(
    '  sw: "Bado tutaomba kitambulisho, lakini mawakala sasa wanakubali barua ya mwenyekiti wa'
    ' kijiji."\n',
    "",
)


@pytest.fixture
async def deployment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deployment]:
    async with deployed(redis_url, tmp_path, monkeypatch) as value:
        yield value


async def _act(deployment: Deployment, pid: str, action: Join | Command | str) -> None:
    deployment.received_ms += 1000
    await deployment.app.ingestor.ingest(
        InboundEvent(
            event_id=f"webchat:{secrets.token_hex(8)}",
            channel=Channel.WEBCHAT,
            participant_id=pid,
            received_at_ms=deployment.received_ms,
            action=Answer(TextReply(action)) if isinstance(action, str) else action,
        )
    )
    await deployment.drain()


async def _participants(deployment: Deployment) -> dict[str, str]:
    """Amina (en) and Juma (sw) said yes to the ID question and want to hear back; Zawadi
    said no."""
    plan = {"amina": ("en", "yes"), "juma": ("sw", "ndiyo"), "zawadi": ("en", "no")}
    pids = {}
    for name, (language, sim) in plan.items():
        pid = pids[name] = deployment.participant(TOKENS[name])
        await _act(deployment, pid, Join(CAMPAIGN, language))
        await _act(deployment, pid, Command("updates", "yes"))
        for text in (*UP_TO_SIM_ID, sim, "0", "5", "1"):  # sim_id, outages, trust, share
            await _act(deployment, pid, text)
    await _act(deployment, pids["amina"], "The agents ask for money for the letter")  # change
    return pids


def _named_nobody(output: str) -> None:
    for token in TOKENS.values():
        assert token not in output


async def test_load_preview_publish_and_follow_a_decision(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pids = await _participants(deployment)
    broken = tmp_path / "broken.yaml"
    broken.write_text(SIM_DECISION.replace("status: not_adopted", "status: rejected"))
    assert await sauti("decision", "load", str(broken)) == 1
    err = capsys.readouterr().err
    assert f"{broken}:9: status: must be one of adopted, partly_adopted" in err

    decision = tmp_path / "sim.yaml"
    decision.write_text(NO_SWAHILI)
    assert await sauti("decision", "load", str(decision)) == 0
    assert "stored as version 1" in capsys.readouterr().out

    assert await sauti("decision", "preview", CAMPAIGN, "sim-without-id") == 0
    preview = capsys.readouterr().out
    # Every count of people goes through the one suppression function: 1 and 2 read "<5".
    assert "linked participants: <5\nwould be told: <5\n" in preview
    assert "    en  webchat   <5\n    sw  webchat   <5\n" in preview
    assert "not told: <5\n" in preview
    assert "MISSING message or rationale in: sw (<5)" in preview
    seen = await deployment.app.pseudonyms(DEFAULT_ORG)
    assert f"  {seen.of(pids['amina'])}/sim_id  Yes" in preview
    assert pids["amina"] not in preview  # the internal id never leaves the server
    logged = [e.record async for e in deployment.app.audit_log().everything(DEFAULT_ORG)]
    assert [(r.action, r.count) for r in logged if r is not None] == [("responses_read", 2)]
    _named_nobody(preview)

    assert await sauti("decision", "publish", CAMPAIGN, "sim-without-id") == 1
    assert "not published: no message (or rationale) in sw (1 participants)" in (
        capsys.readouterr().err
    )
    assert (
        await sauti(
            "decision", "publish", CAMPAIGN, "sim-without-id", "--allow-missing-translations"
        )
        == 0
    )
    assert "to <5 participants" in capsys.readouterr().out
    await publish_all(deployment.app.publisher())

    assert await sauti("decision", "progress", CAMPAIGN, "sim-without-id") == 0
    progress = capsys.readouterr().out
    assert "decision 'sim-without-id' v1: done" in progress
    assert "to tell: <5; handled: <5" in progress
    assert "webchat         <5 planned        <5 queued" in progress

    stored = await deployment.app.ledger().get(CAMPAIGN, "sim-without-id")
    assert stored is not None
    await _act(deployment, pids["amina"], Command("react", f"helpful:{stored.ref}"))
    assert await sauti("decision", "concerns", CAMPAIGN, "sim-without-id") == 0
    assert capsys.readouterr().out == (
        "helpful: <5  still concerned: 0  asked for more: 0  concerns written: 0\n"
    )

    assert await sauti("decision", "list", CAMPAIGN) == 0
    assert "sim-without-id\tv1\tnot_adopted\tpublished: v1 (done)" in capsys.readouterr().out

    assert await sauti("loop", "report", CAMPAIGN) == 0
    report = capsys.readouterr().out
    assert "contributors: <5" in report
    assert "told an outcome: <5 (-)" in report  # no share of withheld counts
    # A median over fewer people than the minimum is a number of theirs: withheld too.
    assert "median days from answer to notice: withheld (fewer than 5 told)" in report
    assert "reactions: helpful <5, still concerned 0, asked for more 0, concerns written 0" in (
        report
    )
    assert "with a rationale in every language: 1 of 1 (100%)" in report


async def test_theme_tags_link_a_decision_to_free_text(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pids = await _participants(deployment)
    seen = await deployment.app.pseudonyms(DEFAULT_ORG)
    response = f"{seen.of(pids['amina'])}/change"  # as the export names it
    assert await sauti("theme", "tag", CAMPAIGN, response, "fees", "agents") == 0
    assert capsys.readouterr().out == f"{response}: agents, fees\n"
    assert await sauti("theme", "tag", CAMPAIGN, f"{seen.of(pids['juma'])}/change", "fees") == 1
    assert "no free-text answer" in capsys.readouterr().err  # Juma wrote nothing there
    # The internal id is not a response id (nobody outside the server ever saw it), and a
    # pseudonym of nobody in the campaign names nothing.
    assert await sauti("theme", "tag", CAMPAIGN, f"{pids['amina']}/change", "fees") == 1
    assert "is not a response id" in capsys.readouterr().err
    assert await sauti("theme", "tag", CAMPAIGN, "p-aaaaaaaaaaaaaaaa/change", "fees") == 1
    assert "no response p-aaaaaaaaaaaaaaaa/change" in capsys.readouterr().err
    assert await sauti("theme", "list", CAMPAIGN) == 0
    assert capsys.readouterr().out == "agents\t<5\nfees\t<5\n"  # one answer each: withheld

    fees = SIM_DECISION.replace("id: sim-without-id", "id: letter-fees").replace(
        'question: sim_id\n    is: "yes"', "theme: fees"
    )
    path = tmp_path / "fees.yaml"
    path.write_text(fees)
    assert await sauti("decision", "load", str(path)) == 0
    assert await sauti("decision", "preview", CAMPAIGN, "letter-fees") == 0
    preview = capsys.readouterr().out
    assert "would be told: <5" in preview
    assert f"{response}  (free text; themes: agents, fees)" in preview
    assert "money for the letter" not in preview  # free text is never shown here


async def test_a_decision_links_responses_by_the_pseudonyms_the_company_saw(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pids = await _participants(deployment)
    seen = await deployment.app.pseudonyms(DEFAULT_ORG)
    linked = SIM_DECISION.replace("id: sim-without-id", "id: for-juma").replace(
        'rule:\n    question: sim_id\n    is: "yes"', f"responses: [{seen.of(pids['juma'])}]"
    )
    assert "responses:" in linked
    path = tmp_path / "juma.yaml"
    path.write_text(linked)
    assert await sauti("decision", "load", str(path)) == 0
    assert await sauti("decision", "preview", CAMPAIGN, "for-juma") == 0
    preview = capsys.readouterr().out
    assert "linked participants: <5\nwould be told: <5\n" in preview
    assert pids["juma"] not in preview
    # Nothing kept with the decision links the pseudonym to Juma: erasing him unlinks him.
    app = deployment.app
    stored: Any = await app.redis.hgetall(app.schema.decision(CAMPAIGN, "for-juma"))
    assert pids["juma"].encode() not in b"".join(k + v for k, v in stored.items())

    path.write_text(linked.replace(seen.of(pids["juma"]), "p-aaaaaaaaaaaaaaaa"))
    assert await sauti("decision", "load", str(path)) == 1
    assert "'p-aaaaaaaaaaaaaaaa' names no respondent of 'safe-connect-2026'" in (
        capsys.readouterr().err
    )


async def test_the_grievance_desk_from_the_command_line(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pids = await _participants(deployment)
    # Raised now: the desk compares the promised date with the real clock.
    deployment.clock.now = time.time()
    await _act(deployment, pids["juma"], "maoni")
    await _act(deployment, pids["juma"], "Mtandao unakatika kila usiku")
    assert await sauti("grievance", "list") == 0
    listing = capsys.readouterr().out.splitlines()
    [row] = listing[1:]
    reference, kind, campaign, status, channel, language = row.split("\t")[:6]
    assert (kind, campaign, status, channel, language) == (
        "feedback", CAMPAIGN, "received", "webchat", "sw",
    )  # fmt: skip
    assert "OVERDUE" not in row
    assert row.split("\t")[-4:] == ["", "13d 23h", "uncategorised", "normal"]
    assert await sauti("grievance", "list", "--overdue") == 0
    assert reference not in capsys.readouterr().out

    assert await sauti("grievance", "show", reference) == 0
    shown = capsys.readouterr().out
    assert "they wrote: Mtandao unakatika kila usiku" in shown
    _named_nobody(shown)
    assert pids["juma"] not in shown

    assert (
        await sauti(
            "grievance", "update", reference, "under_review", "--message", "Tunaangalia mnara."
        )
        == 0
    )
    assert "under_review; participant: web chat inbox" in capsys.readouterr().out
    # Reading what they wrote and stepping the case are in the organisation's audit log.
    logged = [e.record async for e in deployment.app.audit_log().everything(DEFAULT_ORG)]
    assert [(r.action, r.target, r.count) for r in logged if r is not None] == [
        ("cases_listed", None, 1),  # `--overdue` listed none: nothing was read
        ("free_text_read", f"case:{reference}", 1),
        ("case_stepped", f"case:{reference}", None),
    ]
    assert await sauti("grievance", "update", reference, "under_review") == 1  # not a next step
    assert "is under_review; it can become: escalated, resolved" in capsys.readouterr().err
    assert await sauti("grievance", "list", "--status", "under_review") == 0
    assert reference in capsys.readouterr().out
    # Cases belong to their campaign's organisation.
    assert await sauti("org", "create", "globex", "--name", "Globex") == 0
    capsys.readouterr()
    assert await sauti("grievance", "list", "--org", "default") == 0
    assert reference in capsys.readouterr().out
    assert await sauti("grievance", "list", "--org", "globex") == 0
    assert reference not in capsys.readouterr().out


async def test_the_desk_sets_category_and_urgency_and_reports_per_category(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pids = await _participants(deployment)
    deployment.clock.now = time.time()
    await _act(deployment, pids["juma"], "maoni")
    await _act(deployment, pids["juma"], "Mtu alinitishia kwa sababu ya ripoti yangu")
    await _act(deployment, pids["zawadi"], "feedback")
    await _act(deployment, pids["zawadi"], "The tower is noisy at night")
    assert await sauti("grievance", "list") == 0
    rows = [row.split("\t") for row in capsys.readouterr().out.splitlines()[1:]]
    threat = next(row[0] for row in rows if row[5] == "sw")
    assert await sauti(
        "grievance", "update", threat, "under_review", "--category", "safety",
        "--urgency", "safety",
    ) == 0  # fmt: skip
    with pytest.raises(SystemExit):  # argparse: not an urgency
        await sauti("grievance", "update", threat, "escalated", "--urgency", "high")
    capsys.readouterr()
    assert await sauti("grievance", "list") == 0
    rows = [row.split("\t") for row in capsys.readouterr().out.splitlines()[1:]]
    assert rows[0][0] == threat  # safety first, whatever its due date
    assert rows[0][-2:] == ["safety", "safety"]
    assert await sauti("grievance", "list", "--category", "safety") == 0
    assert [row.split("\t")[0] for row in capsys.readouterr().out.splitlines()[1:]] == [threat]

    assert await sauti("grievance", "report") == 0
    report = [row.split("\t") for row in capsys.readouterr().out.splitlines()]
    assert report[0][:3] == ["category", "cases", "overdue"]
    by_category = {row[0]: row for row in report[1:]}
    # One case each: withheld (fewer than 5), and nothing else of them is shown.
    assert by_category["safety"][1:3] == ["<5", "<5"]
    assert by_category["safety"][3:5] == ["-", "-"]
    assert by_category["all"][1] == "<5"


async def test_the_desk_says_a_case_past_retention_lost_its_text_to_retention(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pids = await _participants(deployment)
    deployment.clock.now = time.time()
    await _act(deployment, pids["juma"], "maoni")
    await _act(deployment, pids["juma"], "Mtandao unakatika kila usiku")
    app = deployment.app
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    closed = int(time.time() * 1000) - 400 * DAY_MS
    await app.redis.hset(app.schema.campaign(CAMPAIGN), "closed", str(closed))
    assert await sauti("retention", "run") == 0
    assert await sauti("grievance", "list") == 0
    [row] = capsys.readouterr().out.splitlines()[2:]
    reference, kind, campaign, status, channel, language = row.split("\t")[:6]
    # Who raised it, on which channel, in which language: gone with the text.
    assert (kind, campaign, status, channel, language) == (
        "feedback", CAMPAIGN, "received", "", "",
    )  # fmt: skip

    assert await sauti("grievance", "show", reference) == 0
    shown = capsys.readouterr().out
    assert "they wrote: (removed after the retention period)" in shown
    assert "erased by the participant" not in shown
    assert await sauti("grievance", "update", reference, "under_review") == 0
    assert "participant: not sent: removed after the retention period" in (capsys.readouterr().out)


async def test_a_campaign_past_its_promise_without_a_decision_is_flagged(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    late = (
        example_survey()
        .replace("id: safe-connect-2026", "id: late-2020")
        .replace("report_back_by: 2027-03-31", "report_back_by: 2020-06-30")
    )
    await deployment.app.campaigns.load(late, open_now=True)
    assert await sauti("loop", "status") == 1
    status = capsys.readouterr().out
    assert "late-2020\treport back by 2020-06-30\tpublished decisions 0\tOVERDUE" in status
    assert "safe-connect-2026\treport back by 2027-03-31\tpublished decisions 0\n" in status
    await sauti("org", "create", "globex", "--name", "Globex")
    late_for_globex = late.replace("id: late-2020", "id: globex-late")
    await deployment.app.campaigns.load(late_for_globex, org="globex", open_now=True)
    capsys.readouterr()
    assert await sauti("loop", "status", "--org", "globex") == 1
    assert capsys.readouterr().out.splitlines() == [
        "globex-late\treport back by 2020-06-30\tpublished decisions 0"
        "\tOVERDUE: promised, nothing published"
    ]
