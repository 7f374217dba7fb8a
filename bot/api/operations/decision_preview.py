"""A decision's preview as the API shows it: what publishing now would do (bot.loop.preview),
with the split of those told by language and by channel withheld where it is small.

The reach of a decision — participants linked, told, not told by reason, delayed by their
weekly budget — is shown as it is: publishing records it in the audit log and its progress
shows it too. Who among them reads which language on which channel is where a handful of
people shows, so that table goes through the one suppression function
(bot.records.suppression) with the configured minimum, and every figure made of its cells
(languages without a message, WhatsApp template gaps, push notices) is withheld whenever one
of the cells it adds up is: it then tells nothing the table does not. A withheld count is null.
Sample answers name participants by the organisation's pseudonym and show answer labels only,
never free text or an answer to a sensitive question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, Field

from bot.conversation.decisions.decision import DecisionStatus
from bot.loop.planner import EXCLUSIONS
from bot.loop.preview import Preview
from bot.records.suppression import Cell, Table, suppress_distribution, suppress_table
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


class PreviewOut(BaseModel):
    """What publishing the decision's latest version now would do; nothing is sent."""

    campaign_id: str
    decision_id: str
    version: int
    status: DecisionStatus
    minimum: int = Field(description="the smallest count the table shows")
    linked: int
    told: int
    not_told: dict[str, int] = Field(description="participants linked but not told, by reason")
    delayed_by_budget: int = Field(description="told later: their weekly budget is spent")
    told_by_language_and_channel: ToldTableOut
    languages_without_message: list[LanguageCountOut]
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


def preview_out(preview: Preview, survey: Survey, minimum: int) -> PreviewOut:
    stored, counts = preview.stored, preview.counts
    languages = sorted({language for language, _ in counts.targets})
    channels = sorted({channel for _, channel in counts.targets})
    table = suppress_table(
        [[counts.targets[(language, channel)] for channel in channels] for language in languages],
        minimum,
    )
    rows = _Rows(languages, channels, table, survey)
    not_told = {reason: counts.excluded[reason] for reason in EXCLUSIONS}
    not_told |= {reason: n for reason, n in counts.excluded.items() if n}
    return PreviewOut(
        campaign_id=stored.campaign_id,
        decision_id=stored.id,
        version=stored.version,
        status=stored.decision.status,
        minimum=minimum,
        linked=counts.linked,
        told=counts.told,
        not_told=not_told,
        delayed_by_budget=counts.over_budget,
        told_by_language_and_channel=ToldTableOut(
            languages=languages,
            channels=channels,
            cells=[[cell.count for cell in row] for row in table.cells],
            by_language=[cell.count for cell in table.row_totals],
            by_channel=[cell.count for cell in table.column_totals],
        ),
        languages_without_message=rows.per_language(preview.missing, channel=None),
        publishing_refused=preview.blocked,
        whatsapp_without_template=_optional(rows, preview.whatsapp_without_template),
        whatsapp_without_buttons=_optional(rows, preview.whatsapp_without_buttons),
        quiet_hours=_quiet(preview, rows, minimum),
        samples=[
            SampleOut(
                response_id=sample.response_id,
                question_id=None if sample.question == "-" else sample.question,
                answer=sample.shown,
            )
            for sample in preview.samples
        ],
    )


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
