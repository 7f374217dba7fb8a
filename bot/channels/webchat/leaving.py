"""The web chat's quick exit: the page leaves for a neutral page at once.

Every web chat page carries a small "Exit" button. On a chat page it posts the `exit` command
(so the conversation ends as on every channel: bot.conversation.quick_exit) and the answer
sends the browser away to `SAUTI_WEBCHAT_EXIT_URL`, or to `/away`, a blank page Sauti serves
that names nothing (no Sauti, no survey, no organisation). Pages run no script, so the page
cannot wipe the browser's history: instead every chat page is `Cache-Control: no-store` (the
back button asks the server again) and the private link itself shows nothing but the neutral
page while the participant is hidden. The referrer policy keeps the private link from reaching
the neutral site.

`no-store` alone does not keep a page out of the browser's back/forward cache (Chrome keeps such
pages unless a cookie changed since): the way out also sends `Clear-Site-Data: "cache"` and sets a
cookie with a new value each time, so the back button cannot show the conversation from memory.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from bot.conversation.chat_commands import recognise
from bot.conversation.inbound import Answer, Command
from bot.conversation.quick_exit import EXIT
from dialogues.inbound import TextReply

AWAY_PATH = "/away"
_NO_TRACE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
# Nothing in it says what was left: no title of Sauti's, no words, no script.
_AWAY_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>New Tab</title></head><body></body></html>"
)


def is_exit(action: Answer | Command) -> bool:
    """The exit button, or the exit word typed in the text box (any built-in language)."""
    if isinstance(action, Command):
        return action.name == EXIT
    if isinstance(action.input, TextReply):
        typed = recognise(action.input.text, ())
        return typed is not None and typed.name == EXIT
    return False


async def away_page(_: web.Request) -> web.Response:
    return web.Response(text=_AWAY_PAGE, content_type="text/html", headers=_NO_TRACE)


# The cookie that changes on every way out (its value means nothing; its name neither).
LEFT_COOKIE = "v"


def leave(exit_url: str | None) -> web.HTTPSeeOther:
    """Where the browser goes on a quick exit, and where the private link sends it after."""
    response = web.HTTPSeeOther(
        exit_url or AWAY_PATH, headers={**_NO_TRACE, "Clear-Site-Data": '"cache"'}
    )
    response.set_cookie(
        LEFT_COOKIE, secrets.token_urlsafe(8), path="/", httponly=True, samesite="Lax"
    )
    return response
