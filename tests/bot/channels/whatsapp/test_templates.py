"""The templates file, and the template that stands in for a message outside the 24-hour
window: every mistake in the file located by file and key; a decision notice as the decision
template in the reader's language, its quick replies carrying the decision's reference, else as
their own language's plain notice; the fake refusing button components the Graph API refuses."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from bot.channels.whatsapp import payload_ids
from bot.channels.whatsapp.template_file import TemplateFileError, load_templates
from bot.channels.whatsapp.templates import DECISION, NOTICE, TemplateBook
from bot.conversation.decisions.texts import reaction_menu
from bot.conversation.inbound import Command
from bot.conversation.outgoing import Outgoing, TemplateHint
from bot.loop.templates import NOTICE_PURPOSES, closed_window_notice
from bot.settings.limits import WhatsAppLimits
from tests.fakes.whatsapp_api import validate
from tests.kit.whatsapp import approved_templates

REF = "K7Q2XD4M"
SHIPPED = approved_templates()
LANGUAGES = ("en", "fr", "ar", "sw")
FILE = """\
[fallback]
"*" = ["en"]

[templates.continue]
name = "sauti_continue"
quick_replies = ["resume"]

[templates.continue.languages.en]
body = "A question is waiting. Tap Continue when you are ready."
buttons = ["Continue"]

[templates.notice]
name = "sauti_update"
parameters = ["text"]

[templates.notice.languages.en]
body = "An update: {{1}} Reply here."

[templates.decision]
name = "sauti_decision"
parameters = ["text"]
quick_replies = ["menu:react:helpful", "menu:react:concerns", "menu:react:more"]

