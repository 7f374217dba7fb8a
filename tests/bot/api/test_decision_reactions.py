"""What came back from a decision, over HTTP: the counts for anyone who reads the loop (small
ones withheld), the concerns people wrote only for those who may read responses — by
pseudonym, the reading audited — and nothing at all for another organisation."""

from __future__ import annotations

import secrets

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent
from dialogues.inbound import TextReply
from tests.bot.api import ORG_A, ORG_B, World
from tests.bot.api.test_decisions import CAMPAIGN, DECISION, ONE, _linked, _publish
from tests.bot.loop import SIM_DECISION, publish_all

CONCERN = "The chief asks for money to write the letter"


async def _send(world: World, pid: str, step: Command | str) -> None:
    deployment = world.deployment
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


async def _reacted(world: World) -> list[str]:
    """Seven told; five find it helpful, one is still concerned and writes why."""
    pids = await _linked(world, {"en": 7})
    await world.deployment.app.ledger().load(SIM_DECISION, world.deployment.received_ms)
    assert (await _publish(world, Role.ADMIN)).status == 200
    await publish_all(world.deployment.app.publisher())
    stored = await world.deployment.app.ledger().get(CAMPAIGN, DECISION)
    assert stored is not None
    for pid in pids[:5]:
        await _send(world, pid, Command("react", f"helpful:{stored.ref}"))
    await _send(world, pids[5], Command("react", f"concerns:{stored.ref}"))
    await _send(world, pids[5], CONCERN)
    return pids


async def test_counts_for_a_viewer_and_the_concerns_for_those_who_read_responses(
    world: World,
) -> None:
    pids = await _reacted(world)
    world.audit.entries.clear()
    counts = await world.get(f"{ONE}/reactions", world.token(ORG_A, Role.VIEWER))
    assert (counts["helpful"], counts["still_concerned"], counts["concerns_written"]) == (
        5, None, None,
    )  # fmt: skip
    assert counts["concerns"] is None
    assert world.audit.entries == []

    read = await world.call("GET", f"{ONE}/reactions", token=world.token(ORG_A, Role.ANALYST))
    body = await read.text()
    [concern] = (await read.json())["concerns"]
    pseudonym = (await world.deployment.app.pseudonyms(ORG_A)).of(pids[5])
    assert (concern["participant"], concern["text"], concern["language"]) == (
        pseudonym, CONCERN, "en",
    )  # fmt: skip
    assert concern["reference"].startswith("C-")
    assert concern["status"] == "received"
    assert pids[5] not in body
    [entry] = world.audit.entries
    assert (entry.action, entry.target, entry.count) == (
        AuditAction.FREE_TEXT_READ,
        f"decision:{CAMPAIGN}/{DECISION}",
        1,
    )


async def test_another_organisation_learns_nothing_of_the_reactions(world: World) -> None:
    await _reacted(world)
    world.audit.entries.clear()
    theirs = await world.call("GET", f"{ONE}/reactions", token=world.token(ORG_B, Role.ADMIN))
    nothing = await world.call(
        "GET",
        f"{ONE}/reactions".replace(CAMPAIGN, "no-such-campaign"),
        token=world.token(ORG_B, Role.ADMIN),
    )
    assert (theirs.status, nothing.status) == (404, 404)
    assert await theirs.json() == await nothing.json()
    assert world.audit.entries == []
