"""A decision's reach and preview as the API shows them: what publishing now would do
(bot.loop.preview), every count of people through the one suppression function
(bot.records.suppression) with the configured minimum. A withheld count is null.

The counts are protected as the lines they make: those told and those not told (by reason) make
up those linked; those told split by language and channel into a table whose total is the
told; those delayed by their weekly budget and the rest make up the told. Whatever one line
withholds the others withhold too, so no subtraction gives it away. Every figure made of table
cells (languages without a message, WhatsApp template gaps, push notices) is withheld whenever
one of the cells it adds up is: it then tells nothing the table does not. Sample answers name
participants by the organisation's pseudonym and show answer labels only, never free text or an
answer to a sensitive question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, Field

from bot.channels.whatsapp.render import render
from bot.channels.whatsapp.templates import TemplateBook
from bot.conversation.decisions.decision import DecisionStatus
from bot.conversation.outgoing import Outgoing
from bot.loop.planner import EXCLUSIONS, LinkCounts
from bot.loop.preview import Preview, WrittenNotice
from bot.loop.templates import closed_window_notice
from bot.records.suppression import Cell, Table, suppress_distribution, suppress_table
from bot.settings.limits import WhatsAppLimits
from dialogues.model import Survey

Count = int | None  # None: withheld
WEBCHAT = "webchat"  # the one channel without push notices (nor quiet hours)


class ToldTableOut(BaseModel):
    """Those who would be told, by language (rows) and channel (columns); null: withheld."""

    languages: list[str]
    channels: list[str]
    cells: list[list[Count]]
    by_language: list[Count]
    by_channel: list[Count]


class LanguageCountOut(BaseModel):
    language: str
    participants: Count


class QuietHoursOut(BaseModel):
    quiet_now: bool = Field(description="quiet hours now in the campaign's time zone")
    campaign_local_time: str
    push_notices: Count = Field(description="notices that would go to Telegram or WhatsApp")
    waiting_for_quiet_hours_end: Count = Field(
        description="of them, those whose own time zone is in quiet hours now: they wait"
    )


class SampleOut(BaseModel):
    response_id: str = Field(description="the organisation's pseudonym (/ question id)")
    question_id: str | None
    answer: str = Field(description="the answer's label; never free text or a sensitive answer")


class ClosedWindowOut(BaseModel):
    """The notice as WhatsApp delivers it once the participant's 24-hour window has closed
    (almost always, for a decision): an approved template around the notice's text."""

    template: str
    language: str = Field(description="the template's language (another one: a fallback)")
    fallback: bool = Field(description="their language has no approved template of its own")
    text: str
    buttons: list[str] = Field(description="empty: they read it, but cannot react with a tap")


class NoticeOut(BaseModel):
    language: str
    text: str = Field(
        description="the notice as a participant reading this language gets it: on Telegram, "
        "in the web chat, and on WhatsApp inside their 24-hour window"
    )
    buttons: list[str]
    untranslated: bool = Field(
        description="the decision lacks this language: sent only with "
        "allow_missing_translations, the default language's text marked as not translated"
    )
    whatsapp_open_window: str | None = Field(
        description="what WhatsApp shows inside the 24-hour window when it is not `text`: a "
        f"notice longer than WhatsApp's {WhatsAppLimits().max_body_chars} characters beside "
        "buttons is cut; null: `text` as it is"
    )
    update: str | None = Field(
        description="the notice people told an earlier published version get instead; null: "
        "no earlier version was published"
    )
    shared_phone: str | None = Field(
        description="the neutral notice of someone who said their phone is shared; null: "
        "every notice of the campaign is neutral (`text`)"
    )
    whatsapp_closed_window: ClosedWindowOut | None = Field(
        description="on WhatsApp outside their window; null: no approved template would "
        "carry it (nothing goes), or the templates are not known"
    )


