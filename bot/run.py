"""`sauti run`: the web server, workers and senders in one process, or one role each.

Every role talks only to Redis, so `--role web`, `--role worker`, `--role sender` and
`--role publisher` can run on as many processes or machines as needed against one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Collection

from aiohttp import web

from bot.app import App, build_app
from bot.channels.telegram.role import run_telegram
from bot.channels.whatsapp.links import join_link
from bot.settings import Settings
from bot.web import make_web_app, runner_options

log = logging.getLogger(__name__)

ROLES = ("web", "worker", "sender", "telegram", "publisher")


class RoleStoppedError(RuntimeError):
    """A worker or sender loop ended while Sauti was meant to be running."""


async def run(
    settings: Settings, roles: Collection[str], ready: asyncio.Event | None = None
) -> None:
    """Run until SIGINT/SIGTERM (or until the task is cancelled)."""
    app = await build_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    runner: web.AppRunner | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        if "worker" in roles:
            tasks.append(asyncio.create_task(app.worker().run(stop)))
        if "sender" in roles:
            clients = app.push_clients()
            if clients:
                tasks.append(asyncio.create_task(app.sender(clients).run(stop)))
            else:
                log.info("no push channel configured: the sender role has nothing to send")
        if "telegram" in roles:
            if app.telegram is not None:
                tasks.append(asyncio.create_task(run_telegram(app, app.telegram, stop)))
            else:
                log.info("no Telegram bot token: the telegram role has nothing to do")
        if "publisher" in roles:  # decision notices into the outbox, paced (bot.loop)
            tasks.append(asyncio.create_task(app.publisher().run(stop)))
        if "web" in roles:
            runner = web.AppRunner(make_web_app(app), **runner_options())
            await runner.setup()
            http = settings.http
            await web.TCPSite(runner, http.host, http.port).start()
            await _announce(app)
        if ready is not None:
            ready.set()
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        if stopping not in done:  # a role ended on its own: exit so a supervisor restarts us
            stopping.cancel()
            raise RoleStoppedError("a role stopped unexpectedly; exiting so it can be restarted")
    finally:
        stop.set()
        for signum in (signal.SIGINT, signal.SIGTERM):  # the process may go on (tests do)
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        if runner is not None:
            await runner.cleanup()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await app.close()


async def _announce(app: App) -> None:
    base = app.settings.http.base_url
    http = app.settings.http
    print(f"Sauti is serving on http://{http.host}:{http.port}", flush=True)
    for campaign_id in await app.campaigns.ids():
        campaign = await app.campaigns.get(campaign_id)
        if campaign is not None and campaign.is_open:
            print(f"  web chat for '{campaign_id}': {base}/j/{campaign_id}", flush=True)
            number = app.settings.whatsapp.display_number
            if app.whatsapp is not None and number is not None:
                link = join_link(number, campaign_id)
                print(f"  WhatsApp for '{campaign_id}': {link}", flush=True)
