"""Every language Sauti ships speaks every one of Sauti's own texts: the conversation's, the
decision notices', Telegram's command menu and WhatsApp's templates, each with the English
text's placeholders, each counted text in every plural form its language's CLDR rule has."""

from __future__ import annotations

import string

import pytest

from bot.channels.telegram.texts import telegram_texts
from bot.conversation.decisions.texts import loop_catalog
from dialogues.languages import direction, native_name, plural_categories
from dialogues.localization import INTENTS, Catalog, builtin_catalog
from tests.kit.whatsapp import approved_templates

SHIPPED = tuple(builtin_catalog().language_names)
ADDED = ("pt", "ha", "so", "am", "bn", "my", "ps")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _catalogs() -> dict[str, Catalog]:
    return {"system": builtin_catalog(), "notice": loop_catalog()}


def test_shipped_languages_two_written_right_to_left() -> None:
    assert set(ADDED) <= set(SHIPPED)
    assert len(SHIPPED) >= 11
    assert sorted(code for code in SHIPPED if direction(code) == "rtl") == ["ar", "ps"]


@pytest.mark.parametrize("language", SHIPPED)
def test_every_text_in_the_language_with_the_english_placeholders(language: str) -> None:
    for name, catalog in _catalogs().items():
        for key, texts in catalog.messages.items():
            assert texts.get(language), f"{name}:{key} lacks {language}"
            if key in catalog.plurals:
                continue  # counted texts: below
            assert _placeholders(texts[language]) == _placeholders(texts["en"]), key


@pytest.mark.parametrize("language", SHIPPED)
def test_counted_texts_have_each_plural_form_of_the_language(language: str) -> None:
    for catalog in _catalogs().values():
        for key, forms in catalog.plurals.items():
            counted = catalog.counts[key]
            english = set().union(*map(_placeholders, forms["en"].values()))
            own = forms.get(language, {})
            assert set(own) == plural_categories(language), f"{key} in {language}"
            for category, text in own.items():
                # a form for a single number may spell it out ("إجابة واحدة"), none invents one
                assert _placeholders(text) <= english, (key, category)
                assert english - {counted} <= _placeholders(text), (key, category)
            assert counted in _placeholders(own["other"]), key


@pytest.mark.parametrize("language", SHIPPED)
def test_control_words_and_commands_in_the_language(language: str) -> None:
    catalog = builtin_catalog()
    for intent in INTENTS:
        assert catalog.words[intent].get(language), f"{intent} in {language}"
    for command, by_language in catalog.commands.items():
        assert by_language.get(language), f"{command} in {language}"


@pytest.mark.parametrize("language", SHIPPED)
def test_telegram_menu_and_whatsapp_templates_in_the_language(language: str) -> None:
    texts = telegram_texts()
    assert language in texts.languages
    for name, by_language in texts.commands.items():
        assert 1 <= len(by_language.get(language, "")) <= 256, name
    for template in approved_templates().templates.values():
        codes = {code.split("_")[0] for code in template.languages}  # WhatsApp's pt_PT is pt
        assert language in codes, (template.name, language)


def test_language_names_in_their_own_script_from_cldr() -> None:
    names = builtin_catalog().language_names
    shown = [names[code] for code in ("am", "bn", "ps", "my", "pt")]
    assert shown == ["አማርኛ", "বাংলা", "پښتو", "မြန်မာ", "Português"]
    assert names["fr"] == "Français"  # capitalised: it heads a button
    assert native_name("fa-AF").startswith("فارسی")  # any code CLDR knows, shipped or not


def test_plural_form_picked_by_the_number_in_arabic_and_english() -> None:
    catalog = builtin_catalog()
    said = {
        (language, n): catalog.message(
            "mydata.campaign", language, title="T", organisation="O", count=n, status="s"
        )
        for language in ("en", "ar")
        for n in (1, 2, 3, 11, 100)
    }
    assert "1 answer," in said["en", 1]
    assert "2 answers," in said["en", 2]
    assert "إجابة واحدة" in said["ar", 1]
    assert "إجابتان" in said["ar", 2]
    assert "3 إجابات" in said["ar", 3]
    assert "11 إجابة" in said["ar", 11]
    assert "100 إجابة" in said["ar", 100]


@pytest.mark.parametrize(
    ("language", "one_day", "many_days"),
    [
        ("en", "within 1 day:", "within 30 days:"),
        ("ar", "خلال يوم واحد:", "خلال 30 يومًا:"),
        ("pt", "dentro de 1 dia:", "dentro de 30 dias:"),
        ("am", "በ1 ቀን ውስጥ", "በ30 ቀናት ውስጥ"),
    ],
)
def test_a_reopening_window_of_one_day_reads_in_the_singular(
    language: str, one_day: str, many_days: str
) -> None:
    catalog = builtin_catalog()

    def said(days: int) -> str:
        params = {"days": days, "reopen": "reopen", "reference": "F-ABC123"}
        return catalog.message("cases.thanks_unsatisfied", language, **params)

    assert one_day in said(1)
    assert many_days in said(30)
