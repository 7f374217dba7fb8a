"""Benchmark panel invitations: planning and queueing an invitation to 100,000 panel members.

    .venv/bin/python bench/panel_invite.py                      # 100,000 members
    .venv/bin/python bench/panel_invite.py --members 10000      # a shorter run

An embedded Redis in a temporary directory (Sauti's own configuration, 16 shards) holds the
example campaign, with its area question feeding the panel's `area` attribute, and a new
campaign of the same organisation to invite to. The panel: synthetic participants who completed
the example, each a participant record as the pipeline leaves it (wrapped data key, channel,
language, `c:<cid>`, the contact consent: 85 % yes to the current text, 5 % no, 10 % never
asked; 3 % said stop) and a completed session naming their area (city, town, village, camp).

Timed, once each, from the call to its return:
- the preview of the whole panel (`sauti invite preview`: every member loaded, decided and
  counted, nothing written);
- the preview of one segment (`area=village`);
- the send to the whole panel (`sauti invite send`): the same walk, then each invitation
  composed in the member's language, sealed and written by `invite.lua` into its shard's bulk
  outbox (web chat members': into their inbox), once per person;
- the same send again, which must invite nobody (everyone already invited).

Quiet hours are off (the machine's clock would otherwise decide how many are held).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.results import CHANNELS, LANGUAGES, _settle  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.conversation.consents import Consent, Given, current_version  # noqa: E402
from bot.conversation.stored_sessions import encode_session  # noqa: E402
from bot.panels.inviting import InvitationCounts  # noqa: E402
from bot.panels.segment import parse_segment  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from dialogues import Session, SessionStatus  # noqa: E402

EXAMPLE = REPO / "dialogues" / "examples" / "safe_connect.yaml"
CAMPAIGN = "safe-connect-2026"
FOLLOW_UP = "water-2027"
AREAS = ("city", "town", "village", "village", "camp")
WRITE_CHUNK = 2000
T0_S = 1_795_000_000


def _example_with_profile() -> str:
    source = EXAMPLE.read_text(encoding="utf-8")
    question = "  - id: area\n    kind: single_choice\n"
    return source.replace(question, question + "    profile: area\n")


FOLLOW_UP_SURVEY = f"""\
spec_version: 1
id: {FOLLOW_UP}
organisation: {{en: "Nuru Mobile", fr: "Nuru Mobile", ar: "نورو موبايل", sw: "Nuru Mobile"}}
title: {{en: "Water points", fr: "Points d'eau", ar: "نقاط المياه", sw: "Vituo vya maji"}}
languages: [en, fr, ar, sw]
default_language: en
promise:
  en: "We will tell you by March."
  fr: "Nous vous le dirons en mars."
  ar: "سنخبرك بحلول مارس."
  sw: "Tutakuambia kufikia Machi."
questions:
  - id: note
    kind: text
    text: {{en: "Anything else?", fr: "Autre chose ?", ar: "شيء آخر؟", sw: "Kitu kingine?"}}
"""


async def _app(data_dir: Path) -> App:
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {
        "SAUTI_DATA_DIR": str(data_dir / "var"),
        "SAUTI_LOG_LEVEL": "WARNING",
        "SAUTI_LOOP_QUIET_HOURS": "none",
        "SAUTI_INVITATION_BUDGET": "5",
    }
    app = await build_app(read_settings(environ, config_path=config), channels=False)
    await app.campaigns.load(_example_with_profile(), open_now=True)
    await app.campaigns.load(FOLLOW_UP_SURVEY, open_now=True)
    return app


async def fill(app: App, count: int, seed: int = 16) -> float:
    """The panel's people; returns the seconds it took."""
    began = time.perf_counter()
    rng = random.Random(seed)
    schema = app.schema
    version = current_version(Consent.CONTACT, None)
    _, wrapped = app.crypto.new_data_key()  # one wrapped key for all: unwrapping costs the same
    pipe = app.redis.pipeline(transaction=False)
    for _ in range(count):
        pid = base64.b32encode(rng.randbytes(20)).decode().lower()
        fields: dict[str, str | bytes] = {
            "wk": wrapped,
            "ch": rng.choice(CHANNELS),
            "lang": rng.choice(LANGUAGES),
            "t0": str(T0_S * 1000),
            "lset": "1",
            "stop": "1" if rng.random() < 0.03 else "0",
            f"c:{CAMPAIGN}": "1",
        }
        roll = rng.random()
        if roll < 0.90:
            fields["k:contact"] = Given(roll < 0.85, version, T0_S).encode()
        session = Session(
            survey_id=CAMPAIGN,
            revision="bench",
            language=str(fields["lang"]),
            status=SessionStatus.COMPLETED,
            current=None,
            started_at=T0_S,
            updated_at=T0_S,
            values={"area": rng.choice(AREAS)},
        )
        shard = schema.shard_of(pid)
        pipe.hset(schema.participant(pid), mapping=fields)  # type: ignore[arg-type]
        pipe.set(schema.session(pid, CAMPAIGN), encode_session(session))
        pipe.sadd(schema.respondents(shard, CAMPAIGN), pid)
        if len(pipe) >= WRITE_CHUNK:
            await pipe.execute()
    await pipe.execute()
    return time.perf_counter() - began


def _line(name: str, seconds: float, counts: InvitationCounts) -> None:
    excluded = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.excluded.items()))
    print(
        f"  {name:<34} {seconds:7.2f} s   members {counts.members:>7}   "
        f"invited {counts.invited_total:>7}   left out: {excluded}"
    )


async def main(members: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-bench-") as tmp:
        app = await _app(Path(tmp))
        try:
            took = await fill(app, members)
            print(f"filled {members} panel members in {took:.1f} s")
            await _settle(app)
            campaign = await app.campaigns.get(FOLLOW_UP)
            assert campaign is not None
            inviter = app.inviter()
            now_ms = int(time.time() * 1000)
            runs = (
                ("preview, whole panel", parse_segment(""), False),
                ("preview, area=village", parse_segment("area=village"), False),
                ("send, whole panel", parse_segment(""), True),
                ("send again (nobody left to invite)", parse_segment(""), True),
            )
            for name, segment, send in runs:
                began = time.perf_counter()
                if send:
                    counts = await inviter.send(campaign, segment, now_ms)
                else:
                    counts = await inviter.preview(campaign, segment, now_ms)
                _line(name, time.perf_counter() - began, counts)
            queued = sum(
                [
                    await app.redis.xlen(app.schema.outbox(shard, "bulk"))
                    for shard in range(app.schema.shards)
                ]
            )
            print(f"  bulk outbox entries queued: {queued}")
        finally:
            await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().members))
