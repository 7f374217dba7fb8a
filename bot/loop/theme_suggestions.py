"""Suggested themes for a campaign's free-text answers (nlu.themes), for staff to accept or
dismiss; nothing is tagged without them.

The model learns from the answers the team has tagged, read through the triage queue
(bot.records.triage), which is where free text is opened for staff already: the newest
`TRAINING_WINDOW` items at most, so the cost of a suggestion has a bound however large the
campaign. It is trained in memory for each request (500 tagged answers and 15 themes: about a
tenth of a second of CPU, bench/theme_suggestions.py) and dropped after it: the words never
reach a model file, a cache or a log. A dismissed suggestion is kept as a triage mark of the
answer (`Mark.DISMISSED`: the themes, comma-separated), so it is not suggested again, and it
goes with the answer when the participant withdraws it or is erased, as its other marks do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.records.triage import Position, TriageFilter, TriageItem, TriageQueue
from bot.records.triage_items import triage_item
from bot.records.triage_marks import Mark, Marked, mark_item
from bot.storage.keys import KeySchema
from bot.storage.replies import text
from nlu.themes import TaggedText, ThemeSuggester, ThemeSuggestion, train_theme_suggester

TRAINING_WINDOW = 5000  # queue items read, newest first, to learn from
_TRAINING_PAGE = 200


@dataclass(frozen=True, slots=True)
class AnswerSuggestions:
    """The themes suggested for one free-text answer of the queue."""

    item: TriageItem
    suggestions: tuple[ThemeSuggestion, ...]


async def learnt_suggester(queue: TriageQueue, window: int = TRAINING_WINDOW) -> ThemeSuggester:
    """A model of the themes tagged so far (up to `window` items of the queue), trained in a
    thread so the server goes on answering meanwhile."""
    tagged = await tagged_answers(queue, window)
    return await asyncio.to_thread(train_theme_suggester, tagged)


async def tagged_answers(queue: TriageQueue, window: int = TRAINING_WINDOW) -> list[TaggedText]:
    """The words and themes of the tagged free-text answers among the newest `window` items."""
    found: list[TaggedText] = []
    after: Position | None = None
    read = 0
    while read < window:
        page, after = await queue.page(after, min(_TRAINING_PAGE, window - read), TriageFilter())
        read += len(page)
        found += [
            TaggedText(item.text, item.themes)
            for item in page
            if item.kind == "answer" and item.text is not None and item.themes
        ]
        if after is None:
            break
    return found


async def suggest(
    redis: Redis,
    schema: KeySchema,
    campaign_id: str,
    suggester: ThemeSuggester,
    items: list[TriageItem],
) -> list[AnswerSuggestions]:
    """Suggestions for the answers among `items` whose words can be read, leaving out the
    themes each has and those dismissed on it."""
    answers = [item for item in items if item.kind == "answer" and item.text is not None]
    named = [(item.participant_id, item.question_id) for item in answers]
    dismissed = await dismissed_themes(redis, schema, campaign_id, named)
    return [
        AnswerSuggestions(item, suggester.suggest(item.text or "", item.themes, dismissed[n]))
        for n, item in enumerate(answers)
    ]


async def dismissed_themes(
    redis: Redis, schema: KeySchema, campaign_id: str, answers: list[tuple[str, str]]
) -> list[tuple[str, ...]]:
    """The themes dismissed on each answer (participant id, question id), in order."""
    if not answers:
        return []
    pipe = redis.pipeline(transaction=False)
    for participant_id, question_id in answers:
        shard = schema.shard_of(participant_id)
        item = triage_item(participant_id, question_id)
        pipe.hget(schema.triage_marks(shard, campaign_id), f"{Mark.DISMISSED.value}:{item}")
    replies: list[Any] = await pipe.execute()
    return [_themes(reply) for reply in replies]


async def dismiss(
    redis: Redis,
    schema: KeySchema,
    campaign_id: str,
    answer: tuple[str, str],
    theme: str,
) -> Marked:
    """Keep `theme` from being suggested again for the answer (participant id, question id);
    `Marked.GONE` when the answer is not in the queue (withdrawn or erased)."""
    [before] = await dismissed_themes(redis, schema, campaign_id, [answer])
    if theme in before:
        return Marked.UNCHANGED
    participant_id, question_id = answer
    shard, item = schema.shard_of(participant_id), triage_item(participant_id, question_id)
    value = ",".join(sorted({*before, theme}))
    return await mark_item(redis, schema, campaign_id, shard, item, Mark.DISMISSED, value)


def _themes(raw: bytes | str | None) -> tuple[str, ...]:
    return tuple(theme for theme in text(raw or b"").split(",") if theme)
