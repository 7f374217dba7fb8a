"""Decision files: every mistake reported with its line and path, checked against the survey."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.decisions.decision import (
    DecisionDefinitionError,
    DecisionStatus,
    parse_decision,
)
from bot.conversation.decisions.rules import AllOf, AnswerIn, AnyOf, Not, NumberBetween, Tagged
from dialogues import parse
from tests.bot.loop import SIM_DECISION

SURVEY = parse(
    (Path(__file__).resolve().parents[3] / "dialogues/examples/safe_connect.yaml").read_text()
)

BROKEN = """\
spec_version: 1
id: fees
campaign: safe-connect-2026
title: {en: "Fees", de: "Gebühren"}
status: not_adoptd
message:
  en: "We lowered the fee."
linked_to:
  rule:
    any:
      - {question: sim_ids, is: "yes"}
      - {question: uses, is: money}
      - {question: share, is: [refuse, nobody]}
      - {question: trust, at_least: 8, at_most: 2}
      - {question: area, theme: fees}
      - {theme: "Fees!"}
  responses: [not-a-participant, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/nope"]
colour: blue
"""


def test_every_mistake_is_located() -> None:
    with pytest.raises(DecisionDefinitionError) as caught:
        parse_decision(BROKEN, SURVEY)
    found = [(p.line, p.path, p.message) for p in caught.value.problems]
    expected = [
        (4, "title.de", "'de' is not a language of the campaign (en, fr, ar, sw)"),
        (5, "status", "must be one of adopted, partly_adopted, not_adopted, under_review;"
         " did you mean 'not_adopted'?"),
        (11, "linked_to.rule.any[0].question", "no question 'sim_ids'; did you mean 'sim_id'?"),
        (12, "linked_to.rule.any[1].is", "'uses' takes several answers: use 'includes'"),
        (13, "linked_to.rule.any[2].is[1]", "'share' has no option 'nobody'"),
        (14, "linked_to.rule.any[3].at_most", "is below at_least (8): nobody could match"),
        (15, "linked_to.rule.any[4].theme", "'area' is not a text question"),
        (16, "linked_to.rule.any[5].theme", "'Fees!' is not a valid theme"),
        (17, "linked_to.responses[0]", "'not-a-participant' is not a response id"),
        (17, "linked_to.responses[1]", "the campaign has no question 'nope'"),
        (18, "colour", "unknown key 'colour' in a decision"),
    ]  # fmt: skip
    assert [(line, path) for line, path, _ in found] == [(at, where) for at, where, _ in expected]
    for (_, path, message), (_, _, part) in zip(found, expected, strict=True):
        assert part in message, path


def test_a_decision_not_adopted_must_say_why() -> None:
    without = SIM_DECISION.split("rationale:")[0] + "message:" + SIM_DECISION.split("message:")[1]
    with pytest.raises(DecisionDefinitionError) as caught:
        parse_decision(without, SURVEY)
    assert [p.message for p in caught.value.problems] == [
        "a 'not_adopted' decision needs a 'rationale': people are owed why"
    ]


def test_an_unknown_campaign_is_named() -> None:
    with pytest.raises(DecisionDefinitionError) as caught:
        parse_decision(SIM_DECISION, None)
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (3, "campaign")
    assert problem.message == "there is no campaign 'safe-connect-2026' (load it first)"


def test_rules_combine_and_read_back() -> None:
    source = SIM_DECISION.split("linked_to:")[0] + (
        "linked_to:\n"
        "  rule:\n"
        "    all:\n"
        "      - {question: uses, includes: [money]}\n"
        "      - {question: money_safe, at_most: 2}\n"
        "      - not: {question: area, is: camp}\n"
        "      - any:\n"
        "          - {theme: fees}\n"
        "          - {question: share, is: refuse}\n"
    )
    decision = parse_decision(source, SURVEY)
    assert decision.status is DecisionStatus.NOT_ADOPTED
    assert decision.rule == AllOf(
        (
            AnswerIn("uses", frozenset({"money"})),
            NumberBetween("money_safe", None, 2),
            Not(AnswerIn("area", frozenset({"camp"}))),
            AnyOf((Tagged("fees"), AnswerIn("share", frozenset({"refuse"})))),
        )
    )
    assert decision.missing_messages(SURVEY.languages) == ()
    partial = source.replace('  sw: "Bado tutaomba', '  # sw: "Bado tutaomba')
    assert parse_decision(partial, SURVEY).missing_messages(SURVEY.languages) == ("sw",)
