"""A campaign's results: per question a chart and a table, broken down by another question, the
language or the channel when asked; where people stopped; small cells withheld as the API
withholds them (the page shows what `getResults` answers, nothing more). Live: a small script
of the console's own (`static/live-results.js`) listens to `watchResults` and puts the new
figures in place; without it, the page says when its figures are from and links to itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aiohttp import web
from markupsafe import Markup

from bot.access.roles import Permission
from bot.api.operations.campaigns import CampaignOut
from bot.api.operations.results import BreakdownOut, QuestionOut, ResultsOut
from bot.api.operations.results_export import BreakdownsOut
from bot.console.campaigns import CHANNEL_NAMES, language_name, title_in
from bot.console.charts import Bar, bar_chart
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.view import View
from bot.records.results import BY_CHANNEL, BY_LANGUAGE, NO_ANSWER
from dialogues.model import QuestionKind

pages = Pages()

STATUS_NAMES = {
    "answered": N_("Answered"),
    "skipped": N_("Skipped"),
    "declined": N_("Declined to say"),
}
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
SHORT_QUESTION = 60  # characters of a question's text in the breakdown menu and tables
# Characters of a label beside a bar: what fits at a phone's width (the table beside the chart
# has the whole text).
CHART_LABEL = 15


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a table: its label, its counts (None: withheld), its total."""

    label: str
    counts: tuple[int | None, ...]
    total: int | None = None


@dataclass(frozen=True, slots=True)
class Crossed:
    """A question's breakdown as the page shows it."""

    by_label: str
    columns: tuple[str, ...]
    lines: tuple[Line, ...]
    column_totals: tuple[int | None, ...]
    total: int | None


@dataclass(frozen=True, slots=True)
class Shown:
    """One question as the page shows it."""

    id: str
    number: int  # its place among the questions, from 1
    text: str
    short: str  # its text cut to SHORT_QUESTION characters
    lines: tuple[Line, ...]  # its options (or answered, skipped, declined) and their counts
    chart: Markup
    answered: int | None
    skipped: int | None
    declined: int | None
    asked: int | None
    stopped_here: int | None
    crossed: Crossed | None


@pages.get("/console/campaigns/{campaign_id}/results", permission=Permission.RESULTS_READ)
async def results_page(view: View) -> web.StreamResponse:
    campaign_id = view.request.match_info["campaign_id"]
    path = {"campaign_id": campaign_id}
    campaign: CampaignOut = await view.invoke("getCampaign", path=path)
    by = view.request.query.get("by", "")
    query = {"by": by} if by else {}
    found: ResultsOut = await view.invoke("getResults", path=path, query=query)
    kept: BreakdownsOut = await view.invoke("listBreakdowns", path=path)
    labels = _Labels(view, found)
    questions = [
        _shown(view, labels, question, found.by, number)
        for number, question in enumerate(found.questions, start=1)
    ]
    withheld = view.gettext("fewer than %(n)s", n=found.minimum)
    stops = [
        Bar(
            shortened(f"{question.number}. {question.text}", CHART_LABEL),
            question.stopped_here,
            view.language.number(question.stopped_here, withheld),
        )
        for question in questions
    ]
    return view.render(
        "results.html",
        view.gettext("Results: %(title)s", title=title_in(campaign, view.language.code)),
        campaign=campaign,
        results=found,
        questions=questions,
        choices=_choices(view, labels, kept),
        withheld=withheld,
        count=_counter(view, withheld),
        stops_chart=bar_chart(
            stops,
            title=view.gettext("Where people stopped, question by question"),
            chart_id="stops",
        ),
        drop_off=[q for q in questions if q.stopped_here != 0],
        now=dt.datetime.now(dt.UTC),
        events=f"/api/v1/campaigns/{campaign_id}/results/events",
        banners=await view.site.banners_for(view),
    )


def _counter(view: View, withheld: str) -> Callable[[int | None], Markup]:
    """How the page writes a count: the number, or the withheld words marked as such (a Python
    function rather than a template macro: a page writes hundreds of counts)."""
    marked = Markup('<span class="withheld-text">{}</span>').format(withheld)

    def count(value: int | None) -> Markup:
        return marked if value is None else Markup.escape(view.language.number(value))

    return count


