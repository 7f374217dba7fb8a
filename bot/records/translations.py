"""A campaign's translations as stored: each language's last import (who vouched for it, when,
how many entries were still marked for review) and the operator's acceptance of machine-drafted
text when the campaign was opened without every language reviewed. Both are fields of the
campaign's hash (`review:<language>`, `drafts_accepted`), so they go where the campaign goes.

Which texts a campaign shows, their completeness and review state are worked out in
`dialogues.translations`; this module gives it the built-in catalogues and the records.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.conversation.decisions.texts import loop_catalog
from bot.storage.keys import KeySchema
from dialogues import Survey
from dialogues.localization import Catalog, builtin_catalog, read_catalog
from dialogues.translations import (
    LanguageStatus,
    ReviewRecord,
    SystemTexts,
    TextEntry,
    entries,
    fingerprint,
    language_status,
)

ACCEPTED_FIELD = "drafts_accepted"


@dataclass(frozen=True, slots=True)
class DraftsAccepted:
    """Who opened the campaign accepting machine-drafted or incomplete text, when, and what
    each such language lacked then ("sw": "machine-drafted")."""

    by: str
    at_ms: int
    languages: dict[str, str]


@functools.cache
def builtin_texts() -> tuple[SystemTexts, ...]:
    """Sauti's own texts a campaign shows: the conversation's (`system:`), the decision
    notices' (`notice:`) and Telegram's command menu (`menu:`). A language counts as reviewed
    only where its file says so (`translation_status: {sw: reviewed}`); the shipped French,
    Arabic and Swahili are machine-drafted."""
    return (
        SystemTexts("system", builtin_catalog(), _reviewed("dialogues", "system/messages.yaml")),
        SystemTexts(
            "notice",
            loop_catalog(),
            _reviewed("bot.conversation.decisions", "messages.yaml"),
            buttons=("button.", "loop.button.", "grievance.button."),
        ),
        _telegram_menu(),
    )


def _telegram_menu() -> SystemTexts:
    """The Telegram command menu and group line (`menu:`), read as data: the channel's own code
    sits above this layer, its texts are what a participant reads all the same."""
    package, name = "bot.channels.telegram", "texts.yaml"
    raw = read_catalog(package, "", name)
    messages = {f"command.{key}": dict(texts) for key, texts in raw["commands"].items()}
    messages["group_only"] = dict(raw["group_only"])
    catalog = Catalog(language_names={}, messages=messages, words={})
    return SystemTexts("menu", catalog, _reviewed(package, name), buttons=())


def _reviewed(package: str, name: str) -> frozenset[str]:
    folder, _, name = name.rpartition("/")
    raw = read_catalog(package, folder, name)
    declared = raw.get("translation_status") or {}
    return frozenset(language for language, state in declared.items() if state == "reviewed")


def campaign_entries(campaign: Campaign, language: str, button_chars: int) -> tuple[TextEntry, ...]:
    """Every text the campaign shows in `language` (dialogues.translations.entries)."""
    return _entries(campaign.survey, language, button_chars)


# Kept per parsed survey (one object per revision, bot.records.campaigns): a campaign list
# reads every campaign's languages, and working them out again each time costs milliseconds.
@functools.lru_cache(maxsize=512)
def _entries(survey: Survey, language: str, button_chars: int) -> tuple[TextEntry, ...]:
    return tuple(entries(survey, language, builtin_texts(), button_chars=button_chars))


@functools.lru_cache(maxsize=512)
def _fingerprint(survey: Survey, language: str, button_chars: int) -> str:
    return fingerprint(_entries(survey, language, button_chars))


class TranslationRecords:
    """Each campaign language's last import, and acceptances of machine-drafted text."""

    def __init__(self, redis: Redis, schema: KeySchema, *, button_chars: int) -> None:
        self._redis = redis
        self._schema = schema
        self.button_chars = button_chars

    async def record_import(self, campaign_id: str, language: str, record: ReviewRecord) -> None:
        value = {
            "reviewer": record.reviewer,
            "at": record.at_ms,
            "unreviewed": record.unreviewed,
            "fingerprint": record.fingerprint,
        }
        await self._redis.hset(
            self._schema.campaign(campaign_id), f"review:{language}", json.dumps(value)
        )

    async def source(self, campaign_id: str) -> str | None:
        """The survey file as stored (the version an import starts from)."""
        value = await self._redis.hget(self._schema.campaign(campaign_id), "source")
        return value.decode() if isinstance(value, bytes) else value

    async def statuses(self, campaign: Campaign) -> list[LanguageStatus]:
        """Completeness and review state of each of the campaign's languages, in its order."""
        languages = list(campaign.survey.languages)
        raw = await self._redis.hmget(
            self._schema.campaign(campaign.id), [f"review:{code}" for code in languages]
        )
        return [
            language_status(
                campaign.survey,
                language,
                campaign_entries(campaign, language, self.button_chars),
                _record(value),
                texts_fingerprint=_fingerprint(campaign.survey, language, self.button_chars),
            )
            for language, value in zip(languages, raw, strict=True)
        ]

    async def accept_drafts(self, campaign_id: str, accepted: DraftsAccepted) -> None:
        value = {"by": accepted.by, "at": accepted.at_ms, "languages": accepted.languages}
        await self._redis.hset(
            self._schema.campaign(campaign_id), ACCEPTED_FIELD, json.dumps(value)
        )

    async def clear_acceptance(self, campaign_id: str) -> None:
        """Opened with every language ready: no machine-drafted text is shown any more."""
        await self._redis.hdel(self._schema.campaign(campaign_id), ACCEPTED_FIELD)

    async def drafts_shown(
        self, campaign: Campaign, statuses: list[LanguageStatus] | None = None
    ) -> DraftsAccepted | None:
        """The acceptance of machine-drafted text, naming the languages still not ready now
        (one reviewed since is no longer named); None when none is shown any more.
        `statuses`: the campaign's, when the caller has them already."""
        accepted = await self.accepted(campaign.id)
        if accepted is None:
            return None
        if statuses is None:
            statuses = await self.statuses(campaign)
        unready = {s.language for s in statuses if not s.ready}
        still = {code: what for code, what in accepted.languages.items() if code in unready}
        return DraftsAccepted(accepted.by, accepted.at_ms, still) if still else None

    async def accepted(self, campaign_id: str) -> DraftsAccepted | None:
        value = await self._redis.hget(self._schema.campaign(campaign_id), ACCEPTED_FIELD)
        if value is None:
            return None
        raw = json.loads(value)
        return DraftsAccepted(str(raw["by"]), int(raw["at"]), dict(raw["languages"]))


def _record(value: bytes | str | None) -> ReviewRecord | None:
    if value is None:
        return None
    raw = json.loads(value)
    reviewer = raw.get("reviewer")
    return ReviewRecord(
        reviewer=str(reviewer) if reviewer is not None else None,
        at_ms=int(raw["at"]),
        unreviewed=int(raw["unreviewed"]),
        fingerprint=str(raw["fingerprint"]),
    )
