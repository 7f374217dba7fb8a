"""The recent messages of a participant's Telegram chat, kept so that a quick exit can delete
them: the bot's (recorded by the sender from Telegram's answer) and the participant's own (from
the inbound update). In a private chat Telegram lets a bot delete both, for 48 hours.

One sorted set per participant, under their shard's hash tag and pseudonymous id: member = the
message id (`b<id>` for the bot's own messages other than a quick exit's lines), score = when
it was sent (ms). A message id says nothing by itself; the set holds no text.

A clearing deletes the participant's messages, and a quick exit's lines, sent at or before the
exit (so a clearing that goes out late never deletes what they wrote after, nor the neutral
line of this exit), and every other message of the bot's whenever it was sent: one that went
out between the exit's arrival and its commit is dated by Telegram in whole seconds, and may
look older than the exit or not. The bot sends nothing else while they are hidden, and a
clearing is refused once they are back (bot.runtime.claims), so none of these is newer.

Each write drops what Telegram would no longer delete, keeps at most `max_messages` ids and
sets the key to expire with the deletion window, so an idle chat leaves nothing.

Deleting is idempotent: Telegram skips ids it cannot find, and an id deleted is forgotten. Ids
within `EDGE_MS` of the end of the 48 hours are not asked for: by the time the call reaches
Telegram they may be too old, and an id too old can make Telegram refuse a whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema

# A margin at the end of the deletion window (clocks differ, and a clearing takes a while).
EDGE_MS = 60_000


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message of a chat, as the history keeps it."""

    participant_id: str
    message_id: int
    sent_ms: int
    # The bot's own, other than a quick exit's lines: deleted by any clearing, whenever sent.
    bot_reply: bool = False

    @property
    def member(self) -> str:
        return f"{_BOT}{self.message_id}" if self.bot_reply else str(self.message_id)


_BOT = "b"


class ChatHistory:
    def __init__(
        self, redis: Redis, schema: KeySchema, *, window_seconds: int, max_messages: int
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._window_ms = window_seconds * 1000
        self._max = max_messages

    async def remember(self, messages: Sequence[SentMessage]) -> None:
        """Record messages (several chats at once: one round trip). A message recorded twice
        (an update redelivered) keeps its first time."""
        if not messages:
            return
        pipe = self._redis.pipeline(transaction=False)
        for message in messages:
            key = self._schema.telegram_history(message.participant_id)
            # Not a transaction (nothing here needs one): a reader may see the set before it is
            # trimmed, which only shows ids a moment longer.
            pipe.zadd(key, {message.member: message.sent_ms}, nx=True)
            pipe.zremrangebyscore(key, "-inf", message.sent_ms - self._window_ms)
            pipe.zremrangebyrank(key, 0, -(self._max + 1))
            pipe.pexpire(key, self._window_ms)
        await pipe.execute()

    async def deletable(
        self, participant_id: str, now_ms: int, until_ms: int | None = None
    ) -> list[int]:
        """The ids Telegram still lets the bot delete (sent within the window, short of its
        edge), oldest first: the bot's replies whenever sent, the rest sent at or before
        `until_ms` (None: up to now)."""
        key = self._schema.telegram_history(participant_id)
        oldest = now_ms - self._window_ms + EDGE_MS + 1
        found: Any = await self._redis.zrangebyscore(key, oldest, "+inf", withscores=True)
        ids = []
        for raw, sent_ms in found:
            member = raw.decode()
            if member.startswith(_BOT):
                ids.append(int(member.removeprefix(_BOT)))
            elif until_ms is None or sent_ms <= until_ms:
                ids.append(int(member))
        return ids

    async def forget(self, participant_id: str, message_ids: Sequence[int]) -> None:
        if message_ids:
            key = self._schema.telegram_history(participant_id)
            members = [f"{prefix}{n}" for n in message_ids for prefix in ("", _BOT)]
            await self._redis.zrem(key, *members)
