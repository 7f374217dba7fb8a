"""Benchmark sending to Telegram: sustained rate against the fake Bot API with Telegram's limits.

    .venv/bin/python bench/telegram_send.py            # 5,000 sends (about 3 minutes)
    .venv/bin/python bench/telegram_send.py --quick    # 600 sends

An embedded Redis in a temporary directory; the fake Bot API (tests/fakes) enforcing ~30
messages/s overall and ~1/s per chat (GCRA: 30/s with a burst of 10; 1/s with a burst of 4)
and counting every 429 it has to give; one sender, built by the composition root with Sauti's
default Telegram settings (30/s, bursts of 3), talking to the fake through aiogram over HTTP.
The bulk notices (1,000 participants × 5 by default, as a loop-closure run queues them) are all
queued before the sender starts. Reported: the sustained rate from the first accepted message
to the last, as a share of the 30/s limit (target ≥ 95 %); 429s caused by Sauti (target 0);
messages lost or delivered twice (target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake lives with the tests

from bot.app import build_app  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_limits import FakeLimits  # noqa: E402
from tests.kit.telegram import TOKEN, make_participants, notify  # noqa: E402

LIMIT = 30.0


async def bench(participants: int, per_participant: int) -> dict[str, float]:
    fake = FakeTelegram(TOKEN, FakeLimits(global_rate=LIMIT))
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="sauti-bench-") as directory:
        config = Path(directory) / "sauti.toml"
        config.touch()
        environ = {
            "SAUTI_DATA_DIR": str(Path(directory) / "var"),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": fake.base_url,
            "SAUTI_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "SAUTI_ID_SECRET": base64.b64encode(os.urandom(32)).decode(),
        }
        app = await build_app(read_settings(environ, config_path=config))
        try:
            users = list(range(10_000, 10_000 + participants))
            for user in users:
                fake.open_chat(user)
            pids = await make_participants(app, users)
            texts = [f"Decision {n + 1}: what we changed, and why." for n in range(per_participant)]
            await notify(app, pids, texts)
            expected = participants * per_participant
            stop = asyncio.Event()
            cpu0 = time.process_time()
            sender = asyncio.create_task(app.sender(app.push_clients()).run(stop))
            while _accepted(fake) < expected:
                await asyncio.sleep(0.2)
                if sender.done():
                    sender.result()
            cpu = time.process_time() - cpu0
            stop.set()
            await sender
        finally:
            await app.close()
            await fake.close()
    accepted = fake.calls_to("sendMessage", ok=True)
    first, last = accepted[0].at, accepted[-1].at
    rate = (len(accepted) - 1) / (last - first)
    delivered = Counter(
        (chat, message.text)
        for chat, ms in fake.chats.items()
        for message in ms
        if message.from_bot
    )
    return {
        "sends": float(len(accepted)),
        "seconds": last - first,
        "rate": rate,
        "share": rate / LIMIT,
        "max_in_1s": float(_max_in_window(accepted_times=[c.at for c in accepted])),
        "429_by_sauti": float(fake.rate_limited_by_sauti),
        "lost": float(expected - len(delivered)),
        "twice": float(sum(1 for count in delivered.values() if count > 1)),
        "cpu_seconds": cpu,
    }


def _accepted(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls if call.method == "sendMessage" and call.status == 200)


def _max_in_window(accepted_times: list[float], window: float = 1.0) -> int:
    best, start = 0, 0
    for end, at in enumerate(accepted_times):
        while at - accepted_times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=5, help="notices per participant")
    parser.add_argument("--quick", action="store_true", help="200 participants x 3 notices")
    args = parser.parse_args()
    participants, messages = (200, 3) if args.quick else (args.participants, args.messages)
    result = asyncio.run(bench(participants, messages))
    print(f"sends accepted:          {result['sends']:.0f} in {result['seconds']:.1f} s")
    print(f"sustained rate:          {result['rate']:.2f} msg/s = {result['share']:.1%} of 30/s")
    print(f"most in any 1 s window:  {result['max_in_1s']:.0f}")
    print(f"429s caused by Sauti:    {result['429_by_sauti']:.0f}")
    print(f"lost / delivered twice:  {result['lost']:.0f} / {result['twice']:.0f}")
    print(f"CPU (sender + fake):     {result['cpu_seconds']:.1f} s")


if __name__ == "__main__":
    main()
