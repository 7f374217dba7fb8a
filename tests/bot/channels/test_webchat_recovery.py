"""A lost private link on the web chat: a recovery code, shown once, reopens the conversation
on a new link from the campaign's join page, and the old link stops working. The code is never
kept, only a keyed hash of it; a new code cancels no earlier one, and a few live codes at most;
a wrong one is said politely, in the page's language; tries count like joins; a dead link
speaks the browser's language; an erasure leaves no code behind, however slow the worker."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App
from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Channel
from bot.runtime.recovery_codes import forget_recovery_codes
from bot.runtime.retention import erase_campaign
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN
from tests.kit.running import background, built, drain, web_server
from tests.kit.settings import deployment_settings
from tests.kit.webchat import SAME_ORIGIN, Client

_CODE = re.compile(r'<strong [^>]*id="code">([0-9A-Z-]+)</strong>')
_NEW_LINK = re.compile(r"/c/([A-Za-z0-9_-]{64})#last")
FREE_TEXT = "The agent in Goma kept a copy of my ID card"


async def _code(client: Client, token: str) -> tuple[str, str]:
    """Press "Recovery code" on the chat page; the code shown and the page showing it."""
    response = await client.post(f"/c/{token}/code")
    assert response.status == 200, await response.text()
    page = await response.text()
    match = _CODE.search(page)
    assert match, page
    return match.group(1), page


async def _recover(client: Client, code: str, language: str = "en") -> Any:
    return await client.post(
        f"/j/{CAMPAIGN}/recover?lang={language}", data={"code": code}, allow_redirects=False
    )


async def _answered(client: Client) -> str:
    """A participant who answered up to a free-text answer of theirs."""
    token = await browser.join(client, "en")
    await browser.answer(client, token, action="submit", pick=["calls"])
    await browser.answer(client, token, choice="yes")
    await browser.answer(client, token, text=FREE_TEXT)
    return token


async def _every_key_and_value(app: App) -> str:
    """Everything in Redis as text: key names, and the values of strings and hashes."""
    seen = []
    async for key in app.redis.scan_iter(count=1000):
        seen.append(key.decode())
        kind: Any = await app.redis.type(key)
        kind = kind.decode()
        if kind == "string":
            seen.append(repr(await app.redis.get(key)))
        elif kind == "hash":
            seen.append(repr(await app.redis.hgetall(key)))
    return "\n".join(seen)


async def test_a_recovery_code_reopens_the_conversation_and_ends_the_old_link(
    web_client: Client, app: App
) -> None:
    token = await _answered(web_client)
    code, shown = await _code(web_client, token)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)  # 80 bits
    assert "it is shown only this once" in shown
    page = await browser.page(web_client, token)
    assert code not in page  # on no page but the one that showed it
    stored = await _every_key_and_value(app)
    assert code not in stored  # only a keyed hash
    assert code.replace("-", "") not in stored

    typed = code.lower().replace("-", " ")  # as someone copies it from paper
    response = await _recover(web_client, typed)
    assert response.status == 303, await response.text()
    match = _NEW_LINK.fullmatch(response.headers["Location"])
    assert match
    new_token = match.group(1)
    page = await browser.page(web_client, new_token)
    assert f"me: {FREE_TEXT}" in browser.lines(page)  # their own conversation
    assert 'name="q" value="sim_id"' in page  # where they were: the next question
    page = await browser.answer(web_client, new_token, choice="no")  # it carries on from there
    assert "me: No" in browser.lines(page)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hexists(app.schema.participant(pid), "wk")

    old = await web_client.get(f"/c/{token}")
    assert old.status == 404
    assert "This link is not valid." in await old.text()
    posted = await web_client.post(f"/c/{token}", data={"n": "late-form-1", "text": "hello"})
    assert posted.status == 404  # nothing stored from the old link either

    again = await _recover(web_client, code)  # a code works once
    assert again.status == 200
    assert "Sorry, that code does not open a conversation." in await again.text()


async def test_a_new_code_cancels_none_before_it(web_client: Client) -> None:
    token = await _answered(web_client)
    first, _ = await _code(web_client, token)
    second, _ = await _code(web_client, token)
    assert first != second
    assert (await _recover(web_client, first)).status == 303  # the code written down first


async def test_someone_with_the_link_cannot_lock_the_owner_out(web_client: Client) -> None:
    """A watcher who copied the link asks for codes after the owner wrote theirs down: the
    owner's code still takes the conversation back, and ends the watcher's link and codes."""
    token = await _answered(web_client)
    owners, _ = await _code(web_client, token)
    watchers, _ = await _code(web_client, token)
    spare, _ = await _code(web_client, token)
    taken = await _recover(web_client, watchers)  # the watcher moves the conversation first
    match = _NEW_LINK.fullmatch(taken.headers["Location"])
    assert match
    watcher_link = match.group(1)
    back = await _recover(web_client, owners)
    assert back.status == 303
    match = _NEW_LINK.fullmatch(back.headers["Location"])
    assert match
    page = await browser.page(web_client, match.group(1))
    assert f"me: {FREE_TEXT}" in browser.lines(page)
    assert (await web_client.get(f"/c/{watcher_link}")).status == 404
    assert (await _recover(web_client, spare)).status == 200  # made after the owner's: ended


async def test_codes_beyond_three_live_ones_are_refused_politely(web_client: Client) -> None:
    """Back and resend on the code's page asks again: it cannot make codes without end, and
    cannot push out a code written down before."""
    token = await _answered(web_client)
    codes = [(await _code(web_client, token))[0] for _ in range(3)]
    response = await web_client.post(f"/c/{token}/code")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = await response.text()
    assert not _CODE.search(page)  # no fourth code
    assert "You already have 3 recovery codes that have not been used" in page
    assert f'href="/c/{token}#last"' in page  # the way back to the conversation
    assert (await _recover(web_client, codes[0])).status == 303  # the first still works


async def test_two_presses_at_once_leave_no_code_unlisted(web_client: Client, app: App) -> None:
    """Each press keeps the code it showed: no code's key is left that opens nothing."""
    token = await _answered(web_client)
    responses = await asyncio.gather(*(web_client.post(f"/c/{token}/code") for _ in range(5)))
    shown = [m.group(1) for r in responses if (m := _CODE.search(await r.text()))]
    assert len(shown) == 3  # the cap, whichever presses came first
    assert len([key async for key in app.redis.scan_iter(match="*:wrc:*")]) == 3
    assert (await _recover(web_client, shown[0])).status == 303


