"""Outbox bodies stay readable across versions: entries queued before messages were typed
(the JSON then built by hand) are read back as the same typed messages, and a typed message is
written exactly as they were."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.conversation.outgoing import DecisionNotice, MenuItem, Outgoing, Sender, TemplateHint
from bot.privacy import ParticipantCrypto
from bot.runtime.message_codec import message_from_plain, message_to_plain
from bot.runtime.outbox import OutboxEntry, seal, unseal
from bot.secret import Secret
from dialogues.events import Choice, ControlLabels, Prompt
from dialogues.model import QuestionKind

CRYPTO = ParticipantCrypto(Secret(bytes(32)), Secret(bytes(range(32))))

# Bodies as the previous version stored them, byte for byte.
QUESTION = (
    '{"text":"Which services do you use?","from":"sauti","prompt":{"question_id":"uses",'
    '"kind":"multiple_choice","text":"Which services do you use?","hint":"Tap, then Done.",'
    '"language":"sw","direction":"ltr","choices":[{"id":"calls","label":"Simu","number":1},'
    '{"id":"money","label":"Pesa","number":2}],"allow_skip":true,"allow_decline":false,'
    '"allow_back":true,"labels":{"skip":"Ruka","back":"Rudi","decline":"Sipendi","done":"Tayari"},'
    '"position":2,"total":9,"min_selections":1,"max_selections":2,"min_value":null,'
    '"max_value":null,"max_length":null,"selected":["money"],"previous_answer":null}}'
)
MENU_TO_SOMEONE_WITHOUT_A_RECORD = (
    '{"text":"Karibu","from":"sauti","menu":[{"label":"English","cmd":"language","arg":"en"},'
    '{"label":"Kiswahili","cmd":"language","arg":"sw"}],"to":"254700000001"}'
)
ECHO = '{"text":"Pesa","from":"me","q":"uses"}'
TICKS = QUESTION[:-1] + ',"edit":true}'  # the same question, re-rendered after a tick
DECISION = (
    '{"text":"We will still ask for an ID card.","from":"sauti","menu":[{"label":"Helpful",'
    '"cmd":"react","arg":"helpful:abcd1234"}],"kind":"decision","decision":{"ref":"abcd1234",'
    '"version":2,"status":"not_adopted"},"template":{"purpose":"decision","fallback":"notice",'
    '"language":"sw"},"wa_template":true}'
)

PROMPT = Prompt(
    question_id="uses",
    kind=QuestionKind.MULTIPLE_CHOICE,
    text="Which services do you use?",
    hint="Tap, then Done.",
    language="sw",
    direction="ltr",
    choices=(Choice("calls", "Simu", 1), Choice("money", "Pesa", 2)),
    allow_skip=True,
    allow_decline=False,
    allow_back=True,
    labels=ControlLabels(skip="Ruka", back="Rudi", decline="Sipendi", done="Tayari"),
    position=2,
    total=9,
    max_selections=2,
    selected=("money",),
)


def _old_entry(body: str, key: str = "e1:0") -> dict[bytes, bytes]:
    """A raw outbox entry's fields as the previous version's sender read them."""
    return {
        b"k": key.encode(),
        b"pid": b"p1",
        b"ch": b"telegram",
        b"t": b"1800000000000",
        b"body": CRYPTO.seal_in_transit(body, key.encode()),
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (QUESTION, Outgoing(PROMPT.text, prompt=PROMPT)),
        (
            MENU_TO_SOMEONE_WITHOUT_A_RECORD,
            Outgoing(
                "Karibu",
                menu=(
                    MenuItem("English", "language", "en"),
                    MenuItem("Kiswahili", "language", "sw"),
                ),
                address="254700000001",
            ),
        ),
        (ECHO, Outgoing("Pesa", Sender.PARTICIPANT, question_id="uses")),
        (TICKS, Outgoing(PROMPT.text, prompt=PROMPT, edit=True)),
        (
            DECISION,
            Outgoing(
                "We will still ask for an ID card.",
                menu=(MenuItem("Helpful", "react", "helpful:abcd1234"),),
                decision=DecisionNotice("abcd1234", 2, "not_adopted"),
                template=TemplateHint("decision", "notice", "sw"),
                template_only=True,
            ),
        ),
    ],
    ids=["question", "menu-with-address", "echo", "ticks", "decision-as-template"],
)
def test_an_entry_queued_by_the_previous_version_is_read_as_the_same_typed_message(
    body: str, expected: Outgoing
) -> None:
    entry = unseal(_old_entry(body), CRYPTO)
    assert entry == OutboxEntry("e1:0", "p1", "telegram", expected, 1_800_000_000_000)
    # And written back exactly as it was stored: a resent entry keeps its format.
    assert json.dumps(message_to_plain(entry.message), separators=(",", ":")) == body


def test_a_typed_message_survives_the_outbox() -> None:
    message = Outgoing(PROMPT.text, prompt=PROMPT, address="12345")
    entry = OutboxEntry("e2:1", "p2", "whatsapp", message, 7)
    fields = {
        name.encode(): value if isinstance(value, bytes) else value.encode()
        for name, value in seal(entry, CRYPTO).items()
    }
    assert unseal(fields, CRYPTO) == entry


def test_a_body_missing_what_it_need_not_say_takes_the_defaults() -> None:
    assert message_from_plain({}) == Outgoing("")
    assert message_from_plain({"text": "hi", "from": "someone new"}) == Outgoing("hi")


def test_a_prompt_is_written_with_every_field_it_has() -> None:
    """The prompt is written field by field, for speed: a field added to Prompt must be added
    there too, or a question would lose it on its way through the outbox."""
    written = json.loads(json.dumps(message_to_plain(Outgoing(PROMPT.text, prompt=PROMPT))))
    assert written["prompt"] == json.loads(json.dumps(dataclasses.asdict(PROMPT)))
