"""Which chat message shows which question, so Sauti can edit it later: tick marks while a
multiple choice is being answered, then the answer in place of the buttons.

One small hash per participant, under their shard's hash tag: field = question id, value =
the message id and the question's text (survey text, nothing the participant wrote). A field
goes once the answer is shown in its message, so a finished survey leaves nothing; the hash
expires `ttl` after the last question asked and never holds more than `MAX_QUESTIONS` fields.
Also here: how many parts of a long message went out, so a retry sends only the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.scripts import REMEMBER_QUESTION_MESSAGE

MAX_QUESTIONS = 16  # a survey asks one question at a time; a few stay for "back"
PARTS_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class QuestionMessage:
    message_id: int
    text: str  # the question as shown, without its hint


class QuestionMessages:
    def __init__(self, redis: Redis, schema: KeySchema, ttl_seconds: int) -> None:
        self._redis = redis
        self._schema = schema
        self._ttl = ttl_seconds

    def key(self, participant_id: str) -> str:
        return self._schema.telegram_questions(participant_id)

    def parts_key(self, participant_id: str, idempotency_key: str) -> str:
        return self._schema.telegram_parts(participant_id, idempotency_key)

    async def remember(self, participant_id: str, question_id: str, shown: QuestionMessage) -> None:
        value = json.dumps({"m": shown.message_id, "t": shown.text}, ensure_ascii=False)
        await REMEMBER_QUESTION_MESSAGE(
            self._redis, [self.key(participant_id)], [question_id, value, self._ttl, MAX_QUESTIONS]
        )

    async def find(self, participant_id: str, question_id: str) -> QuestionMessage | None:
        raw = await self._redis.hget(self.key(participant_id), question_id)
        if raw is None:
            return None
        stored = json.loads(raw)
        return QuestionMessage(int(stored["m"]), str(stored["t"]))

    async def forget(self, participant_id: str, question_id: str) -> None:
        """The answer is shown in the question's message: nothing will edit it again (going
        back asks the question anew, in a new message), so its place is freed."""
        await self._redis.hdel(self.key(participant_id), question_id)

    async def parts_sent(self, participant_id: str, idempotency_key: str) -> int:
        raw = await self._redis.get(self.parts_key(participant_id, idempotency_key))
        return int(raw or 0)

    async def part_sent(self, participant_id: str, idempotency_key: str, count: int) -> None:
        key = self.parts_key(participant_id, idempotency_key)
        await self._redis.set(key, count, ex=PARTS_TTL_SECONDS)
