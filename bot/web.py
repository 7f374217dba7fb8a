"""The one web server: web chat pages, staff pages (/staff/), the console (/console/), the JSON
API (/api/v1), platform webhooks, /healthz and /metrics.

The access log names the route (`/c/{token}`), never the path: web chat URLs carry
participants' private link tokens, which must not reach a log.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from bot.access.signin import SignIn
from bot.api import PREFIX as API_PREFIX
from bot.api import ApiServices, api_application
from bot.api.audit import AuditRecorder
from bot.api.browser import BrowserSession
from bot.api.operations import all_operations
from bot.api.services import DecisionTools, StaffTools
from bot.app import App
from bot.channels.telegram.webhook import TelegramWebhook
from bot.channels.webchat.routes import WebChat
from bot.compression import compress
from bot.console.areas import all_banner_sources, all_pages
from bot.console.site import Site
from bot.loop.templates import TemplatesFile
from bot.metrics_http import metrics_handler, shared_gauges
from bot.staff_web.audit_events import AuditedSignInEvents
from bot.staff_web.auth import STAFF_AUTH, StaffAuth
from bot.staff_web.pages import StaffPages
from bot.staff_web.wiring import build_sign_in, build_staff_changes, setup_url
from bot.storage.errors import STORAGE_FAILURE
from bot.web_log import server_logger

MAX_REQUEST_BYTES = 256 * 1024  # forms are small; WhatsApp's 3 MB webhooks get their own route


class RouteAccessLogger(AbstractAccessLogger):
    """One line per request with the route pattern instead of the path, and no client details
    (addresses and user agents identify people too)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        # A request aiohttp refused before routing (malformed HTTP) has no match info at all,
        # and its `match_info` property asserts: read the attribute behind it.
        match_info = getattr(request, "_match_info", None)
        route = match_info.route.resource if match_info is not None else None
        pattern = route.canonical if route is not None else "(no route)"
        self.logger.info("%s %s %d %.1fms", request.method, pattern, response.status, time * 1000)


def runner_options() -> dict[str, Any]:
    """How every Sauti web server is run (sauti run and the tests alike)."""
    return {"access_log_class": RouteAccessLogger, "logger": server_logger()}


def _add_staff_pages(app: App, web_app: web.Application) -> SignIn:
    sign_in = build_sign_in(app, events=AuditedSignInEvents(app.audit_log()))
    auth = StaffAuth(sign_in.sessions, app.staff(), app.settings.http)
    web_app[STAFF_AUTH] = auth
    pages = StaffPages(
        sign_in,
        auth,
        crypto=app.crypto,
        organisations=app.organisations(),
        http=app.settings.http,
        changes=build_staff_changes(app, sign_in=sign_in),
    )
    web_app.add_routes(pages.routes())
    return sign_in


def make_web_app(app: App, *, audit: AuditRecorder | None = None) -> web.Application:
    """The web role's server: each part of it gets only what it uses of the app. `audit`:
    where the JSON API records reads of personal data and changes (default: the app's audit
    log; tests wrap it to read what was recorded)."""
    web_app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[compress])
    web_chat = WebChat(
        app.settings.webchat,
        http=app.settings.http,
        redis=app.redis,
        schema=app.schema,
        crypto=app.crypto,
        ingestor=app.ingestor,
        campaigns=app.campaigns,
    )
    web_app.add_routes(web_chat.routes())
    sign_in = _add_staff_pages(app, web_app)
    telegram = app.telegram
    secret = app.settings.telegram.webhook_secret
    if telegram is not None and telegram.uses_webhook and secret is not None:
        web_app.add_routes(TelegramWebhook(telegram.intake, secret.reveal()).routes())
    if app.whatsapp is not None:
        web_app.add_routes(app.whatsapp.webhook().routes())

    async def healthz(request: web.Request) -> web.Response:
        try:
            await app.redis.ping()
        except STORAGE_FAILURE:
            return web.json_response({"status": "redis unreachable"}, status=503)
        return web.json_response({"status": "ok"})

    gauges = shared_gauges(
        app.metrics,
        redis=app.redis,
        schema=app.schema,
        campaigns=app.campaigns,
        ledger=app.ledger(),
    )
    metrics = metrics_handler(app.metrics.registry, app.settings.metrics.token, gauges)

    async def home(request: web.Request) -> web.Response:
        raise web.HTTPNotFound(text="Sauti")

    web_app.add_routes(
        [web.get("/healthz", healthz), web.get("/metrics", metrics), web.get("/", home)]
    )
    services = api_services(app, audit or app.audit_log(), sign_in)
    browser = BrowserSession(web_app[STAFF_AUTH])  # the console's calls, after API tokens
    console = Site(
        auth=web_app[STAFF_AUTH],
        services=services,
        operations=all_operations(),
        pages=all_pages(),
        banners=all_banner_sources(),
        http=app.settings.http,
    )
    web_app.add_routes(console.routes())
    web_app.add_subapp(
        API_PREFIX, api_application(services, app.settings.http.trusted_proxies, browser)
    )
    return web_app


def api_services(app: App, audit: AuditRecorder, sign_in: SignIn | None = None) -> ApiServices:
    """What the JSON API uses of the app."""
    changes = build_staff_changes(app, sign_in=sign_in, audit=audit)
    return ApiServices(
        redis=app.redis,
        schema=app.schema,
        crypto=app.crypto,
        campaigns=app.campaigns,
        audit=audit,
        settings=app.settings.api,
        min_cell=app.settings.privacy.min_cell,
        reopen_days=app.settings.loop.case_reopen_days,
        decisions=decision_tools(app),
        inviter=app.inviter(),
        staff_tools=StaffTools(
            changes=changes,
            setup_url=lambda token: setup_url(app, token),
            setup_link_seconds=app.settings.staff.setup_link_seconds,
        ),
        metrics=app.metrics,
        button_chars=app.settings.whatsapp.limits.max_button_title_chars,
    )


def decision_tools(app: App) -> DecisionTools:
    """The app's decisions ledger, publisher, WhatsApp templates and send rates, for the API."""
    whatsapp = app.settings.whatsapp
    templates = TemplatesFile(whatsapp.templates_file, whatsapp.limits)
    return DecisionTools(
        ledger=app.ledger,
        publisher=app.publisher,
        templates=templates.coverage,
        send_rates=app.send_rates(),
        template_book=templates.book,
        previews=app.preview_cache(),
    )
