"""Every area of the console, one module each: its pages and the banners it may raise. A new
area is a module with its own `pages` and one line here."""

from __future__ import annotations

from bot.console import campaigns
from bot.console.declare import Page
from bot.console.view import BannerSource


def all_pages() -> tuple[Page, ...]:
    return (*campaigns.pages.declared,)


def all_banner_sources() -> tuple[BannerSource, ...]:
    return ()