[templates.decision.languages.en]
body = "What came of it: {{1}} Tap a button below."
buttons = ["Helpful", "Still concerned", "Tell me more"]
"""


def _decision_notice(language: str, *, menu: bool = True) -> Outgoing:
    """A decision notice as the publisher queues it (docs/decisions.md, "What channels
    receive")."""
    reactions = reaction_menu(REF, language) if menu else ()
    template = TemplateHint(DECISION, NOTICE, language)
    return Outgoing("We will still ask for an ID card.", menu=reactions, template=template)


def _without(book: TemplateBook, purpose: str, code: str) -> TemplateBook:
    """`book` as if Meta had not approved `purpose` in `code`."""
    template = book.templates[purpose]
    languages = {c: t for c, t in template.languages.items() if c != code}
    kept = {**book.templates, purpose: dataclasses.replace(template, languages=languages)}
    return dataclasses.replace(book, templates=kept)


def _content(book: TemplateBook, message: Outgoing, language: str) -> dict[str, Any]:
    """What the WhatsApp client sends outside the window for `message`."""
    resolved = book.choose(NOTICE_PURPOSES, language, message.menu)
    assert resolved is not None
    return book.content(resolved, message.text, message.menu)


def _sendable(content: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": "255700000401", **content}


# -- the file ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "located"),
    [
        (
            '"Still concerned", "Tell me more"]',
            '"Still concerned"]',
            "templates.decision.languages.en.buttons: 2 titles, but quick_replies lists 3",
        ),
        (
            '"Still concerned"',
            '"Still very concerned indeed"',
            "templates.decision.languages.en.buttons[1]: 'Still very concerned indeed' has 27 "
            "characters; a button title has 1 to 20",
        ),
        (
            '"Tell me more"]',
            '"Helpful"]',
            "templates.decision.languages.en.buttons[2]: 'Helpful' twice",
        ),
        (
            'buttons = ["Helpful"',
            'button = ["Helpful"',
            "templates.decision.languages.en.button: unknown key, expected one of body, buttons",
        ),
        (
            '"menu:react:more"]',
            '"menu:react:angry"]',
            "templates.decision.quick_replies[2]: a decision template's buttons are the "
            "reactions to the notice: menu:react:<helpful|concerns|more>",
        ),
        (
            '["menu:react:helpful",',
            '["resume",',
            "templates.decision.quick_replies[0]: a decision template's buttons are the reactions",
        ),
        (
            '"menu:react:more"]',
            '"menu:react:helpful"]',
            "templates.decision.quick_replies[2]: 'menu:react:helpful' is listed twice",
        ),
        (
            '"menu:react:more"]',
            '"menu:dance:more"]',
            "templates.decision.quick_replies[2]: expected menu:<command>:<choice>, the command "
            "one of start,",
        ),
        (
            'quick_replies = ["resume"]',
            'quick_replies = ["go"]',
            "templates.continue.quick_replies[0]: Sauti would not understand 'go' when tapped",
        ),
        (
            'quick_replies = ["menu:react:helpful", "menu:react:concerns", "menu:react:more"]',
            "quick_replies = []",
            "templates.decision.quick_replies: a decision template needs its buttons",
        ),
        (
            'parameters = ["text"]\nquick_replies = ["menu',
            'parameters = []\nquick_replies = ["menu',
            'templates.decision.parameters: a decision template carries the message: list "text"',
        ),
        (
            'body = "What came of it: {{1}} Tap a button below."',
            'body = "What came of it: {{1}} and {{2}}."',
            "templates.decision.languages.en.body: has 2 placeholders, but parameters lists 1",
        ),
        (
            'body = "An update: {{1}} Reply here."',
            'body = "An update: {{1}}."',
            "templates.notice.languages.en.body: starts or ends with a placeholder, which Meta "
            "refuses",
        ),
        (
            'body = "An update: {{1}} Reply here."',
            'body = "{{1}} Reply here."',
            "templates.notice.languages.en.body: starts or ends with a placeholder",
        ),
        (
            'body = "What came of it: {{1}} Tap a button below."',
            f'body = "What came of it: {{{{1}}}} {"Tap a button below. " * 20}"',
            "templates.decision.languages.en.body: with max_parameter_chars filled, the body "
            "reaches 1118 characters; a template body has at most 1024",
        ),
        (
            'name = "sauti_decision"',
            'name = "sauti_update"',
            "templates.decision.name: 'sauti_update' is already templates.notice",
        ),
        (
            'name = "sauti_decision"',
            'name = "sauti_decision"\nmax_parameters_chars = 800',
            "templates.decision.max_parameters_chars: unknown key",
        ),
        (
            'buttons = ["Continue"]\n',
            "",
            "templates.continue.languages.en.buttons: 0 titles, but quick_replies lists 1",
        ),
        (
            'body = "An update: {{1}} Reply here."',
            'body = "An update: {{1}} Reply here."\nbuttons = ["Open"]',
            "templates.notice.languages.en.buttons: 1 titles, but quick_replies lists 0",
        ),
    ],
)
def test_a_mistake_in_the_templates_file_names_the_file_and_the_key(
    tmp_path: Path, old: str, new: str, located: str
) -> None:
    assert old in FILE
    path = tmp_path / "whatsapp_templates.toml"
    path.write_text(FILE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TemplateFileError) as raised:
        load_templates(path, WhatsAppLimits())
    assert str(raised.value).startswith(f"{path}: {located}")


def test_the_title_limit_is_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "whatsapp_templates.toml"
    path.write_text(FILE, encoding="utf-8")
    with pytest.raises(TemplateFileError, match=r"buttons\[1\]: .* a button title has 1 to 12"):
        load_templates(path, WhatsAppLimits(max_button_title_chars=12))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_decision_template_repeats_the_in_window_buttons(language: str) -> None:
    decision = SHIPPED.templates[DECISION]
    titles = [item.label for item in reaction_menu(REF, language)]
    assert list(decision.languages[language].buttons) == titles
    body = decision.languages[language].body
    # Meta rejects a template whose body starts or ends with a placeholder.
    assert not body.startswith("{{")
    assert not body.rstrip(" .").endswith("}}")


# -- choosing and filling ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_decision_notice_is_the_decision_template_with_the_decision_in_its_payloads(
    language: str,
) -> None:
    message = _decision_notice(language)
    content = _content(SHIPPED, message, language)
    template = content["template"]
    assert (template["name"], template["language"]["code"]) == ("sauti_decision", language)
    buttons = [c for c in template["components"] if c["type"] == "button"]
    payloads = [button["parameters"][0]["payload"] for button in buttons]
    assert payloads == [payload_ids.menu_item(item) for item in message.menu]
    assert [payload_ids.action_of(payload) for payload in payloads] == [
        Command("react", f"{kind}:{REF}") for kind in ("helpful", "concerns", "more")
    ]
    assert validate(_sendable(content), SHIPPED) is None


