"""`sauti whatsapp link|templates`: click-to-chat links, and which approved templates will
stand in for messages outside WhatsApp's 24-hour window (and which are missing)."""

from __future__ import annotations

import argparse
import sys

from bot.app import App
from bot.channels.whatsapp.links import join_link
from bot.channels.whatsapp.template_file import TemplateFileError, load_templates
from bot.channels.whatsapp.templates import DECISION, PURPOSES, Resolved, TemplateBook
from bot.commands.common import EXIT_USAGE, with_app
from bot.loop.templates import NOTICE_PURPOSES


def register(parser: argparse.ArgumentParser) -> None:
    group = parser.add_subparsers(title="whatsapp commands")
    link = group.add_parser("link", help="the wa.me link that joins a campaign")
    link.add_argument("campaign_id")
    link.set_defaults(handler=_link)
    templates = group.add_parser(
        "templates",
        help="the template each campaign language gets outside the 24-hour window; exits 1 "
        "when one is missing",
    )
    templates.set_defaults(handler=_templates)


def _link(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        number = app.settings.whatsapp.display_number
        if number is None:
            print(
                "sauti: set WHATSAPP_DISPLAY_NUMBER (the business number, country code first, "
                "digits only) to make wa.me links",
                file=sys.stderr,
            )
            return EXIT_USAGE
        campaign = await app.campaigns.get(args.campaign_id)
        if campaign is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        if not campaign.is_open:
            print(f"note: campaign '{campaign.id}' is closed for now", file=sys.stderr)
        print(join_link(number, campaign.id))
        return 0

    return with_app(work)


def _templates(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        path = app.settings.whatsapp.templates_file
        try:
            book = load_templates(path, app.settings.whatsapp.limits)
        except TemplateFileError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return EXIT_USAGE
        languages: dict[str, list[str]] = {}
        for campaign_id in await app.campaigns.ids():
            campaign = await app.campaigns.get(campaign_id)
            if campaign is not None:
                for language in campaign.survey.languages:
                    languages.setdefault(language, []).append(campaign_id)
        if not languages:
            print("no campaigns yet: sauti campaign load FILE", file=sys.stderr)
        print(f"templates: {book.source}")
        return 1 if _report(book, languages) else 0

    return with_app(work)


def _report(book: TemplateBook, languages: dict[str, list[str]]) -> int:
    """Print one line per language and purpose; returns how many are missing, a decision
    template that leaves notices without buttons included."""
    missing = without_buttons = 0
    print("language\tpurpose\ttemplate\tsent in\tcampaigns")
    for language in sorted(languages):
        for purpose in PURPOSES:
            resolved = _standing_in(book, purpose, language)
            if resolved is None:
                missing += 1
                shown = ("MISSING", "-")
            elif resolved.template.purpose != purpose:  # a decision notice as the plain notice
                without_buttons += 1
                shown = (f"MISSING: {resolved.template.name}, no buttons", _code(resolved))
            else:
                shown = (resolved.template.name, _code(resolved))
            campaigns = ",".join(languages[language])
            print(f"{language}\t{purpose}\t{shown[0]}\t{shown[1]}\t{campaigns}")
    if missing:
        print(
            f"{missing} missing: participants in those languages get nothing once their "
            "24-hour window has closed; add an approved template or a fallback language",
            file=sys.stderr,
        )
    if without_buttons:
        print(
            f"{without_buttons} without buttons: decision notices in those languages go as "
            "the notice template once the 24-hour window has closed, and cannot be answered "
            "with a tap; add an approved decision template",
            file=sys.stderr,
        )
    return missing + without_buttons


def _standing_in(book: TemplateBook, purpose: str, language: str) -> Resolved | None:
    """What the WhatsApp client sends for `purpose`: a decision notice may go as a notice."""
    if purpose == DECISION:
        return book.choose(NOTICE_PURPOSES, language)
    return book.resolve(purpose, language)


def _code(resolved: Resolved) -> str:
    return resolved.code + (" (fallback)" if resolved.fallback else "")
