"""XLSForm workbooks as survey authors in the field write them, built the way KoboToolbox's and
ODK's documentation shows (the XLSForm reference at xlsform.org, Kobo's "Adding translations"
and "Cascading select" pages, ODK's form examples): `label::Language (code)` columns, groups,
`relevant`, `constraint` with `constraint_message`, a `note`, a `range`, metadata rows.

Each form is rows of cells; `workbook_bytes` writes them with openpyxl, as Excel or LibreOffice
would save them, so the tests read them through pyxform exactly as an upload is read."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

Rows = Sequence[Mapping[str, str | int | float]]

EN, FR, SW = "English (en)", "Français (fr)", "Kiswahili (sw)"


def workbook_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """An xlsx with one sheet per entry, its header row made of every key its rows use."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        headers = list(dict.fromkeys(key for row in rows for key in row))
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header) for header in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _texts(base: str, en: str, fr: str, sw: str) -> dict[str, str]:
    return {f"{base}::{EN}": en, f"{base}::{FR}": fr, f"{base}::{SW}": sw}


def _choice(list_name: str, name: str | int, en: str, fr: str, sw: str) -> dict[str, str | int]:
    return {"list_name": list_name, "name": name, **_texts("label", en, fr, sw)}


# A water-point survey in three languages, as KoboToolbox's translation guide lays one out.
WATER_SURVEY: list[dict[str, str | int | float]] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "deviceid", "name": "deviceid"},
    {
        "type": "note",
        "name": "welcome",
        **_texts(
            "label",
            "Thank you for helping us improve the water points.",
            "Merci de nous aider à améliorer les points d'eau.",
            "Asante kwa kutusaidia kuboresha vituo vya maji.",
        ),
    },
    {
        "type": "select_one yes_no",
        "name": "uses_point",
        "required": "yes",
        **_texts(
            "label",
            "Does your household use the new water point?",
            "Votre foyer utilise-t-il le nouveau point d'eau ?",
            "Je, kaya yako inatumia kituo kipya cha maji?",
        ),
    },
    {"type": "begin_group", "name": "use", "relevant": "${uses_point} = 'yes'"},
    {
        "type": "integer",
        "name": "trips",
        "required": "yes",
        "constraint": ". >= 0 and . <= 20",
        **_texts(
            "label",
            "How many trips to the water point did your household make yesterday?",
            "Combien d'allers-retours au point d'eau votre foyer a-t-il faits hier ?",
            "Kaya yako ilienda kituo cha maji mara ngapi jana?",
        ),
        **_texts("hint", "Reply 0 if none.", "Répondez 0 si aucun.", "Jibu 0 kama hakuna."),
        **_texts(
            "constraint_message",
            "Between 0 and 20.",
            "Entre 0 et 20.",
            "Kati ya 0 na 20.",
        ),
    },
    {
        "type": "select_multiple problems",
        "name": "problems",
        "constraint": "count-selected(.) <= 2",
        **_texts(
            "label",
            "What problems have you had? Choose up to 2.",
            "Quels problèmes avez-vous eus ? Jusqu'à 2.",
            "Umepata matatizo gani? Chagua hadi 2.",
        ),
    },
    {
        "type": "range",
        "name": "satisfaction",
        "parameters": "start=1 end=5 step=1 tick_labelset=satisfaction_ends",
        "required": "yes",
        **_texts(
            "label",
            "How satisfied are you with the water point?",
            "Êtes-vous satisfait du point d'eau ?",
            "Umeridhika kiasi gani na kituo cha maji?",
        ),
    },
    {"type": "end_group", "name": "use"},
    {
        "type": "text",
        "name": "why_not",
        "relevant": "${uses_point} = 'no'",
        "constraint": "string-length(.) <= 300",
        **_texts(
            "label",
            "Why does your household not use it?",
            "Pourquoi votre foyer ne l'utilise-t-il pas ?",
            "Kwa nini kaya yako haikitumii?",
        ),
    },
    {
        "type": "select_one fee",
        "name": "fee",
        "required": "yes",
        "relevant": "not(selected(${problems}, 'cost')) or ${uses_point} = 'no'",
        **_texts(
            "label",
            "What should a jerrycan cost?",
            "Combien devrait coûter un bidon ?",
            "Dumu moja linapaswa kugharimu kiasi gani?",
        ),
    },
]
WATER_CHOICES: list[dict[str, str | int]] = [
    _choice("yes_no", "yes", "Yes", "Oui", "Ndiyo"),
    _choice("yes_no", "no", "No", "Non", "Hapana"),
    _choice("problems", "queue", "Long queues", "Longues files", "Foleni ndefu"),
    _choice("problems", "broken", "Often broken", "Souvent en panne", "Huharibika mara nyingi"),
    _choice("problems", "cost", "Too costly", "Trop cher", "Ghali mno"),
    _choice("problems", "dirty", "Dirty water", "Eau sale", "Maji machafu"),
    _choice("satisfaction_ends", 1, "Not at all", "Pas du tout", "Hata kidogo"),
    _choice("satisfaction_ends", 5, "Very", "Très", "Sana"),
    _choice("fee", "free", "Nothing", "Rien", "Bure"),
    _choice("fee", "low", "Less than now", "Moins qu'aujourd'hui", "Chini ya sasa"),
    _choice("fee", "same", "As now", "Comme aujourd'hui", "Kama sasa"),
]
WATER_SETTINGS = [
    {
        "form_title": "Water point survey",
        "form_id": "water_points",
        "version": "2026120701",
        "default_language": EN,
        **_texts("organisation", "Maji Safi Ltd", "Maji Safi SARL", "Maji Safi Ltd"),
        **_texts(
            "promise",
            "We will tell you here by June what we changed.",
            "Nous vous dirons ici d'ici juin ce que nous avons changé.",
            "Tutakueleza hapa kufikia Juni tulichobadilisha.",
        ),
    }
]
WATER_FORM: dict[str, Rows] = {
    "survey": WATER_SURVEY,
    "choices": WATER_CHOICES,
    "settings": WATER_SETTINGS,
}


