"""A worker starting trains its model in a thread: a message that arrives before it is ready
waits only briefly, then goes on as it is (keywords still work), and none is held up."""

from __future__ import annotations

import threading
import time

import pytest

from bot.understanding import EmbeddedReader, readers
from nlu import NONE


async def test_a_message_before_the_model_is_ready_goes_on_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    shared = readers._SharedModel()

    def slow_training() -> None:
        release.wait(timeout=30)
        raise RuntimeError("stopped by the test")

    monkeypatch.setattr(shared, "get", slow_training)
    monkeypatch.setattr(readers, "_SHARED", shared)
    monkeypatch.setattr(readers, "READY_WAIT_SECONDS", 0.2)
    started = time.monotonic()
    try:
        intent = await EmbeddedReader().read("stop sending me this", "en")
    finally:
        release.set()
    assert intent.name == NONE
    assert time.monotonic() - started < 5
