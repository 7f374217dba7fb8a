"""Every area of the console, one module each: its pages and the banners it may raise. A new
area is a module with its own `pages` and one line here."""

from __future__ import annotations

from bot.console import (
    audit,
    campaigns,
    cases,
    decision_form,
    decisions,
    exports,
    loop,
    results,
    staff,
    triage,
)
from bot.console.declare import Page
from bot.console.view import BannerSource


def all_pages() -> tuple[Page, ...]:
    # The form's `/decisions/new` before a decision's `/decisions/{decision_id}`: routes match in
    # the order they are added.
    return (
        *campaigns.pages.declared,
        *decision_form.pages.declared,
        *decisions.pages.declared,
        *loop.pages.declared,
        *exports.pages.declared,
        *cases.pages.declared,
        *staff.pages.declared,
        *audit.pages.declared,
        *results.pages.declared,
        *triage.pages.declared,
    )


def all_banner_sources() -> tuple[BannerSource, ...]:
    return (cases.safety_banner, triage.safety_banners)
