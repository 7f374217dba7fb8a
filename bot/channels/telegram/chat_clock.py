"""Times that increase, per chat, in the order Telegram hands out the updates.

Telegram dates a message to the whole second and a tap not at all, so a message update that
reaches Sauti late (a polling backlog after downtime, a retried webhook) takes the start of its
second while a tap takes the time it arrived. After a backlog "exit" (tapped) followed by
"/start" (typed) could then be stored the other way round, and the start dropped as written
before the exit (bot.conversation.quick_exit). Each chat's next time is therefore at least 1 ms
after the last one this process gave it.

In memory and per process: one poller sees every update in order, and Telegram sends a chat's
webhook updates one after another. The map is bounded; a chat quiet long enough to be forgotten
has nothing left to be ordered against.
"""

from __future__ import annotations

from collections import OrderedDict

MAX_CHATS = 50_000


class ChatClock:
    def __init__(self, max_chats: int = MAX_CHATS) -> None:
        self._last: OrderedDict[int, int] = OrderedDict()
        self._max_chats = max_chats

    def stamp(self, chat_id: int, ms: int) -> int:
        """`ms`, or 1 ms after the chat's last time when that is later."""
        last = self._last.pop(chat_id, None)
        stamped = ms if last is None else max(ms, last + 1)
        self._last[chat_id] = stamped
        if len(self._last) > self._max_chats:
            self._last.popitem(last=False)
        return stamped
