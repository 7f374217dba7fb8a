"""Bar charts as SVG, drawn on the server: no script, no library, readable without colour.

Every bar carries its label and its value as text, so the chart says what the table beside it
says; a withheld count (a small cell) is drawn as an empty, dashed outline with the words the
table uses, never as a bar of a guessed length. The chart is one image to a screen reader,
described by its title; the table is what it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 38  # per cent of the width for the labels
VALUE_ROOM = 18  # per cent kept right of the longest bar for its value


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int | None  # None: withheld
    shown: str  # the value as the page writes it ("1,204", "fewer than 5")


def bar_chart(bars: Sequence[Bar], *, title: str, chart_id: str) -> Markup:
    """A horizontal bar chart, as wide as its container."""
    largest = max((bar.count for bar in bars if bar.count is not None), default=0)
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    room = 100 - LABEL_WIDTH - VALUE_ROOM
    rows = []
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2
        label = (
            f'<text x="{LABEL_WIDTH - 1}%" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" class="label">{escape(_short(bar.label))}</text>'
        )
        if bar.count is None:
            shape = (
                f'<rect x="{LABEL_WIDTH}%" y="{y}" width="{room / 4}%" height="{BAR_HEIGHT}" '
                'class="withheld"/>'
            )
            value_x = LABEL_WIDTH + room / 4 + 1
        else:
            width = room * bar.count / largest if largest else 0
            shape = (
                f'<rect x="{LABEL_WIDTH}%" y="{y}" width="{width:.2f}%" height="{BAR_HEIGHT}" '
                'class="bar"/>'
            )
            value_x = LABEL_WIDTH + width + 1
        value = (
            f'<text x="{value_x:.2f}%" y="{middle}" dominant-baseline="middle" '
            f'class="value">{escape(bar.shown)}</text>'
        )
        rows.append(label + shape + value)
    svg = (
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" width="100%" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(rows)}</svg>'
    )
    return Markup(svg)  # built from escaped text only


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
