"""The example campaign every running Sauti of the tests serves."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.records.campaigns import CampaignStore
from bot.records.translations import builtin_texts
from dialogues import parse
from dialogues.translations import entries

EXAMPLE = Path(__file__).resolve().parents[2] / "dialogues" / "examples" / "safe_connect.yaml"
CAMPAIGN = "safe-connect-2026"  # the example's id


@cache
def example_survey() -> str:
    """The example survey's YAML (read once: async tests must not wait on the disk)."""
    return EXAMPLE.read_text(encoding="utf-8")


@cache
def example_text_count() -> int:
    """How many texts the example campaign shows in each of its languages, its own and Sauti's
    (a translator's total): it grows whenever Sauti gains a text the campaign shows."""
    return len(tuple(entries(parse(example_survey()), "en", builtin_texts(), button_chars=20)))


async def open_example(campaigns: CampaignStore) -> None:
    """Load the example campaign and open it, as an operator does before inviting anyone."""
    await campaigns.load(example_survey(), open_now=True)


def one_question_survey(campaign_id: str, retention_days: int | None = None) -> str:
    """A second, small campaign (another organisation's, one free-text question): for
    participants who are in the example campaign and in another one too."""
    retention = f"retention_days: {retention_days}\n" if retention_days is not None else ""
    return f"""\
spec_version: 1
id: {campaign_id}
organisation: {{en: "Maji Co"}}
title: {{en: "Water"}}
languages: [en]
default_language: en
promise: {{en: "We will tell you by March."}}
{retention}questions:
  - id: note
    kind: text
    text: {{en: "Anything else?"}}
"""