def test_their_own_language_comes_before_the_buttons() -> None:
    no_swahili_decision = _without(SHIPPED, DECISION, "sw")
    swahili = no_swahili_decision.choose(NOTICE_PURPOSES, "sw")
    assert swahili is not None
    assert (swahili.template.purpose, swahili.code, swahili.fallback) == (NOTICE, "sw", False)
    portuguese = SHIPPED.choose(NOTICE_PURPOSES, "pt")  # nothing of its own: the fallback's
    assert portuguese is not None
    assert (portuguese.template.purpose, portuguese.code, portuguese.fallback) == (
        DECISION,
        "en",
        True,
    )


def test_a_notice_without_the_reaction_buttons_cannot_go_as_the_decision_template() -> None:
    message = _decision_notice("fr", menu=False)
    content = _content(SHIPPED, message, "fr")
    assert content["template"]["name"] == "sauti_update"
    assert [c["type"] for c in content["template"]["components"]] == ["body"]


# -- the fake is as strict as the Graph API ------------------------------------------------------


def _break_index(content: dict[str, Any]) -> None:
    content["template"]["components"][1]["index"] = 0


def _index_beyond(content: dict[str, Any]) -> None:
    content["template"]["components"][1]["index"] = "3"


def _index_twice(content: dict[str, Any]) -> None:
    content["template"]["components"][2]["index"] = "0"


def _no_payload(content: dict[str, Any]) -> None:
    content["template"]["components"][1]["parameters"] = []


def _text_payload(content: dict[str, Any]) -> None:
    content["template"]["components"][1]["parameters"] = [{"type": "text", "text": "x"}]


def _url_button(content: dict[str, Any]) -> None:
    content["template"]["components"][1]["sub_type"] = "url"


def _footer(content: dict[str, Any]) -> None:
    content["template"]["components"].append({"type": "footer", "parameters": []})


@pytest.mark.parametrize(
    ("breakage", "code"),
    [
        (_break_index, 100),
        (_index_beyond, 131009),
        (_index_twice, 131009),
        (_no_payload, 131008),
        (_text_payload, 131008),
        (_url_button, 131009),
        (_footer, 100),
    ],
)
def test_the_fake_refuses_button_components_the_graph_api_refuses(breakage: Any, code: int) -> None:
    content = copy.deepcopy(_content(SHIPPED, _decision_notice("en"), "en"))
    breakage(content)
    problem = validate(_sendable(content), SHIPPED)
    assert problem is not None
    assert problem[0] == code


def test_the_fake_refuses_buttons_on_a_template_approved_without_any() -> None:
    content = _content(SHIPPED, _decision_notice("en"), "en")
    buttons = [c for c in content["template"]["components"] if c["type"] == "button"]
    notice = _content(SHIPPED, _decision_notice("en", menu=False), "en")
    notice["template"]["components"].extend(buttons[:1])
    assert validate(_sendable(notice), SHIPPED) == (
        131009,
        "button index 0: no such button, or given twice",
    )


def test_the_preview_of_a_closed_window_fills_the_template_as_it_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "templates.toml"
    path.write_text(
        FILE.replace(
            'parameters = ["text"]\nquick',
            'parameters = ["text", "text"]\nmax_parameter_chars = 400\nquick',
        ).replace(
            "What came of it: {{1}} Tap a button below.",
            "What came of it: {{1}} Again: {{2}} Tap a button.",
        ),
        encoding="utf-8",
    )
    book = load_templates(path, WhatsAppLimits())
    text = "Write {{2}} on the form."
    menu = reaction_menu(REF, "en")

    shown = closed_window_notice(book, "en", text, menu, shared=False)

    assert shown is not None
    sent = _content(book, Outgoing(text, menu=menu), "en")["template"]["components"][0]
    values = [parameter["text"] for parameter in sent["parameters"]]
    assert values == [text, text]
    assert shown.text == f"What came of it: {text} Again: {text} Tap a button."