# A one-language form as ODK's examples write one: plain `label`, a date, a decimal.
MARKET_FORM: dict[str, Rows] = {
    "survey": [
        {"type": "today", "name": "today"},
        {"type": "date", "name": "visit", "label": "When did you last go to the market?"},
        {
            "type": "decimal",
            "name": "spent",
            "label": "How much did you spend (in thousands)?",
            "constraint": ". >= 0",
            "required": "true",
        },
        {
            "type": "select_one stall",
            "name": "stall",
            "label": "Where did you buy most?",
            "hint": "Choose one.",
        },
        {"type": "text", "name": "wish", "label": "What would you change?"},
    ],
    "choices": [
        {"list_name": "stall", "name": "1", "label": "Covered market"},
        {"list_name": "stall", "name": "2", "label": "Street stalls"},
        {"list_name": "stall", "name": "3", "label": "A shop"},
    ],
    "settings": [
        {
            "form_title": "Market survey",
            "form_id": "market",
            "organisation": "Town council",
            "promise": "We will report back here in May.",
        }
    ],
}


# Kobo's "cascading select" example: the counties offered are those of the state chosen.
CASCADE_FORM: dict[str, Rows] = {
    "survey": [
        {"type": "select_one state", "name": "state", "label::English (en)": "Your state?",
         "label::Kiswahili (sw)": "Jimbo lako?", "required": "yes"},
        {"type": "select_one county", "name": "county", "choice_filter": "state=${state}",
         "label::English (en)": "Your county?", "label::Kiswahili (sw)": "Kaunti yako?",
         "required": "yes"},
        {"type": "integer", "name": "wells", "relevant": "${county} = 'kisumu'",
         "label::English (en)": "How many wells work?",
         "label::Kiswahili (sw)": "Visima vingapi vinafanya kazi?"},
        {"type": "note", "name": "done", "label::English (en)": "Thank you.",
         "label::Kiswahili (sw)": "Asante."},
    ],
    "choices": [
        {"list_name": "state", "name": "west", "label::English (en)": "West",
         "label::Kiswahili (sw)": "Magharibi"},
        {"list_name": "state", "name": "coast", "label::English (en)": "Coast",
         "label::Kiswahili (sw)": "Pwani"},
        {"list_name": "county", "name": "kisumu", "state": "west",
         "label::English (en)": "Kisumu", "label::Kiswahili (sw)": "Kisumu"},
        {"list_name": "county", "name": "siaya", "state": "west",
         "label::English (en)": "Siaya", "label::Kiswahili (sw)": "Siaya"},
        {"list_name": "county", "name": "mombasa", "state": "coast",
         "label::English (en)": "Mombasa", "label::Kiswahili (sw)": "Mombasa"},
        {"list_name": "county", "name": "kilifi", "state": "coast",
         "label::English (en)": "Kilifi", "label::Kiswahili (sw)": "Kilifi"},
    ],
    "settings": [
        {"form_title": "Wells", "form_id": "wells", "organisation::English (en)": "Maji",
         "organisation::Kiswahili (sw)": "Maji", "promise::English (en)": "We will report.",
         "promise::Kiswahili (sw)": "Tutaripoti."}
    ],
}  # fmt: skip


# Everything Sauti cannot ask in chat, on one form: each problem must come back, located.
BROKEN_FORM: dict[str, Rows] = {
    "survey": [
        {"type": "geopoint", "name": "where", "label::English (en)": "Where are you?"},
        {"type": "begin_repeat", "name": "members", "label::English (en)": "Members"},
        {"type": "text", "name": "member", "label::English (en)": "Name?"},
        {"type": "end_repeat", "name": "members"},
        {"type": "calculate", "name": "double", "calculation": "${age} * 2"},
        {
            "type": "integer",
            "name": "age",
            "label::English (en)": "Age?",
            "image::English (en)": "age.png",
            "relevant": "${later} > 2",
        },
        {
            "type": "select_one nolist",
            "name": "colour",
            "label::English (en)": "Colour?",
        },
        {
            "type": "integer",
            "name": "later",
            "label::English (en)": "Children?",
            "constraint": ". < ${age} div 2",
        },
        {"type": "text", "name": "missing_fr", "label::English (en)": "Where?"},
        {"type": "note", "name": "piped", "label::English (en)": "You are ${age}."},
        {"type": "select_one yn", "name": "ok", "label::Français": "D'accord ?"},
    ],
    "choices": [
        {"list_name": "yn", "name": "yes", "label::English (en)": "Yes"},
        {"list_name": "yn", "name": "no", "label::English (en)": "No"},
    ],
    "settings": [{"form_title": "Broken", "form_id": "broken"}],
}
