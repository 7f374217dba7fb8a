"""`sauti run`: the web server, workers and senders in one process, or one role each.

Every role talks only to Redis, so `--role web`, `--role worker`, `--role sender` and
`--role publisher` can run on as many processes or machines as needed against one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
from collections.abc import Collection

from aiohttp import web

from bot.app import App, build_app
from bot.channels.telegram.role import run_telegram
from bot.channels.whatsapp.links import join_link
from bot.metrics_http import metrics_only_app
from bot.runtime.migrations import migrate
from bot.settings import Settings
from bot.settings.fields import variable
from bot.settings.model import HttpSettings, MetricsSettings
from bot.web import make_web_app, runner_options

log = logging.getLogger(__name__)

ROLES = ("web", "worker", "sender", "telegram", "publisher")


class RoleStoppedError(RuntimeError):
    """A worker or sender loop ended while Sauti was meant to be running."""


class ListenError(RoleStoppedError):
    """A server could not listen where its settings say (the port is taken, say): a role that
    could not start. Its message is one line naming the setting to change."""


async def run(
    settings: Settings, roles: Collection[str], ready: asyncio.Event | None = None
) -> None:
    """Run until SIGINT/SIGTERM (or until the task is cancelled)."""
    app = await build_app(settings)
    try:  # before any event is taken: the scripts read only the current formats
        await migrate(app.redis, app.schema, dedupe_ttl_seconds=settings.dedupe_ttl_seconds)
    except BaseException:
        await app.close()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    runner: web.AppRunner | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        runner = await _serve(app, roles)  # first: a port that is taken stops us before any work
        tasks += _role_tasks(app, roles, stop)
        if "web" in roles:
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


def _role_tasks(app: App, roles: Collection[str], stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """The long-running loops of this process's roles, and its maintenance."""
    tasks: list[asyncio.Task[None]] = []
    if "worker" in roles:
        tasks.append(asyncio.create_task(app.worker().run(stop)))
        # Retention (one process of the role acts per interval: bot.runtime.retention_job).
        tasks.append(asyncio.create_task(app.retention_job().run(stop)))
    if "sender" in roles:
        clients = app.push_clients()
        if clients:
            tasks.append(asyncio.create_task(app.sender(clients).run(stop)))
        else:
            log.info("no push channel configured: the sender role has nothing to send")
    if "telegram" in roles:
        if app.telegram is not None:
            tasks.append(asyncio.create_task(run_telegram(app.telegram, app.campaigns, stop)))
        else:
            log.info("no Telegram bot token: the telegram role has nothing to do")
    if "publisher" in roles:  # decision notices into the outbox, paced (bot.loop)
        tasks.append(asyncio.create_task(app.publisher().run(stop)))
    # Which master keys this process holds, for `sauti keys rewrap` and `retire` to check.
    tasks.append(asyncio.create_task(app.key_holder_heartbeat().run(stop)))
    eraser = app.disk_eraser()  # erasures rewritten off the disk (bot.runtime.disk_erasure)
    if eraser is not None:
        tasks.append(asyncio.create_task(eraser.run(stop)))
    return tasks


async def _serve(app: App, roles: Collection[str]) -> web.AppRunner | None:
    """The web server; in a process without the web role, its /metrics on a port of its own
    (else no one would count what its worker, sender or publisher does); or nothing."""
    http, metrics = app.settings.http, app.settings.metrics
    if "web" in roles:
        runner = web.AppRunner(make_web_app(app), **runner_options())
        host, port = http.host, http.port
        names = (variable(HttpSettings, "host"), variable(HttpSettings, "port"))
    elif (metrics_role := metrics.port_for(roles)) is not None:
        role, port = metrics_role
        served = metrics_only_app(app.metrics.registry, metrics.token)
        runner = web.AppRunner(served, **runner_options())
        host = metrics.host
        names = (variable(MetricsSettings, "host"), variable(MetricsSettings, f"{role}_port"))
    else:
        return None
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        problem = _listen_problem(error, host, port, names)
        if "web" in roles:
            raise ListenError(problem) from None
        # Metrics are the operator's; the role's work is the participants'. A second worker on
        # the same machine with the default port must not stop: it goes on, uncounted, saying so.
        log.warning("metrics not served: %s", problem)
        return None
    return runner


def _listen_problem(error: OSError, host: str, port: int, names: tuple[str, str]) -> str:
    """One line naming the setting to change (`names`: the host's and the port's variables)."""
    host_variable, port_variable = names
    if error.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host}: set {port_variable} to a free one"
    reason = error.strerror or str(error)
    return f"cannot listen on {host}:{port} ({reason}): check {host_variable} and {port_variable}"


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
