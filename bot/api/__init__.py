"""The JSON API, `/api/v1` (docs/api.md).

- `declare`: how an operation is declared, once: method, path, permission, models, errors;
- `invoke`: one operation run for a principal (permission, validation, owner): the server's
  and the console's one way in;
- `server`: the aiohttp application made from the declarations, and its problem middleware;
  `files`: a file operation's answer streamed to the client (the console's downloads too);
- `openapi`: the OpenAPI 3.1 document made from the same declarations;
- `problems`: RFC 9457 problem details and their stable types;
- `auth`: who calls (API tokens, tried first), and each token's rate; `browser`: the console's
  signed-in browser (the staff session, with its form token for changes);
- `pages`: cursor pagination;
- `services`: what the operations use of the app; `live`: the live streams (server-sent
  events) open in this process, their limit per caller and their end at shutdown;
- `audit`: the seam where the organisation's audit log plugs in;
- `operations`: the operations themselves, one module per resource.
"""

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
    console's signed-in browser: bot.api.browser)."""
    authenticators: list[Authenticator] = [BearerTokens(services, tuple(trusted_proxies))]
    authenticators += more
    return make_api(services, all_operations(), authenticators)
