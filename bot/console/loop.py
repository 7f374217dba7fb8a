"""The organisation's loop report: for all its campaigns together and for each, the share of
contributors told what came of their answers, how soon, whether the decisions not adopted
gave their reasons, how people reacted, and the promises to report back — overdue ones
flagged. Counts only, small ones withheld, as the API's getLoopReport gives them."""

from __future__ import annotations

from aiohttp import web

from bot.access.roles import Permission
from bot.api.operations.loop import LoopReportOut
from bot.console.declare import Pages
from bot.console.view import View

pages = Pages()


@pages.get("/console/loop", permission=Permission.LOOP_READ)
async def loop_report(view: View) -> web.StreamResponse:
    report: LoopReportOut = await view.invoke("getLoopReport")
    return view.render(
        "loop.html",
        view.gettext("Closing the loop"),
        report=report,
        withheld=view.gettext("fewer than %(n)s", n=view.services.min_cell),
        banners=await view.site.banners_for(view),
    )