async def test_a_wrong_code_is_said_politely_in_the_page_language(web_client: Client) -> None:
    await _answered(web_client)
    for typed in ("7KQ2-XD9M-4WTR-H3PA", "7KQ2-XD9M-4WTR", "not a code", ""):
        response = await _recover(web_client, typed, "fr")
        assert response.status == 200
        page = html.unescape(await response.text())
        assert "Désolé, ce code n'ouvre aucune conversation." in page
        assert "Un code a 16 lettres et chiffres" in page
        assert 'name="code"' in page  # they can try again right there
        assert "Traceback" not in page


async def test_codes_are_tried_no_faster_than_joins(redis_url: str, tmp_path: Any) -> None:
    async with _serving(redis_url, tmp_path, SAUTI_WEBCHAT_JOIN_LIMIT="3") as client:
        statuses = [(await _recover(client, f"7KQ2-XD9M-4WT{n}")).status for n in range(4)]
        assert statuses == [200, 200, 200, 429]


async def test_a_made_up_new_link_leads_nowhere(web_client: Client) -> None:
    for token in ("A" * 64, "B" * 31 + "_" * 33):
        response = await web_client.get(f"/c/{token}")
        assert response.status == 404


async def test_a_dead_link_speaks_the_browser_language_and_offers_the_others(
    web_client: Client,
) -> None:
    response = await web_client.get("/c/" + "A" * 32, headers={"Accept-Language": "ar-EG"})
    assert response.status == 404
    page = await response.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "هذا الرابط غير صالح. إن كان لديك رمز استرداد" in page
    assert re.search(rf'<a href="/c/{"A" * 32}\?lang=sw" lang="sw"[^>]*>Kiswahili</a>', page)
    chosen = await web_client.get("/c/" + "A" * 32 + "?lang=sw")
    assert "Kiungo hiki si sahihi." in await chosen.text()


