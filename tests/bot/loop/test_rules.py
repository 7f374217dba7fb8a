"""Linking rules give the same answer in Python (feeder, my data) and in the planner's Lua."""

from __future__ import annotations

import json
import random
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.decision import Decision, DecisionStatus, ResponseRef
from bot.conversation.decisions.rules import (
    AllOf,
    Answered,
    AnswerIn,
    AnyOf,
    Facts,
    Not,
    NumberBetween,
    Rule,
    Tagged,
    evaluate,
    facts_from_stored,
)
from bot.conversation.stored_answers import encode_answer
from bot.loop.ledger import StoredDecision
from bot.loop.planner import PlanLimits, Planner
from bot.storage.keys import KeySchema
from tests.bot.loop import NOON_MS, make_deployment, with_campaign
from tests.kit.example import CAMPAIGN

RULES: list[Rule] = [
    AnswerIn("sim_id", frozenset({"yes"})),
    AnswerIn("share", frozenset({"refuse", "judge"})),
    AnswerIn("uses", frozenset({"money", "internet"})),
    AnswerIn("uses", frozenset({"calls", "money"}), every=True),
    NumberBetween("money_safe", None, 2),
    NumberBetween("money_safe", 3, 3),
    NumberBetween("outages", 1.5, 10),
    Answered("change"),
    Answered("sim_id", answered=False),
    Tagged("fees"),
    Tagged("agents", "change"),
    Not(AnswerIn("sim_id", frozenset({"yes"}))),
    AllOf((AnswerIn("uses", frozenset({"money"})), NumberBetween("money_safe", None, 2))),
    AnyOf((Tagged("fees"), AnswerIn("share", frozenset({"give"})))),
    AllOf((Not(Answered("change")), AnyOf((AnswerIn("sim_id", frozenset({"no"})), Tagged("x"))))),
]


def _record(channel: str, language: str) -> Any:
    """A participant as the planner reads it: a data key, a channel, consent to hear back."""
    return {"wk": b"k", "ch": channel, "lang": language, f"u:{CAMPAIGN}": "1"}


def _mapping(values: dict[str, str] | dict[str, bytes]) -> Any:
    return values


def _answer(rng: random.Random, question: str, value: Any) -> dict[str, bytes]:
    """One answer's fields, written as the commit writes them now or as it wrote them before
    (both are in Redis after an upgrade)."""
    outcome = rng.choice(["answered"] * 5 + ["skipped", "declined"])
    if rng.random() < 0.5:
        if outcome != "answered":
            return encode_answer(question, outcome, 1_795_000_000)
        if value == "<text>":
            return encode_answer(question, outcome, 1_795_000_000, sealed=bytes(100))
        return encode_answer(question, outcome, 1_795_000_000, value=_value(value))
    stored: dict[str, object] = {"o": outcome, "t": 1_795_000_000}
    if outcome == "answered":
        if value == "<text>":
            stored["x"] = "c2VhbGVk"
        else:
            stored["v"] = value
    return {question: json.dumps(stored, separators=(",", ":")).encode()}


def _value(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _random_answers(rng: random.Random) -> dict[str, bytes]:
    candidates = {
        "uses": rng.sample(["calls", "sms", "money", "internet", "other"], rng.randint(1, 3)),
        "money_safe": rng.randint(1, 5),
        "sim_id": rng.choice(["yes", "no"]),
        "share": rng.choice(["refuse", "judge", "tell", "give", "unsure"]),
        "outages": rng.choice([0, 1, 2, 7, 10, 11, 30]),
        "change": "<text>",
    }
    fields: dict[str, bytes] = {}
    for question, value in candidates.items():
        if rng.random() < 0.8:
            fields |= _answer(rng, question, value)
    return fields


async def test_the_planner_and_python_link_the_same_participants(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client, shards=2))
    redis, schema = deployment.redis, deployment.runtime.schema
    rng = random.Random(6)
    facts: dict[str, Facts] = {}
    for n in range(120):
        pid = f"{n:02d}".rjust(32, "a")
        shard = schema.shard_of(pid)
        answers = _random_answers(rng)
        themes = {"change": ",".join(rng.sample(["fees", "agents", "x"], rng.randint(0, 2)))}
        await redis.hset(
            schema.participant(pid),
            mapping={"wk": b"k", "ch": "telegram", "lang": "en", f"u:{CAMPAIGN}": "1"},
        )
        if answers:
            await redis.hset(schema.answers(pid, CAMPAIGN), mapping=_mapping(answers))
        if themes["change"]:
            await redis.hset(deployment.schema.themes(pid, CAMPAIGN), mapping=_mapping(themes))
        await redis.sadd(schema.respondents(shard, CAMPAIGN), pid)
        facts[pid] = facts_from_stored(
            {q.encode(): v for q, v in answers.items()},
            {b"change": themes["change"].encode()} if themes["change"] else {},
        )
    planner = Planner(redis, deployment.schema)
    limits = PlanLimits(now_ms=NOON_MS, weekly_budget=0, chunk=7)
    for rule in RULES:
        decision = Decision("d", CAMPAIGN, {"en": "t"}, DecisionStatus.ADOPTED, {"en": "m"}, rule)
        stored = StoredDecision(decision, 1, "ref00000", 0, 0)
        counts = await planner.count_links(stored, limits, samples=1000)
        expected = {pid for pid, f in facts.items() if evaluate(rule, f)[0]}
        assert set(counts.samples) == expected, rule
        assert 0 < len(expected) < len(facts), rule  # the data exercises both outcomes


async def test_explicit_response_ids_link_exactly_those_people(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    redis, schema = deployment.redis, deployment.runtime.schema
    pids = [f"{n}".rjust(32, "b") for n in range(6)]
    for pid in pids:
        await redis.hset(
            schema.participant(pid),
            mapping={"wk": b"k", "ch": "whatsapp", "lang": "sw", f"u:{CAMPAIGN}": "1"},
        )
        await redis.sadd(schema.respondents(schema.shard_of(pid), CAMPAIGN), pid)
    erased = "c" * 32  # named in the file, but gone
    responses = (ResponseRef(pids[1], "change"), ResponseRef(pids[4]), ResponseRef(erased))
    decision = Decision(
        "d", CAMPAIGN, {"en": "t"}, DecisionStatus.ADOPTED, {"en": "m"}, None, responses
    )
    stored = StoredDecision(decision, 1, "ref00001", 0, 0)
    counts = await Planner(redis, deployment.schema).count_links(
        stored, PlanLimits(NOON_MS, 0), samples=10
    )
    assert sorted(counts.samples) == sorted([pids[1], pids[4]])
    assert counts.linked == 3
    assert dict(counts.excluded) == {"erased": 1}


def test_the_scripts_name_participant_keys_as_the_rest_of_sauti_does() -> None:
    schema = KeySchema(prefix="t", shards=8)
    pid = "a" * 32
    prefixes = schema.participant_prefixes(schema.shard_of(pid), CAMPAIGN)
    assert prefixes["p"] + pid == schema.participant(pid)
    assert prefixes["a"] + pid == schema.answers(pid, CAMPAIGN)
    assert prefixes["th"] + pid == schema.themes(pid, CAMPAIGN)
    assert prefixes["n"] + pid == schema.told(pid)
    assert prefixes["nb"] + pid == schema.budget(pid)
    assert prefixes["wc"] + pid == schema.webchat_inbox(pid)
