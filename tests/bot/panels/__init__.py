"""Panels and invitations end to end: participants join and answer through the real worker,
the company invites a segment of its panel to a new campaign, and the real sender delivers
the invitations to fake platforms.

Helpers shared by these tests: the example campaign with its area question feeding the panel's
`area` attribute, a follow-up campaign of the same organisation, and an inviter on the
deployment's clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.loop.pacing import QuietHours
from bot.panels.eligibility import Budget
from bot.panels.inviting import DAY_MS, InviteConfig, Inviter
from tests.bot.loop import Deployment, Person, join
from tests.kit.example import example_survey

FOLLOW_UP = "water-2027"
# The example survey answered to the end, typed (the area question last: `area`).
COMPLETE = ("1", "1,2", "no", "no", "2", "1", "5", "1", "skip")


def example_with_profile() -> str:
    """The example campaign, its area question feeding the panel's `area` attribute."""
    source = example_survey()
    question = "  - id: area\n    kind: single_choice\n"
    assert question in source
    return source.replace(question, question + "    profile: area\n")


def follow_up_survey(campaign_id: str = FOLLOW_UP, languages: str = "en, fr, sw") -> str:
    """A new campaign of the example's organisation (the default one), in three of the
    example's four languages."""
    return f"""\
spec_version: 1
id: {campaign_id}
organisation: {{en: "Nuru Mobile", fr: "Nuru Mobile", sw: "Nuru Mobile"}}
title: {{en: "Water points", fr: "Points d'eau", sw: "Vituo vya maji"}}
languages: [{languages}]
default_language: en
promise:
  en: "We will tell you by March."
  fr: "Nous vous le dirons en mars."
  sw: "Tutakuambia kufikia Machi."
questions:
  - id: note
    kind: text
    text: {{en: "Anything else?", fr: "Autre chose ?", sw: "Kitu kingine?"}}
"""


def inviter(deployment: Deployment, *, budget: int = 2, batch: int = 500) -> Inviter:
    runtime = deployment.runtime
    config = InviteConfig(
        budget=Budget(budget, 30 * DAY_MS),
        quiet=QuietHours.parse("21:00-08:00"),
        default_zone=dt.UTC,
        batch=batch,
    )
    return Inviter(deployment.redis, deployment.schema, runtime.campaigns, runtime.crypto, config)


async def member(person: Person, language: str, area: str, *, contact: bool = True) -> Person:
    """Someone who answered the example to the end (their area last) and said yes (or no) to
    being contacted again."""
    await join(person, language, updates=True, answers=(*COMPLETE, area))
    await person.press("consent", f"contact:{'yes' if contact else 'no'}")
    return person


def invitations(deployment: Deployment, person: Person) -> list[dict[str, Any]]:
    """The invitations the platform delivered to them."""
    return [d.message for d in deployment.delivered(person) if d.key.startswith("i:")]
