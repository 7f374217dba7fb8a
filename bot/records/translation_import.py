"""A translator's file stored into a campaign, and the review gate that opening passes.

An import is all or nothing: every problem of the file is found (with its line) before
anything is written; a file without problems becomes a new version of the campaign's survey
(its source, revision and all, as `sauti campaign load` makes one) and a record of who vouched
for that language and when.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import yaml

from bot.conversation.campaign import Campaign
from bot.records.campaigns import CampaignStore
from bot.records.translation_files import UnreadableFileError, read_po_file
from bot.records.translations import (
    DraftsAccepted,
    TranslationRecords,
    campaign_entries,
)
from dialogues import SurveyDefinitionError
from dialogues.checking import LANGUAGE_CODE
from dialogues.translations import (
    ImportedText,
    ImportProblem,
    LanguageStatus,
    ReviewRecord,
    applied,
    check_import,
    fingerprint,
    is_own_wording,
)
from dialogues.yaml_source import read_yaml


@dataclass(frozen=True, slots=True)
class Imported:
    language: str
    stored: int  # campaign texts set in the file
    record: ReviewRecord
    status: LanguageStatus


async def import_po(
    campaigns: CampaignStore,
    records: TranslationRecords,
    campaign: Campaign,
    data: bytes,
    *,
    reviewer: str | None,
    now_ms: int,
) -> Imported | list[ImportProblem]:
    """Store a PO file's translations into `campaign`, or every problem (nothing stored)."""
    try:
        named, language, imported = read_po_file(data)
    except UnreadableFileError as error:
        return [ImportProblem(0, None, str(error))]
    if named != campaign.id:
        where = f"the campaign '{named}'" if named else "no Sauti campaign"
        return [
            ImportProblem(1, None, f"this file holds the texts of {where}, not of '{campaign.id}'")
        ]
    if language is None or not LANGUAGE_CODE.match(language):
        said = f"'{language}' is not a language code like 'sw'" if language else "it names none"
        return [ImportProblem(1, None, f"the file's Language header: {said}")]
    if language == campaign.survey.default_language:
        said = f"'{language}' is the campaign's source language"
        return [ImportProblem(1, None, f"the file's Language header: {said}")]
    expected = campaign_entries(campaign, language, records.button_chars)
    problems = check_import(expected, imported)
    if problems:
        return problems
    # The campaign's texts, and its own wording of Sauti's conversation texts (`system:`).
    texts = {
        item.context: item.forms[0]
        for item in imported
        if item.context
        and (":" not in item.context or is_own_wording(item.context))
        and item.forms[0].strip()
    }
    source = await records.source(campaign.id)
    if source is None:
        return [ImportProblem(0, None, f"no campaign '{campaign.id}'")]
    document = read_yaml(source).value
    before = copy.deepcopy(document)
    unreviewed = sum(item.needs_review and bool(item.forms[0].strip()) for item in imported)
    _mark_status(document, language, reviewed=bool(reviewer) and not unreviewed, imported=imported)
    applied(document, language, texts)
    stored = campaign
    if document != before:  # an unchanged file makes no new version, only its review
        updated = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
        try:
            stored = await campaigns.load(updated, org=campaign.org)
        except SurveyDefinitionError as error:  # e.g. a new language still lacking texts
            return [ImportProblem(0, p.path, p.message) for p in error.problems]
    found = campaign_entries(stored, language, records.button_chars)
    record = ReviewRecord(reviewer, now_ms, unreviewed, fingerprint(found))
    await records.record_import(stored.id, language, record)
    statuses = await records.statuses(stored)
    return Imported(
        language,
        sum(":" not in context for context in texts),
        record,
        next(s for s in statuses if s.language == language),
    )


def _mark_status(
    document: dict[str, Any], language: str, *, reviewed: bool, imported: list[ImportedText]
) -> None:
    """The survey's own `translation_status` for the language: reviewed, still machine-drafted
    (campaign texts left marked in a machine-drafted language), or a draft."""
    if not isinstance(document.get("translation_status"), dict):
        document["translation_status"] = {}
    status: dict[str, Any] = document["translation_status"]
    left = any(i.needs_review and ":" not in (i.context or ":") for i in imported)
    if reviewed:
        status[language] = "reviewed"
    elif not (left and status.get(language) == "machine-drafted"):
        status[language] = "draft"


async def refused_languages(
    records: TranslationRecords, campaign: Campaign
) -> list[LanguageStatus]:
    """The languages that keep a campaign from opening: incomplete or not reviewed."""
    return [status for status in await records.statuses(campaign) if not status.ready]


async def note_opening(
    records: TranslationRecords,
    campaign_id: str,
    unready: list[LanguageStatus],
    *,
    by: str,
    now_ms: int,
) -> None:
    """After opening: the acceptance of machine-drafted text, marked with what each language
    lacked; or, every language ready, no mark."""
    if unready:
        languages = {status.language: status.missing() for status in unready}
        await records.accept_drafts(campaign_id, DraftsAccepted(by, now_ms, languages))
    else:
        await records.clear_acceptance(campaign_id)


def refusal(unready: list[LanguageStatus]) -> str:
    """Why opening is refused, one language a line."""
    lines = [f"  {status.language}: {status.missing()}" for status in unready]
    return "\n".join(
        [
            "these languages are incomplete or not reviewed by a native speaker:",
            *lines,
            "export them (sauti translations export), have them reviewed and import them; or "
            "accept machine-drafted text explicitly (--accept-machine-drafted)",
        ]
    )
