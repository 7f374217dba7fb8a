"""Operations that answer a file (`FileResponse`): described in the OpenAPI document with their
media types, written chunk by chunk, `ended` awaited once however the stream ends, and a file
cut short by a failure never delivered as if it were whole. Other answers say the server's time
(`Server-Timing`)."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.api.declare import PUBLIC, Call, FileResponse, FileStream, Operations
from bot.api.server import make_api
from bot.web import api_services
from tests.bot.api import World


class Story:
    """What the test operation streams, and what it was told at the end."""

    def __init__(self, *, fail_after: int | None = None, fail_ending: bool = False) -> None:
        self.fail_after = fail_after
        self.fail_ending = fail_ending
        self.endings = 0

    async def lines(self) -> AsyncGenerator[bytes, None]:
        for n in range(5):
            if n == self.fail_after:
                raise RuntimeError("the storage broke")
            yield f"line {n}\n".encode()

    async def ended(self) -> None:
        self.endings += 1
        if self.fail_ending:
            raise RuntimeError("the audit log is unreachable")


@asynccontextmanager
async def served(
    world: World, story: Story
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    operations = Operations()

    @operations.add(
        "GET",
        "/story",
        "getStory",
        "A file",
        permission=PUBLIC,
        response=FileResponse(("text/plain",), "five lines"),
    )
    async def get_story(call: Call) -> FileStream:
        return FileStream("text/plain", "story/../x.txt", story.lines(), story.ended)

    services = api_services(world.deployment.app, world.audit)
    root = web.Application()
    root.add_subapp("/api/v1", make_api(services, operations.declared, ()))
    async with TestClient(TestServer(root, host="127.0.0.1")) as client:
        yield client


async def test_a_file_is_described_and_streamed_whole(world: World) -> None:
    story = Story()
    async with served(world, story) as client:
        response = await client.get("/api/v1/story")
        assert response.headers["Content-Disposition"] == 'attachment; filename="story_.._x.txt"'
        assert response.headers["Cache-Control"] == "no-store"
        assert await response.text() == "".join(f"line {n}\n" for n in range(5))
        assert "Server-Timing" not in response.headers  # its headers left before its end
        described = await client.get("/api/v1/openapi.json")
        assert re.fullmatch(r"app;dur=\d+\.\d\d", described.headers["Server-Timing"])
        document = await described.json()
    success = document["paths"]["/story"]["get"]["responses"]["200"]
    assert success["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert "Content-Disposition" in success["headers"]
    assert story.endings == 1


@pytest.mark.parametrize(
    "story", [Story(fail_after=2), Story(fail_ending=True)], ids=["chunks fail", "ending fails"]
)
async def test_a_file_cut_short_is_never_delivered_as_whole(world: World, story: Story) -> None:
    async with served(world, story) as client:
        response = await client.get("/api/v1/story")
        assert response.status == 200  # sent before anything failed
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    assert story.endings == 1