async def test_a_dead_link_s_languages_work_after_a_post(web_client: Client) -> None:
    """A code asked for on a dead link: its language links lead to a page, not to an error."""
    response = await web_client.post("/c/" + "A" * 32 + "/code")
    assert response.status == 404
    assert response.headers["Cache-Control"] == "no-store"
    links = re.findall(r'<a href="([^"]+)" lang="fr"', await response.text())
    assert links == ["/c/" + "A" * 32 + "?lang=fr"]
    chosen = await web_client.get(links[0])
    assert chosen.status == 404
    assert "Ce lien n'est pas valide." in html.unescape(await chosen.text())


async def test_erasure_leaves_no_recovery_code_behind(web_client: Client, app: App) -> None:
    token = await _answered(web_client)
    code, _ = await _code(web_client, token)
    await browser.answer(web_client, token, text="delete")
    page = await browser.press(web_client, token, "Delete all my data")
    assert "Everything we held about you has been deleted." in page
    assert [key async for key in app.redis.scan_iter(match="*:wrc:*")] == []
    assert (await _recover(web_client, code)).status == 200  # nothing to reopen


async def test_a_slow_erasure_leaves_no_recovery_code_behind(app: App) -> None:
    async with _web(app, worker=True) as client:
        token = await _answered(client)
        codes = [(await _code(client, token))[0] for _ in range(2)]
        await browser.answer(client, token, text="delete")
        page = await browser.page(client, token)
    async with _web(app) as client:
        response = await client.post(
            f"/c/{token}", data=browser.pressed(page, "Delete all my data"), allow_redirects=False
        )
        waiting = str(response.headers["Location"]).split("#")[0]
        assert "?w=" in waiting  # the post saw no erasure: the worker did it alone
        assert await drain(app.worker("drain-worker"), app.schema.shards, orphans=True) == 1
        assert [key async for key in app.redis.scan_iter(match="*:wrc:*")] == []
        goodbye = await client.get(waiting)
        assert "Everything we held about you has been deleted." in await goodbye.text()
        for code in codes:
            assert (await _recover(client, code)).status == 200  # nothing to reopen


async def test_a_worker_stopped_mid_erasure_leaves_no_code_and_erases_on_replay(
    app: App,
) -> None:
    """The worker deleted the codes' keys, then stopped before its commit: no code can be
    made in the gap, and the replayed erasure completes."""
    async with _web(app, worker=True) as client:
        token = await _answered(client)
        code, _ = await _code(client, token)
        await browser.answer(client, token, text="delete")
        page = await browser.page(client, token)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    async with _web(app) as client:
        response = await client.post(
            f"/c/{token}", data=browser.pressed(page, "Delete all my data"), allow_redirects=False
        )
        waiting = str(response.headers["Location"]).split("#")[0]
        await forget_recovery_codes(app.redis, app.schema, pid)  # its first step, then a stop
        assert (await _recover(client, code)).status == 200  # the code is gone already
        assert (await client.post(f"/c/{token}/code")).status == 404  # and none is made
        assert [key async for key in app.redis.scan_iter(match="*:wrc:*")] == []
        assert await drain(app.worker("drain-worker"), app.schema.shards, orphans=True) == 1
        assert not await app.redis.exists(app.schema.participant(pid))
        assert [key async for key in app.redis.scan_iter(match="*:wrc:*")] == []
        goodbye = await client.get(waiting)
        assert "Everything we held about you has been deleted." in await goodbye.text()


async def test_a_slow_erasure_from_a_recovered_link_says_goodbye(app: App) -> None:
    async with _web(app, worker=True) as client:
        token = await _answered(client)
        code, _ = await _code(client, token)
        match = _NEW_LINK.fullmatch((await _recover(client, code)).headers["Location"])
        assert match
        new = match.group(1)
        await browser.answer(client, new, text="delete")
        page = await browser.page(client, new)
    async with _web(app) as client:
        response = await client.post(
            f"/c/{new}", data=browser.pressed(page, "Delete all my data"), allow_redirects=False
        )
        waiting = str(response.headers["Location"]).split("#")[0]
        assert "?w=" in waiting
        assert await drain(app.worker("drain-worker"), app.schema.shards, orphans=True) == 1
        goodbye = await client.get(waiting)
        assert goodbye.status == 200
        assert "Everything we held about you has been deleted." in await goodbye.text()
        assert (await client.get(f"/c/{new}")).status == 404  # nothing awaited: a dead link


