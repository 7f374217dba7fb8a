"""Preview: what publishing a decision would do, before anything is sent.

Counts come from the planner in count mode (nothing written). A few linked answers are shown to
the company by response id (the organisation's pseudonym of the participant / question id) and
answer label only:
free text and answers to sensitive questions are never shown here.

The words people would read are shown too, per campaign language, exactly as the feeder
writes them (bot.conversation.decisions.texts), with their buttons: the "you told us" part
from the first sample's answer (a label, as in the samples), else the general one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.access.pseudonyms import Pseudonyms
from bot.conversation.decisions.rules import Facts, evaluate, facts_from_stored
from bot.conversation.decisions.texts import (
    notice_text,
    reaction_menu,
    shared_notice,
    summary_of,
)
from bot.conversation.outgoing import MenuItem
from bot.loop.ledger import StoredDecision
from bot.loop.pacing import QuietHours, is_quiet
from bot.loop.planner import LinkCounts, PlanLimits, Planner
from bot.loop.templates import TemplateCoverage
from bot.storage.keys import KeySchema
from bot.time_zones import zone, zone_or
from dialogues.localization import builtin_catalog
from dialogues.model import QuestionKind, Survey
from dialogues.prompts import display_answer

SAMPLES = 5  # linked answers a preview shows
# Respondents of each shard looked at for them, at most: a page draws them as it is shown (a
# kept count holds no one's id), so this bounds what that costs.
SAMPLE_CHUNK = 100


@dataclass(frozen=True, slots=True)
class SampleAnswer:
    response_id: str  # "<pseudonym>/<question id>"
    question: str
    shown: str


@dataclass(frozen=True, slots=True)
class WrittenNotice:
    """The notice a participant reading `language` would get: its text and its buttons."""

    language: str
    text: str
    buttons: tuple[str, ...]
    untranslated: bool  # the company's text is another language's (marked in the text)
    menu: tuple[MenuItem, ...] = ()  # the buttons as sent (a closed WhatsApp window's template)
    shared: bool = False  # the neutral notice of a shared phone
    # What people told an earlier published version get instead ("Update: ..."); None when no
    # earlier version was published (or on a shared phone, whose notice is the same).
    update: str | None = None
    # What someone who said their phone is shared gets (neutral words); None when every notice
    # of the campaign is neutral already.
    shared_phone: str | None = None


@dataclass
class Preview:
    stored: StoredDecision
    counts: LinkCounts
    missing: dict[str, int]  # language without a message -> participants who read it
    samples: list[SampleAnswer] = field(default_factory=list)
    # Quiet hours are each participant's own: `quiet_targets` of the `push_targets` (Telegram,
    # WhatsApp) would wait for their morning now. `quiet_now` and `local_time` are the
    # campaign's zone, which counts for those without a zone of their own.
    quiet_now: bool = False
    local_time: str = ""
    # WhatsApp participants per language whose notice, once their 24-hour window has closed,
    # goes as another language's template or not at all (without_template), or as the plain
    # notice template, without buttons to react (without_buttons). None: templates not known.
    whatsapp_without_template: dict[str, int] | None = None
    whatsapp_without_buttons: dict[str, int] | None = None
    quiet_targets: int = 0
    push_targets: int = 0
    # Every campaign language the decision lacks a message (or owed rationale) in, whether
    # or not anyone linked reads it now; and the notice as each language would read it.
    lacking: tuple[str, ...] = ()
    default_language: str = ""  # the campaign's: what the untranslated would read
    notices: list[WrittenNotice] = field(default_factory=list)
    now_ms: int = 0  # when it was made

    @property
    def blocked(self) -> bool:
        return bool(self.missing)


@dataclass(frozen=True, slots=True)
class Viewpoint:
    """From where a preview is seen: the campaign's quiet hours and zone, the organisation's
    pseudonyms for the sample answers, and the WhatsApp templates known (None: not known)."""

    quiet: QuietHours | None
    zone_name: str
    pseudonyms: Pseudonyms
    templates: TemplateCoverage | None = None


async def build_preview(
    redis: Redis,
    schema: KeySchema,
    stored: StoredDecision,
    survey: Survey,
    limits: PlanLimits,
    viewpoint: Viewpoint,
    counts: LinkCounts | None = None,
) -> Preview:
    """What publishing now would do; `counts` when the planner's count was made already
    (bot.loop.preview_cache), else counted now. The sample answers are drawn now, whichever:
    a kept count names nobody."""
    quiet, zone_name, templates = viewpoint.quiet, viewpoint.zone_name, viewpoint.templates
    if counts is None:
        counts = await count_preview(redis, schema, stored, limits)
    missing_languages = stored.decision.missing_messages(survey.languages)
    missing: dict[str, int] = {}
    without_template: dict[str, int] = {}
    without_buttons: dict[str, int] = {}
    for (language, channel), count in counts.targets.items():
        spoken = language if language in survey.languages else survey.default_language
        if spoken in missing_languages:
            missing[spoken] = missing.get(spoken, 0) + count
        if channel != "whatsapp" or templates is None:
            continue
        if spoken not in templates.own:
            without_template[spoken] = without_template.get(spoken, 0) + count
        elif spoken not in templates.buttons:
            without_buttons[spoken] = without_buttons.get(spoken, 0) + count
    campaign_zone = zone(zone_name)
    local = dt.datetime.fromtimestamp(limits.now_ms / 1000, campaign_zone)
    sampling = dataclasses.replace(limits, chunk=SAMPLE_CHUNK)
    drawn = await Planner(redis, schema).sample_links(stored, sampling, SAMPLES)
    shown = await _still_there(redis, schema, drawn)
    example, samples = await asyncio.gather(
        _example(redis, schema, stored, shown[:1]),
        _samples(redis, schema, stored, survey, shown, viewpoint.pseudonyms),
    )
    return Preview(
        lacking=missing_languages,
        default_language=survey.default_language,
        notices=written_notices(stored, survey, *example),
        stored=stored,
        counts=counts,
        missing=missing,
        samples=samples,
        quiet_now=is_quiet(limits.now_ms, campaign_zone, quiet),
        local_time=f"{local:%H:%M} {zone_name}",
        whatsapp_without_template=without_template if templates is not None else None,
        whatsapp_without_buttons=without_buttons if templates is not None else None,
        quiet_targets=sum(
            count
            for own, count in counts.zones.items()
            if is_quiet(limits.now_ms, zone_or(own, campaign_zone), quiet)
        ),
        push_targets=sum(counts.zones.values()),
        now_ms=limits.now_ms,
    )


async def count_preview(
    redis: Redis, schema: KeySchema, stored: StoredDecision, limits: PlanLimits, pace: float = 0.0
) -> LinkCounts:
    """The planner's count a preview shows: counts only, no one's id (`pace`: Planner.
    count_links')."""
    return await Planner(redis, schema).count_links(stored, limits, samples=0, pace=pace)


def written_notices(
    stored: StoredDecision, survey: Survey, facts: Facts, witnesses: tuple[str, ...]
) -> list[WrittenNotice]:
    """The notice in every campaign language, as a participant reading it would get it: in
    neutral words, with its Read button, for a campaign of shared phones."""
    decision = stored.decision
    if survey.shared_phones:
        return [_shared(stored, language) for language in survey.languages]
    told_before = 0 < stored.published_version < stored.version
    notices = []
    for language in survey.languages:
        menu = reaction_menu(stored.ref, language)
        summary = summary_of(decision, survey, facts, witnesses, language)
        notice = WrittenNotice(
            language=language,
            text=notice_text(decision, survey, language, summary=summary),
            buttons=tuple(item.label for item in menu),
            # Marked as such only where the message itself lacks the language (decisions.md).
            untranslated=language not in decision.message,
            menu=menu,
            update=(
                notice_text(decision, survey, language, summary=summary, update=True)
                if told_before
                else None
            ),
            shared_phone=shared_notice(stored.ref, language)[0],
        )
        notices.append(notice)
    return notices


def _shared(stored: StoredDecision, language: str) -> WrittenNotice:
    text, menu = shared_notice(stored.ref, language)
    buttons = tuple(item.label for item in menu)
    return WrittenNotice(language, text, buttons, untranslated=False, menu=menu, shared=True)


async def _still_there(redis: Redis, schema: KeySchema, pids: list[str]) -> list[str]:
    """The sampled participants who are still there to show: someone who left with a quick
    exit is still walked by the planner, but their answers must not be shown."""
    if not pids:
        return []
    pipe = redis.pipeline(transaction=False)
    for pid in pids:
        pipe.hmget(schema.participant(pid), ["ch", "hid"])
    found: list[Any] = await pipe.execute()
    # 'ch' goes only with erasure; 'hid' is the quick exit's time ("0" or absent: not hidden).
    return [
        pid
        for pid, (channel, hidden) in zip(pids, found, strict=True)
        if channel is not None and hidden in (None, b"", b"0")
    ]


async def _example(
    redis: Redis, schema: KeySchema, stored: StoredDecision, pids: list[str]
) -> tuple[Facts, tuple[str, ...]]:
    """The first sample's answers and what links them, for the "you told us" of the
    notices shown (none: the general wording)."""
    if not pids:
        return Facts({}, {}), ()
    pipe = redis.pipeline(transaction=False)
    pipe.hgetall(schema.answers(pids[0], stored.campaign_id))
    pipe.hgetall(schema.themes(pids[0], stored.campaign_id))
    answers, themes = await pipe.execute()
    facts = facts_from_stored(answers, themes)
    rule = stored.decision.rule
    witnesses = evaluate(rule, facts)[1] if rule is not None else ()
    explicit = {r.participant_id: r.question_id for r in stored.decision.responses}
    if explicit.get(pids[0]):
        witnesses = (explicit[pids[0]] or "", *witnesses)
    return facts, witnesses


async def _samples(
    redis: Redis,
    schema: KeySchema,
    stored: StoredDecision,
    survey: Survey,
    pids: list[str],
    pseudonyms: Pseudonyms,
) -> list[SampleAnswer]:
    pipe = redis.pipeline(transaction=False)
    for pid in pids:
        pipe.hgetall(schema.answers(pid, stored.campaign_id))
        pipe.hgetall(schema.themes(pid, stored.campaign_id))
    replies: list[Any] = await pipe.execute()
    explicit = {r.participant_id: r.question_id for r in stored.decision.responses}
    samples = []
    for n, pid in enumerate(pids):
        facts = facts_from_stored(replies[2 * n], replies[2 * n + 1])
        _, witnesses = (
            evaluate(stored.decision.rule, facts) if stored.decision.rule else (False, ())
        )
        if explicit.get(pid):
            witnesses = (explicit[pid] or "", *witnesses)
        for question_id in witnesses[:1]:
            samples.append(_sample(survey, pseudonyms.of(pid), question_id, facts))
        if not witnesses:
            samples.append(SampleAnswer(pseudonyms.of(pid), "-", "(linked by response id)"))
    return samples


def _sample(survey: Survey, pseudonym: str, question_id: str, facts: Any) -> SampleAnswer:
    question = survey.question(question_id)
    answer = facts.answers.get(question_id)
    response = f"{pseudonym}/{question_id}"
    if question is None or answer is None:
        return SampleAnswer(response, question_id, "(no answer)")
    if question.sensitive:
        return SampleAnswer(response, question_id, "(sensitive question: not shown)")
    if question.kind is QuestionKind.DATE:  # a day can name a person, as in the results
        return SampleAnswer(response, question_id, "(a date: not shown)")
    if question.kind is QuestionKind.TEXT or answer.value is None:
        themes = ", ".join(sorted(facts.themes.get(question_id, ()))) or "none"
        return SampleAnswer(response, question_id, f"(free text; themes: {themes})")
    language = survey.default_language
    shown = display_answer(survey, question, answer.value, language, builtin_catalog())
    return SampleAnswer(response, question_id, shown)
