"""Web chat inbox items: sealed, small, carrying their menu; items of older formats still read."""

from __future__ import annotations

import json
import os

from bot.conversation.decisions.texts import reaction_menu
from bot.conversation.inbox import Notice, open_notice, seal_notice
from bot.conversation.outgoing import MenuItem
from bot.privacy import ParticipantId, decrypt_field, encrypt_field, field_aad

PID = "a" * 32
KEY = os.urandom(32)
AAD = field_aad(ParticipantId(PID), "webchat")


def _stored(notice: Notice) -> object:
    return json.loads(decrypt_field(KEY, seal_notice(notice, PID, KEY), AAD))


def _written(plain: object) -> bytes:
    return encrypt_field(KEY, json.dumps(plain), AAD)


def test_a_menu_is_stored_compactly_and_read_back() -> None:
    menu = (MenuItem("Yes, delete all", "delete", "confirm"), MenuItem("Help", "help"))
    notice = Notice("Delete everything?", "uses", menu)
    assert _stored(notice) == {
        "n": "Delete everything?",
        "q": "uses",
        "m": [["Yes, delete all", "delete", "confirm"], ["Help", "help"]],
    }
    assert open_notice(seal_notice(notice, PID, KEY), PID, KEY) == notice


def test_a_decision_notice_with_its_reactions_stays_small() -> None:
    """An inbox is kept per participant: the three buttons, labelled in Arabic (two bytes a
    letter), add about as much as a short sentence."""
    menu = reaction_menu("bcgct7o2", "ar")
    with_menu = seal_notice(Notice("You told us …", menu=menu), PID, KEY)
    without = seal_notice(Notice("You told us …"), PID, KEY)
    assert len(with_menu) - len(without) < 160


def test_items_written_before_menus_still_read() -> None:
    assert open_notice(_written({"n": "Sorry?", "q": "uses"}), PID, KEY) == Notice("Sorry?", "uses")
    # A loop notice in the shape both the older page and this one could read.
    legacy = {"text": "We decided…", "from": "sauti", "n": "We decided…"}
    assert open_notice(_written(legacy), PID, KEY) == Notice("We decided…")
    # The oldest format kept every message; the page rebuilds those now.
    assert open_notice(_written({"text": "What do you use…", "from": "sauti"}), PID, KEY) is None


def test_a_damaged_menu_item_is_left_out_rather_than_shown_wrong() -> None:
    plain = {"n": "Choose", "m": [["Helpful", "react", "helpful:x"], ["no command"], [1, 2], "x"]}
    opened = open_notice(_written(plain), PID, KEY)
    assert opened == Notice("Choose", menu=(MenuItem("Helpful", "react", "helpful:x"),))
