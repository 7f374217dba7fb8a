"""The JSON API, `/api/v1`: operations declared once (`declare`), served (`server`) and
described by OpenAPI 3.1 (`openapi`) from the same declarations; errors as RFC 9457 problems
(`problems`); callers by API token (`auth`)."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot.api.auth import Authenticator, BearerTokens
from bot.api.operations import all_operations
from bot.api.server import PREFIX, make_api
from bot.api.services import ApiServices
from bot.settings.parsers import Network

__all__ = ["PREFIX", "ApiServices", "api_application"]


def api_application(
    services: ApiServices, trusted_proxies: Sequence[Network] = (), *more: Authenticator
) -> web.Application:
    """The API with its operations; API tokens first, then any other authenticator (the
    console's signed-in browser, once it exists)."""
    authenticators: list[Authenticator] = [BearerTokens(services, tuple(trusted_proxies))]
    authenticators += more
    return make_api(services, all_operations(), authenticators)