class PreviewOut(BaseModel):
    """What publishing the decision's latest version now would do; nothing is sent."""

    campaign_id: str
    decision_id: str
    version: int
    status: DecisionStatus
    minimum: int = Field(description="the smallest count of people shown")
    linked: Count
    told: Count
    not_told: dict[str, Count] = Field(description="participants linked but not told, by reason")
    delayed_by_budget: Count = Field(description="told later: their weekly budget is spent")
    told_by_language_and_channel: ToldTableOut
    languages_without_message: list[LanguageCountOut]
    campaign_languages_without_message: list[str] = Field(
        description="every campaign language the decision lacks a message (or owed "
        "rationale) in, whether or not anyone linked reads it now"
    )
    notices: list[NoticeOut] = Field(description="the words each campaign language reads")
    publishing_refused: bool = Field(
        description="someone to tell reads a language without a message (or rationale): "
        "publishing is refused unless allow_missing_translations"
    )
    whatsapp_without_template: list[LanguageCountOut] | None = Field(
        description="outside their 24-hour window they get another language's template or "
        "nothing; null: the templates are not known"
    )
    whatsapp_without_buttons: list[LanguageCountOut] | None = Field(
        description="outside their window they get the plain notice, without reaction buttons"
    )
    quiet_hours: QuietHoursOut
    samples: list[SampleOut]
    counted_at: dt.datetime | None = Field(
        description="when the counts of people were made: they are kept, and shown at once; "
        "null: nothing counted yet (the first count runs: `updating`), every count of people "
        "is then null and the table empty"
    )
    current: bool = Field(
        description="the counts were made at this version of the decision and with every answer "
        "given since, a short while ago (SAUTI_LOOP_PREVIEW_FRESH_SECONDS)"
    )
    updating: bool = Field(
        description="the counts are being made again now: ask again in a few seconds"
    )


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a decision reaches, as it may be shown."""

    linked: Cell
    told: Cell
    not_told: dict[str, Cell]
    delayed_by_budget: Cell
    languages: list[str]
    channels: list[str]
    table: Table  # told by language (rows) and channel (columns)


def reach_of(counts: LinkCounts, minimum: int) -> Reach:
    reasons = [*EXCLUSIONS, *sorted(set(counts.excluded) - set(EXCLUSIONS))]
    line = suppress_distribution(
        [counts.told, *(counts.excluded[reason] for reason in reasons)],
        minimum,
        total=counts.linked,
    )
    told, linked = line.cells[0], line.total
    languages = sorted({language for language, _ in counts.targets})
    channels = sorted({channel for _, channel in counts.targets})
    table = suppress_table(
        [[counts.targets[(language, channel)] for channel in channels] for language in languages],
        minimum,
        withheld_total=told.withheld,
    )
    if table.total.withheld and not told.withheld:  # and linked with it: no subtraction left
        told, linked = table.total, Cell(None)
    delayed = Cell(None)
    if not told.withheld:
        over = min(counts.over_budget, counts.told)
        split = suppress_distribution([over, counts.told - over], minimum, total=counts.told)
        delayed = split.cells[0]
    return Reach(
        linked=linked,
        told=told,
        not_told=dict(zip(reasons, line.cells[1:], strict=True)),
        delayed_by_budget=delayed,
        languages=languages,
        channels=channels,
        table=table,
    )


@dataclass(frozen=True, slots=True)
class Counted:
    """When a preview's counts were made (epoch ms), whether they are current and whether a
    new count is running (bot.loop.preview_cache)."""

    counted_ms: int | None  # None: nothing counted yet
    current: bool = True
    updating: bool = False


def preview_out(
    preview: Preview,
    survey: Survey,
    minimum: int,
    book: TemplateBook | None = None,
    counted: Counted | None = None,
) -> PreviewOut:
    """The preview as shown; `counted` None: its counts were made just now."""
    stored = preview.stored
    counted = counted or Counted(preview.now_ms)
    if counted.counted_ms is None:
        return _uncounted(preview, minimum, book, counted)
    reach = reach_of(preview.counts, minimum)
    table = reach.table
    rows = _Rows(reach.languages, reach.channels, table, survey)
    return PreviewOut(
        campaign_id=stored.campaign_id,
        decision_id=stored.id,
        version=stored.version,
        status=stored.decision.status,
        minimum=minimum,
        linked=reach.linked.count,
        told=reach.told.count,
        not_told={reason: cell.count for reason, cell in reach.not_told.items()},
        delayed_by_budget=reach.delayed_by_budget.count,
        told_by_language_and_channel=ToldTableOut(
            languages=reach.languages,
            channels=reach.channels,
            cells=[[cell.count for cell in row] for row in table.cells],
            by_language=[cell.count for cell in table.row_totals],
            by_channel=[cell.count for cell in table.column_totals],
        ),
        languages_without_message=rows.per_language(preview.missing, channel=None),
        campaign_languages_without_message=list(preview.lacking),
        notices=[_notice(notice, book) for notice in preview.notices],
        publishing_refused=preview.blocked,
        whatsapp_without_template=_optional(rows, preview.whatsapp_without_template),
        whatsapp_without_buttons=_optional(rows, preview.whatsapp_without_buttons),
        quiet_hours=_quiet(preview, rows, minimum),
        samples=_samples(preview),
        counted_at=dt.datetime.fromtimestamp(counted.counted_ms / 1000, dt.UTC),
        current=counted.current,
        updating=counted.updating,
    )


def _uncounted(
    preview: Preview, minimum: int, book: TemplateBook | None, counted: Counted
) -> PreviewOut:
    """The preview before its first count: the words each language reads, and no count of
    people (null, not 0: nobody was counted yet)."""
    stored = preview.stored
    return PreviewOut(
        campaign_id=stored.campaign_id,
        decision_id=stored.id,
        version=stored.version,
        status=stored.decision.status,
        minimum=minimum,
        linked=None,
        told=None,
        not_told={},
        delayed_by_budget=None,
        told_by_language_and_channel=ToldTableOut(
            languages=[], channels=[], cells=[], by_language=[], by_channel=[]
        ),
        languages_without_message=[],
        campaign_languages_without_message=list(preview.lacking),
        notices=[_notice(notice, book) for notice in preview.notices],
        publishing_refused=False,
        whatsapp_without_template=None,
        whatsapp_without_buttons=None,
        quiet_hours=QuietHoursOut(
            quiet_now=preview.quiet_now,
            campaign_local_time=preview.local_time,
            push_notices=None,
            waiting_for_quiet_hours_end=None,
        ),
        samples=_samples(preview),
        counted_at=None,
        current=False,
        updating=counted.updating,
    )


def _notice(notice: WrittenNotice, book: TemplateBook | None) -> NoticeOut:
    closed = None
    if book is not None:
        wrapped = closed_window_notice(
            book, notice.language, notice.text, notice.menu, shared=notice.shared
        )
        if wrapped is not None:
            closed = ClosedWindowOut(
                template=wrapped.template,
                language=wrapped.language,
                fallback=wrapped.fallback,
                text=wrapped.text,
                buttons=list(wrapped.buttons),
            )
    return NoticeOut(
        language=notice.language,
        text=notice.text,
        buttons=list(notice.buttons),
        untranslated=notice.untranslated,
        whatsapp_open_window=_whatsapp_body(notice),
        update=notice.update,
        shared_phone=notice.shared_phone,
        whatsapp_closed_window=closed,
    )


def _samples(preview: Preview) -> list[SampleOut]:
    return [
        SampleOut(
            response_id=sample.response_id,
            question_id=None if sample.question == "-" else sample.question,
            answer=sample.shown,
        )
        for sample in preview.samples
    ]


def _whatsapp_body(notice: WrittenNotice) -> str | None:
    """The words WhatsApp's renderer sends inside the window, when not the notice's own."""
    content = render(Outgoing(notice.text, menu=notice.menu), WhatsAppLimits(), notice.language)
    if content["type"] == "interactive":
        body = str(content["interactive"]["body"]["text"])
    else:
        body = str(content["text"]["body"])
    return None if body == notice.text else body


class _Rows:
    """The suppressed table, and the counts made of its cells: shown only when every cell
    they add up is."""

    def __init__(
        self, languages: list[str], channels: list[str], table: Table, survey: Survey
    ) -> None:
        self._languages = languages
        self._channels = channels
        self._table = table
        self._survey = survey

    def spoken(self, language: str) -> str:
        """The language a participant is told in (one the campaign lacks: its default)."""
        return language if language in self._survey.languages else self._survey.default_language

    def per_language(
        self, counts: Mapping[str, int], *, channel: str | None
    ) -> list[LanguageCountOut]:
        """Participants per spoken language (of one channel, or all), as the preview counted
        them, withheld where a cell they come from is."""
        found = []
        for language, count in sorted(counts.items()):
            rows = [r for r, row in enumerate(self._languages) if self.spoken(row) == language]
            if channel is None:
                cells: list[Cell] = [self._table.row_totals[r] for r in rows]
            else:
                column = self._channels.index(channel) if channel in self._channels else None
                cells = [self._table.cells[r][column] for r in rows if column is not None]
            found.append(LanguageCountOut(language=language, participants=_shown(count, cells)))
        return found

    def push_cells(self) -> list[Cell]:
        return [
            self._table.column_totals[c]
            for c, channel in enumerate(self._channels)
            if channel != WEBCHAT
        ]


def _optional(rows: _Rows, counts: dict[str, int] | None) -> list[LanguageCountOut] | None:
    return None if counts is None else rows.per_language(counts, channel="whatsapp")


def _quiet(preview: Preview, rows: _Rows, minimum: int) -> QuietHoursOut:
    """Who would wait for their quiet hours to end is a count by time zone: withheld as the
    split of the push notices into waiting and not waiting."""
    push, waiting = preview.push_targets, preview.quiet_targets
    split = suppress_distribution([waiting, push - waiting], minimum, total=push)
    return QuietHoursOut(
        quiet_now=preview.quiet_now,
        campaign_local_time=preview.local_time,
        push_notices=_shown(push, [*rows.push_cells(), split.total]),
        waiting_for_quiet_hours_end=split.cells[0].count,
    )


def _shown(count: int, cells: Iterable[Cell]) -> Count:
    return None if any(cell.withheld for cell in cells) else count
