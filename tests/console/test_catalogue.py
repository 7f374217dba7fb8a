"""Every message the console shows has its translation: a page half in French is worse than
one in English."""

from __future__ import annotations

from babel.messages.pofile import read_po

from bot.console.catalogue import catalogue_path, extracted
from bot.console.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES


def test_every_message_is_translated_in_every_language() -> None:
    wanted = {message.id for message in extracted() if message.id}
    assert len(wanted) > 30  # the extraction found the templates and the modules
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        with catalogue_path(language).open("rb") as po:
            catalogue = read_po(po, locale=language, domain=DOMAIN)
        translated = {
            message.id
            for message in catalogue
            if message.id and message.string and not message.fuzzy
        }
        missing = sorted(str(message) for message in wanted - translated)
        assert missing == [], f"{language}: untranslated {missing}"