@contextlib.asynccontextmanager
async def _web(app: App, *, worker: bool = False) -> AsyncIterator[Client]:
    """The web chat of `app`, with a worker processing events only when `worker`."""
    async with (
        background(*([app.worker("test-worker")] if worker else [])),
        web_server(app) as server,
        TestClient[web.Request, web.Application](server, headers=SAME_ORIGIN) as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def _serving(redis_url: str, tmp_path: Any, **env: str) -> AsyncIterator[Client]:
    async with (
        built(deployment_settings(redis_url, tmp_path, **env)) as app,
        background(app.worker("test-worker")),
        web_server(app) as server,
        TestClient[web.Request, web.Application](server, headers=SAME_ORIGIN) as client,
    ):
        yield client


async def test_a_closed_campaign_still_lets_its_participants_come_back(
    web_client: Client, app: App
) -> None:
    """Outcomes come after a survey closes: that is when people come back to read them."""
    token = await _answered(web_client)
    code, _ = await _code(web_client, token)
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    closed = await web_client.get(f"/j/{CAMPAIGN}")
    assert closed.status == 404
    page = await closed.text()
    assert "This survey is closed" in page
    assert 'name="code"' in page  # the way back
    assert 'name="lang"' not in page  # and no joining
    wrong = await _recover(web_client, "7KQ2-XD9M-4WTR")
    assert "Sorry, that code does not open a conversation." in await wrong.text()
    assert 'name="lang"' not in await wrong.text()
    response = await _recover(web_client, code)
    assert response.status == 303
    match = _NEW_LINK.fullmatch(response.headers["Location"])
    assert match
    page = await browser.page(web_client, match.group(1))
    assert f"me: {FREE_TEXT}" in browser.lines(page)
    assert "This survey is closed and no longer takes answers." in page


async def test_a_closed_campaign_s_page_speaks_the_language_asked_for(
    web_client: Client, app: App
) -> None:
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    closed = await web_client.get(f"/j/{CAMPAIGN}", headers={"Accept-Language": "ar"})
    assert closed.status == 404
    assert closed.headers["Cache-Control"] == "no-store"
    page = await closed.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "هذا الاستبيان مغلق ولم يعد يستقبل إجابات." in page
    assert f'<a href="/j/{CAMPAIGN}?lang=fr" lang="fr"' in page  # the others, one tap away
    chosen = await web_client.get(f"/j/{CAMPAIGN}?lang=sw")
    assert '<html lang="sw" dir="ltr">' in await chosen.text()
    wrong = await _recover(web_client, "7KQ2-XD9M-4WTR-H3PA", "fr")
    assert wrong.status == 200
    assert wrong.headers["Cache-Control"] == "no-store"
    page = html.unescape(await wrong.text())
    assert '<html lang="fr" dir="ltr">' in page
    assert "Désolé, ce code n'ouvre aucune conversation." in page
    assert f'<a href="/j/{CAMPAIGN}?lang=ar" lang="ar"' in page  # leads to a page, after a POST


async def test_retention_erasing_a_participant_leaves_no_recovery_code_behind(
    web_client: Client, app: App
) -> None:
    token = await _answered(web_client)
    code, _ = await _code(web_client, token)
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    closed = int(time.time() * 1000) - 366 * DAY_MS  # the deployment keeps data 365 days
    await app.redis.hset(app.schema.campaign(CAMPAIGN), "closed", str(closed))
    erased = await erase_campaign(app.redis, app.schema, app.campaigns, CAMPAIGN)
    assert erased is not None
    assert erased.participants == 1
    assert [key async for key in app.redis.scan_iter(match="*:wrc:*")] == []
    response = await _recover(web_client, code)
    assert "Sorry, that code does not open a conversation." in await response.text()