class _Labels:
    """The words for what the results name by id, in the reader's language."""

    def __init__(self, view: View, found: ResultsOut) -> None:
        self.view = view
        self.questions = {q.question_id: q for q in found.questions}

    def text(self, texts: Mapping[str, str], fallback: str) -> str:
        """A survey text in the reader's language, else in its first language."""
        code = self.view.language.code
        return texts.get(code) or next(iter(texts.values()), "") or fallback

    def question(self, question: QuestionOut) -> str:
        return self.text(question.text, question.question_id)

    def option(self, question: QuestionOut, option_id: str) -> str:
        for option in question.options:
            if option.option_id == option_id and option.text:
                return self.text(option.text, option_id)
        if question.kind is QuestionKind.YES_NO and option_id in YES_NO:
            return self.view.gettext(YES_NO[option_id])
        return option_id  # a scale's step: its number

    def column(self, by: str, value: str) -> str:
        if value == NO_ANSWER:
            return self.view.gettext("No answer")
        if by == BY_LANGUAGE:
            return language_name(value, self.view.language.code)
        if by == BY_CHANNEL:
            return self.view.gettext(CHANNEL_NAMES.get(value, value))
        other = self.questions.get(by)
        return self.option(other, value) if other is not None else value

    def by(self, by: str) -> str:
        if by == BY_LANGUAGE:
            return self.view.gettext("Language")
        if by == BY_CHANNEL:
            return self.view.gettext("Channel")
        other = self.questions.get(by)
        return self.question(other) if other is not None else by


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shown(
    view: View, labels: _Labels, question: QuestionOut, by: str | None, number: int
) -> Shown:
    if question.options:
        lines = tuple(
            Line(labels.option(question, option.option_id), (option.count,))
            for option in question.options
        )
    else:
        statuses = (question.answered, question.skipped, question.declined)
        lines = tuple(
            Line(view.gettext(name), (count,))
            for name, count in zip(STATUS_NAMES.values(), statuses, strict=True)
        )
    withheld = view.gettext("fewer than %(n)s", n=view.services.min_cell)
    text = labels.question(question)
    chart = bar_chart(
        [
            Bar(
                shortened(line.label, CHART_LABEL),
                line.counts[0],
                view.language.number(line.counts[0], withheld),
            )
            for line in lines
        ],
        title=text,
        chart_id=f"chart-{question.question_id}",
    )
    crossed = None
    if question.breakdown is not None and by is not None:
        crossed = _crossed(labels, question, question.breakdown, by)
    return Shown(
        id=question.question_id,
        number=number,
        text=text,
        short=shortened(text, SHORT_QUESTION),
        lines=lines,
        chart=chart,
        answered=question.answered,
        skipped=question.skipped,
        declined=question.declined,
        asked=question.asked,
        stopped_here=question.stopped_here,
        crossed=crossed,
    )


def _crossed(labels: _Labels, question: QuestionOut, breakdown: BreakdownOut, by: str) -> Crossed:
    if question.options:
        rows = [labels.option(question, row) for row in breakdown.rows]
    else:
        rows = [labels.view.gettext(STATUS_NAMES.get(row, row)) for row in breakdown.rows]
    return Crossed(
        by_label=labels.by(by),
        columns=tuple(labels.column(by, column) for column in breakdown.columns),
        lines=tuple(
            Line(label, tuple(cells), total)
            for label, cells, total in zip(rows, breakdown.cells, breakdown.row_totals, strict=True)
        ),
        column_totals=tuple(breakdown.column_totals),
        total=breakdown.total,
    )


def _choices(view: View, labels: _Labels, kept: BreakdownsOut) -> Sequence[tuple[str, str]]:
    """The breakdown menu: (value, label), "nothing" first, then what the campaign keeps."""
    choices = [("", view.gettext("Nothing: the counts alone"))]
    for choice in kept.items:
        name = choice.by
        label = labels.by(name)
        if name not in (BY_LANGUAGE, BY_CHANNEL):
            label = view.gettext("Question: %(text)s", text=shortened(label, SHORT_QUESTION))
        choices.append((name, label))
    return choices
