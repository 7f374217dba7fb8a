"""Rendering within WhatsApp's limits: what a participant sees for each kind of question."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.whatsapp import payload_ids
from bot.channels.whatsapp.render import render
from bot.channels.whatsapp.shorten import shorten
from bot.conversation.outgoing import MenuItem, Outgoing
from bot.settings.limits import WhatsAppLimits
from dialogues import parse, start
from dialogues.events import Choice, ControlLabels, Prompt
from dialogues.localization import builtin_catalog
from dialogues.model import QuestionKind
from dialogues.prompts import build_prompt
from tests.fakes.whatsapp_api import validate
from tests.kit.example import example_survey

LIMITS = WhatsAppLimits()
LABELS = ControlLabels(skip="Skip", back="Back", decline="Prefer not to answer", done="Done")


def _prompt(kind: QuestionKind, labels: list[str], **changes: Any) -> Outgoing:
    choices = tuple(Choice(f"o{n}", label, n) for n, label in enumerate(labels, 1))
    prompt = Prompt(
        question_id="q1",
        kind=kind,
        text="Which one?",
        hint="Tap a button or reply with the number of your answer.",
        language="en",
        direction="ltr",
        choices=choices,
        allow_skip=False,
        allow_decline=False,
        allow_back=False,
        labels=LABELS,
        position=3,
        total=12,
    )
    return Outgoing(prompt.text, prompt=dataclasses.replace(prompt, **changes))


def _checked(message: Outgoing, language: str = "en") -> dict[str, Any]:
    content = render(message, LIMITS, language)
    request = {"messaging_product": "whatsapp", "to": "254700000001", **content}
    assert validate(request, None) is None, content
    return content


def _titles(content: dict[str, Any]) -> list[str]:
    interactive = content["interactive"]
    if interactive["type"] == "button":
        return [b["reply"]["title"] for b in interactive["action"]["buttons"]]
    return [r["title"] for s in interactive["action"]["sections"] for r in s["rows"]]


def test_a_sensitive_yes_no_question_is_three_buttons_with_prefer_not_to_answer() -> None:
    message = _prompt(QuestionKind.YES_NO, ["Yes", "No"], allow_decline=True)
    content = _checked(message)
    assert content["interactive"]["type"] == "button"
    assert _titles(content) == ["Yes", "No", "Prefer not to answer"]
    ids = [b["reply"]["id"] for b in content["interactive"]["action"]["buttons"]]
    assert ids[2] == payload_ids.decline("q1")
    assert content["interactive"]["footer"]["text"] == "Question 3 of 12"


def test_four_to_ten_choices_are_a_list_with_numbers_to_type() -> None:
    labels = ["Always refuse", "Only if a judge asks", "Give it, but tell me", "Always give it"]
    content = _checked(_prompt(QuestionKind.SINGLE_CHOICE, labels, allow_skip=True))
    assert content["interactive"]["type"] == "list"
    assert _titles(content) == [
        "1. Always refuse",
        "2. Only if a judge asks",
        "3. Give it, but tell me",
        "4. Always give it",
        "Skip",
    ]
    assert content["interactive"]["action"]["button"] == "Choose"


def test_three_choices_and_skip_do_not_fit_buttons_so_they_become_a_list() -> None:
    content = _checked(
        _prompt(QuestionKind.SINGLE_CHOICE, ["City", "Town", "Camp"], allow_skip=True)
    )
    assert content["interactive"]["type"] == "list"


def test_long_labels_are_cut_at_a_word_and_shown_whole_elsewhere() -> None:
    long = "Only when a judge orders it in writing"
    content = _checked(_prompt(QuestionKind.SINGLE_CHOICE, ["No", long]))
    button = _titles(content)[1]
    assert button == "Only when a judge…"
    assert long in content["interactive"]["body"]["text"]  # the full text stays readable
    rows = _checked(_prompt(QuestionKind.SINGLE_CHOICE, ["A", "B", "C", long]))
    row = rows["interactive"]["action"]["sections"][0]["rows"][3]
    assert row["title"] == "4. Only when a judge…"
    assert row["description"] == long


def test_shortening_never_cuts_inside_a_word() -> None:
    assert shorten("Reach my family and my friends", 20) == "Reach my family and…"
    assert shorten("Kuwapa na kuniarifu", 20) == "Kuwapa na kuniarifu"
    assert shorten("Supercalifragilisticexpialidocious", 20) == "Supercalifragilisti…"


def test_buttons_whose_titles_collide_when_cut_become_a_list() -> None:
    labels = ["Mobile money at the agent", "Mobile money at the bank"]
    content = _checked(_prompt(QuestionKind.SINGLE_CHOICE, labels))
    assert content["interactive"]["type"] == "list"


def test_multiple_choice_is_a_numbered_text_answered_with_numbers() -> None:
    labels = ["Calls", "Text messages", "Mobile money", "Internet", "Something else"]
    message = _prompt(QuestionKind.MULTIPLE_CHOICE, labels, max_selections=3)
    content = _checked(message)
    assert content["type"] == "text"
    body = content["text"]["body"]
    assert "1. Calls\n2. Text messages" in body
    assert "reply with their numbers, like 1, 3" in body
    assert "Done" not in body  # there is nothing to tick on WhatsApp


def test_an_optional_multiple_choice_offers_skip_as_a_button() -> None:
    message = _prompt(QuestionKind.MULTIPLE_CHOICE, ["A", "B", "C", "D"], allow_skip=True)
    content = _checked(message)
    assert content["interactive"]["type"] == "button"
    assert _titles(content) == ["Skip"]
    assert "1. A\n2. B" in content["interactive"]["body"]["text"]


def test_more_than_ten_choices_are_a_numbered_text() -> None:
    labels = [f"Place {n}" for n in range(1, 13)]
    content = _checked(_prompt(QuestionKind.SINGLE_CHOICE, labels, allow_decline=True))
    assert content["interactive"]["type"] == "button"  # the decline button still fits
    assert "12. Place 12" in content["interactive"]["body"]["text"]
    assert _titles(content) == ["Prefer not to answer"]


def test_ten_choices_plus_skip_keep_the_list_and_say_how_to_skip_by_typing() -> None:
    labels = [f"Place {n}" for n in range(1, 11)]
    message = _prompt(QuestionKind.SINGLE_CHOICE, labels, allow_decline=True)
    content = _checked(message)
    assert content["interactive"]["type"] == "list"
    assert len(_titles(content)) == 10
    assert '"Prefer not to answer"' in content["interactive"]["body"]["text"]


def test_a_wide_scale_is_typed_and_does_not_list_its_numbers() -> None:
    message = _prompt(QuestionKind.SCALE, [str(n) for n in range(11)])
    content = _checked(message)
    assert content["type"] == "text"
    assert "0. 0" not in content["text"]["body"]
    narrow = _checked(_prompt(QuestionKind.SCALE, [str(n) for n in range(1, 6)]))
    assert _titles(narrow) == ["1", "2", "3", "4", "5"]


def test_an_optional_text_question_has_a_skip_button() -> None:
    content = _checked(_prompt(QuestionKind.TEXT, [], allow_skip=True))
    assert _titles(content) == ["Skip"]
    assert content["interactive"]["action"]["buttons"][0]["reply"]["id"] == payload_ids.skip("q1")


def test_menus_render_like_choices_and_come_back_as_commands() -> None:
    menu = (MenuItem("English", "language", "en"), MenuItem("Kiswahili", "language", "sw"))
    content = _checked(Outgoing("Choose your language", menu=menu))
    buttons = content["interactive"]["action"]["buttons"]
    assert [b["reply"]["title"] for b in buttons] == ["English", "Kiswahili"]
    assert payload_ids.action_of(buttons[1]["reply"]["id"]) is not None
    many = tuple(MenuItem(f"Item {n}", "help") for n in range(1, 13))
    numbered = _checked(Outgoing("Menu", menu=many))
    assert numbered["type"] == "text"
    assert "1. Item 1\n" in numbered["text"]["body"]


def test_plain_notices_are_text_and_very_long_ones_are_cut_at_a_word() -> None:
    content = _checked(Outgoing("word " * 1000))
    assert len(content["text"]["body"]) <= 4096
    assert content["text"]["body"].endswith("word…")


@pytest.mark.parametrize("language", ["en", "fr", "ar", "sw"])
def test_every_question_of_the_example_survey_renders_within_the_limits(language: str) -> None:
    survey = parse(example_survey())
    session = start(survey, language, dt.datetime(2026, 5, 1, tzinfo=dt.UTC)).session
    for question in survey.questions:
        prompt = build_prompt(survey, question, session, builtin_catalog())
        content = _checked(Outgoing(prompt.text, prompt=prompt), language)
        if question.kind in (QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE):
            assert content["type"] == "interactive", question.id


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(list(QuestionKind)),
    labels=st.lists(st.text(min_size=1, max_size=60).filter(str.strip), max_size=14),
    skip=st.booleans(),
    decline=st.booleans(),
    text=st.text(min_size=1, max_size=1500).filter(str.strip),
)
def test_whatever_the_question_the_message_is_one_whatsapp_accepts(
    kind: QuestionKind, labels: list[str], skip: bool, decline: bool, text: str
) -> None:
    message = _prompt(kind, labels, allow_skip=skip, allow_decline=decline, text=text)
    _checked(dataclasses.replace(message, text=text))
