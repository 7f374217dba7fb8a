"""Themes tagged on free-text answers, so decisions can link to what people wrote.

For now the company tags answers from the CLI (one response id at a time, or a CSV made from
an export); later the NLU will suggest tags. A response id is what the organisation sees:
`<pseudonym>/<question id>` (bot/access/pseudonyms.py). Tags sit next to the answers, under the
participant's shard tag, and go when the participant is erased.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

from bot.access.pseudonyms import PSEUDONYM, Pseudonyms
from bot.conversation.campaign import Campaign
from bot.conversation.decisions.decision import LoopError
from bot.conversation.decisions.rules import THEME
from bot.conversation.stored_answers import read_answer
from bot.records.pseudonym_lookup import participants_named
from bot.records.retained import retained_themes
from bot.storage.keys import KeySchema
from dialogues.model import QuestionKind


class ThemeError(LoopError):
    """A tag that cannot be set; the message says why (never quoting the answer)."""


def parse_response_id(campaign: Campaign, response_id: str) -> tuple[str, str]:
    """ "<pseudonym>/<question id>" of a free-text question. Raises ThemeError."""
    pseudonym, _, question_id = response_id.strip().partition("/")
    if not PSEUDONYM.match(pseudonym) or not question_id:
        raise ThemeError(f"{response_id!r} is not a response id like p-…/<question id>")
    question = campaign.survey.question(question_id)
    if question is None or question.kind is not QuestionKind.TEXT:
        raise ThemeError(f"'{question_id}' is not a free-text question of '{campaign.id}'")
    return pseudonym, question_id


class Responses:
    """A campaign's responses as its organisation names them: response ids are looked up once
    (a walk over the respondents) for however many are asked about together."""

    def __init__(
        self, redis: Redis, schema: KeySchema, campaign: Campaign, pseudonyms: Pseudonyms
    ) -> None:
        self._redis = redis
        self._schema = schema
        self.campaign = campaign
        self._pseudonyms = pseudonyms
        self._named: dict[str, str] = {}

    async def look_up(self, response_ids: Iterable[str]) -> None:
        """Find the participants of these response ids (malformed ones are left for later)."""
        wanted = set()
        for response_id in response_ids:
            pseudonym = response_id.strip().partition("/")[0]
            if PSEUDONYM.match(pseudonym) and pseudonym not in self._named:
                wanted.add(pseudonym)
        if wanted:
            self._named.update(
                await participants_named(
                    self._redis, self._schema, self._pseudonyms, self.campaign.id, wanted
                )
            )

    async def answer(self, response_id: str) -> tuple[str, str]:
        """(participant id, question id) of a free-text answer. Raises ThemeError."""
        pseudonym, question_id = parse_response_id(self.campaign, response_id)
        await self.look_up([response_id])
        participant = self._named.get(pseudonym)
        if participant is None:
            raise ThemeError(f"no response {response_id.strip()} in '{self.campaign.id}'")
        return participant, question_id

    async def tag(self, response_id: str, themes: list[str]) -> tuple[str, ...]:
        """Add themes to one free-text answer; returns its themes now."""
        participant, question_id = await self.answer(response_id)
        wanted = check_themes(themes)
        raw = await self._redis.hget(
            self._schema.answers(participant, self.campaign.id), question_id
        )
        stored = read_answer(raw) if raw is not None else None
        if stored is None or not stored.free_text:
            raise ThemeError(f"no free-text answer {response_id.strip()} (erased, or skipped)")
        key = self._schema.themes(participant, self.campaign.id)
        current = await self._redis.hget(key, question_id)
        merged = tuple(sorted({*_split(current), *wanted}))
        await self._redis.hset(key, question_id, ",".join(merged))
        return merged

    async def themes_of(self, response_id: str) -> tuple[str, ...]:
        """One free-text answer's themes now."""
        participant, question_id = await self.answer(response_id)
        key = self._schema.themes(participant, self.campaign.id)
        return tuple(sorted(_split(await self._redis.hget(key, question_id))))

    async def untag(self, response_id: str, themes: list[str]) -> tuple[str, ...]:
        """Remove themes from one free-text answer; returns its themes now."""
        participant, question_id = await self.answer(response_id)
        key = self._schema.themes(participant, self.campaign.id)
        current = await self._redis.hget(key, question_id)
        left = tuple(sorted(set(_split(current)) - set(check_themes(themes))))
        if left:
            await self._redis.hset(key, question_id, ",".join(left))
        else:
            await self._redis.hdel(key, question_id)
        return left


def check_themes(themes: Iterable[str]) -> list[str]:
    cleaned = [theme.strip().lower() for theme in themes]
    bad = [theme for theme in cleaned if not THEME.match(theme)]
    if bad:
        raise ThemeError(f"{bad[0]!r} is not a theme: lower-case letters, digits, - or _")
    return cleaned


async def theme_counts(redis: Redis, schema: KeySchema, campaign_id: str) -> Counter[str]:
    """Answers per theme over the whole campaign (walks the respondents, shard by shard), with
    those of respondents retention erased (kept in the counters)."""
    counts = await retained_themes(redis, schema, campaign_id)
    for shard in range(schema.shards):
        batch: list[str] = []
        async for member in redis.sscan_iter(schema.respondents(shard, campaign_id), count=1000):
            batch.append(member.decode())
            if len(batch) >= 1000:
                await _count(redis, schema, campaign_id, batch, counts)
                batch = []
        await _count(redis, schema, campaign_id, batch, counts)
    return counts


async def _count(
    redis: Redis, schema: KeySchema, campaign_id: str, pids: list[str], counts: Counter[str]
) -> None:
    if not pids:
        return
    pipe = redis.pipeline(transaction=False)
    for pid in pids:
        pipe.hvals(schema.themes(pid, campaign_id))
    replies: list[Any] = await pipe.execute()
    for values in replies:
        for value in values:
            counts.update(_split(value))


def _split(raw: bytes | str | None) -> list[str]:
    if raw is None:
        return []
    text = raw.decode() if isinstance(raw, bytes) else raw
    return [theme for theme in text.split(",") if theme]
