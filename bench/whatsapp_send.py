"""Benchmark the WhatsApp sender: sustained send rate at the number's limit (80 messages/s),
against the loopback fake Graph API, with nothing lost and nothing sent twice.

    .venv/bin/python bench/whatsapp_send.py              # 5,000 sends (about 65 s)
    .venv/bin/python bench/whatsapp_send.py --sends 800  # a short run

What runs, in this process, as `sauti run` runs it: an embedded Redis in a temporary
directory, the web server (for the status webhooks the fake posts back: sent, then delivered,
for every message), and one sender serving all 16 shards. The fake runs in a process of its
own (like WhatsApp, it sees requests when they arrive); it enforces the number's 80/s (a token
bucket with a burst of 20 for its own scheduling jitter, see serve_fake) and the pair rate,
and answers 130429 / 131056 when they are exceeded.

The load: a loop-closure notice to each of 1,000 WhatsApp participants, five rounds (5,000
messages, bulk priority), a fifth of them outside the 24-hour window (so they go out as the
approved `notice` template in their language). Reported: the sustained rate between the first
and the last accepted send, as a share of the limit (target ≥ 95 %); refusals by the fake;
messages lost or duplicated (target: none); and the status webhooks applied.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake lives under tests/

from bot.app import App, build_app
from bot.channels.whatsapp.template_file import load_templates
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.conversation.participants import new_record
from bot.privacy import ParticipantId
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.settings import read_settings
from bot.settings.limits import WhatsAppLimits
from bot.web import make_web_app, runner_options
from tests.fakes.whatsapp_api import FakeGraphAPI

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "config" / "whatsapp_templates.toml"
APP_SECRET = "bench-app-secret-0123456789"
LANGUAGES = ("en", "fr", "ar", "sw")
RATE = 80.0
JITTER_BURST = 20.0
DAY_MS = 24 * 3600 * 1000


async def _app(data_dir: Path, api_base: str) -> App:
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {
        "SAUTI_DATA_DIR": str(data_dir / "var"),
        "SAUTI_LOG_LEVEL": "WARNING",
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": FakeGraphAPI.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": FakeGraphAPI.phone_number_id,
        "WHATSAPP_API_BASE": api_base,
        "WHATSAPP_TEMPLATES_FILE": str(TEMPLATES),
        "SAUTI_WHATSAPP_GLOBAL_RATE": str(RATE),
    }
    return await build_app(read_settings(environ, config_path=config))


async def _participants(app: App, count: int) -> list[tuple[str, str]]:
    """(participant id, phone) of `count` WhatsApp participants; every fifth wrote 2 days ago."""
    now_ms = int(time.time() * 1000)
    people = []
    pipe = app.redis.pipeline(transaction=False)
    for n in range(count):
        phone = f"2547{n:08d}"
        pid = app.crypto.participant_id(Channel.WHATSAPP.value, phone)
        record, _ = new_record(
            app.crypto,
            ParticipantId(pid),
            channel=Channel.WHATSAPP.value,
            address=phone,
            language=LANGUAGES[n % 4],
            now_ms=now_ms,
        )
        last_wrote = now_ms - (2 * DAY_MS if n % 5 == 0 else 60_000)
        fields = {**record.to_fields(), "in": str(last_wrote)}
        pipe.hset(app.schema.participant(pid), mapping=fields)  # type: ignore[arg-type]
        people.append((pid, phone))
    await pipe.execute()
    return people


async def _enqueue(app: App, people: list[tuple[str, str]], rounds: int) -> list[str]:
    texts = []
    pipe = app.redis.pipeline(transaction=False)
    for round_ in range(rounds):
        for n, (pid, _) in enumerate(people):
            text = f"Update {round_}-{n}: what Nuru Mobile decided, and why."
            entry = OutboxEntry(f"bench:{round_}:{n}", pid, "whatsapp", Outgoing(text), 0)
            fields: Any = seal(entry, app.crypto)
            pipe.xadd(app.schema.outbox(app.schema.shard_of(pid), Priority.BULK), fields)
            texts.append(text)
    await pipe.execute()
    return texts


async def serve_fake(webhook_url: str, statuses: bool) -> None:
    """The fake Graph API in a process of its own: it timestamps requests as they arrive, not
    when a busy shared event loop gets round to them. Prints its API base, then serves until
    its standard input closes."""
    fake = FakeGraphAPI(
        app_secret=APP_SECRET,
        templates=load_templates(TEMPLATES, WhatsAppLimits()),
        throughput=RATE,
        # 0.25 s of arrival jitter: this process also posts 160 status webhooks/s and shares
        # two cores with Redis and Sauti, and it timestamps a request when its event loop gets
        # to it. The sustained limit stays 80/s; with the tests' 10 it sometimes refuses a few.
        throughput_burst=JITTER_BURST,
        auto_statuses=statuses,
        webhook_url=webhook_url,
    )
    print(await fake.start(), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.close()


async def run(sends: int, statuses: bool) -> dict[str, Any]:
    participants = 1000 if sends >= 1000 else sends
    rounds = max(1, sends // participants)
    with tempfile.TemporaryDirectory(prefix="sauti-bench-wa-") as tmp:
        port = _free_port()
        webhook_url = f"http://127.0.0.1:{port}/webhooks/whatsapp"
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--fake",
            webhook_url,
            *([] if statuses else ["--no-statuses"]),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdin is not None
        fake_url = (await child.stdout.readline()).decode().strip()
        app = await _app(Path(tmp), fake_url)
        runner = web.AppRunner(make_web_app(app), **runner_options())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        people = await _participants(app, participants)
        texts = await _enqueue(app, people, rounds)
        total = len(texts)
        stop = asyncio.Event()
        began = time.monotonic()
        sender = asyncio.create_task(app.sender(app.push_clients(), "bench-sender").run(stop))
        async with ClientSession() as http:
            try:
                report = await _report(http, fake_url)
                while len(report["sent"]) < total and time.monotonic() - began < total / RATE * 2:
                    await asyncio.sleep(1.0)
                    report = await _report(http, fake_url)
                await asyncio.sleep(3.0)  # anything sent twice, and late statuses, show up now
                report = await _report(http, fake_url)
            finally:
                stop.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender
        child.stdin.close()
        await child.wait()
        result = _summary(app, report, texts)
        await runner.cleanup()
        await app.close()
        return result


def _summary(app: App, report: dict[str, Any], texts: list[str]) -> dict[str, Any]:
    sent = report["sent"]
    at = [s["at"] for s in sent]
    sustained = (len(at) - 1) / (max(at) - min(at)) if len(at) > 1 else 0.0
    seen = Counter(s["text"].split(":")[0] for s in sent)
    wanted = Counter(t.split(":")[0] for t in texts)
    applied = app.metrics.registry.get_sample_value(
        "sauti_whatsapp_statuses_total", {"status": "delivered", "outcome": "applied"}
    )
    return {
        "sends": len(texts),
        "accepted": len(sent),
        "templates": sum(s["type"] == "template" for s in sent),
        "sustained_per_s": round(sustained, 2),
        "share_of_limit": round(sustained / RATE, 4),
        "first_to_last_s": round(max(at) - min(at), 1) if at else None,
        "refused": dict(Counter(r["code"] for r in report["refused"])),
        "lost": sum((wanted - seen).values()),
        "duplicated": sum((seen - wanted).values()),
        "delivered_statuses_applied": int(applied or 0),
        "webhook_non_200": sum(1 for code in report["webhook_answers"] if code != 200),
    }


async def _report(http: ClientSession, fake_url: str) -> dict[str, Any]:
    async with http.get(f"{fake_url}/_fake/report") as response:
        report: dict[str, Any] = await response.json()
        return report


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=5000)
    parser.add_argument("--no-statuses", action="store_true", help="no status webhooks back")
    parser.add_argument("--fake", metavar="WEBHOOK_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        asyncio.run(serve_fake(args.fake, statuses=not args.no_statuses))
        return
    report = asyncio.run(run(args.sends, statuses=not args.no_statuses))
    for name, value in report.items():
        print(f"{name}: {value}")
    ok = report["share_of_limit"] >= 0.95 and report["lost"] == report["duplicated"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
