"""Series over time → a PNG chart (matplotlib, Agg backend) and its caption.

Readable on a phone: 1000 × 600 px, large type, the figures written on the bars. Periods on
the x axis, oldest first; a part of a year («9 мес. 2025») is hatched and starred; the unit
(with the scale shared by the points: «млн человек») on the y axis.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from aiogram.utils.formatting import Bold, Text, as_list

from knowledge import Series, format_date_ru

from .messages import (
    CHART_CAPTION_POINT,
    CHART_PARTIAL_CAPTION,
    CHART_PARTIAL_NOTE,
    CHART_SCALES,
    CHART_X_LABEL,
    CHART_Y_LABEL,
)
from .render import shorten

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 100  # 1000 × 600 px
FONT_SIZE = 16
MAX_CAPTION_CHARS = 1024  # Telegram's limit for a photo caption
_FULL = "#2b6cb0"
_PARTIAL = "#90b4e0"


def scale_for(values: Sequence[float], kind: str) -> tuple[float, str]:
    """The divisor and word shared by the points: (1e6, "млн") when the largest is millions."""
    if kind == "percent" or not values:
        return 1.0, ""
    top = max(abs(v) for v in values)
    for divisor, word in CHART_SCALES:
        if top >= divisor:
            return divisor, word
    return 1.0, ""


def number_ru(value: float) -> str:
    """1.9 → «1,9», 12.0 → «12», 1234.5 → «1 234,5»."""
    rounded = round(value, 1)
    if math.isclose(rounded, round(rounded)):
        text = f"{round(rounded):,}".replace(",", " ")
    else:
        text = f"{rounded:,.1f}".replace(",", " ").replace(".", ",")
    return text


def axis_label(series: Series) -> str:
    """The y axis: «млн человек», «млрд тенге», «%»."""
    _, word = scale_for([p.value for p in series.points], series.kind)
    unit = series.unit or ""
    if series.kind == "percent":
        return "%"
    return " ".join(part for part in (word, unit) if part) or CHART_Y_LABEL


def chart_points(series: Series) -> list[tuple[str, float, bool]]:
    """What the chart draws: (x tick label, bar height in axis units, partial), in order."""
    divisor, _ = scale_for([p.value for p in series.points], series.kind)
    return [
        (f"{p.period}*" if p.partial else p.period, p.value / divisor, p.partial)
        for p in series.points
    ]


def title_of(series: Series) -> str:
    question = series.question.strip().rstrip("?").strip()
    return shorten(question[:1].upper() + question[1:], 80) if question else ""


def render_chart(series: Series) -> bytes:
    """The PNG of a bar chart of the series (CPU work: call it in a thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    points = chart_points(series)
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [label for label, _, _ in points]
    heights = [height for _, height, _ in points]
    colors = [_PARTIAL if partial else _FULL for _, _, partial in points]
    bars = axes.bar(range(len(points)), heights, color=colors, width=0.6)
    for bar, (_, _, partial) in zip(bars, points, strict=True):
        if partial:
            bar.set_hatch("//")
            bar.set_edgecolor(_FULL)
    for bar, height in zip(bars, heights, strict=True):
        axes.annotate(
            number_ru(height),
            (bar.get_x() + bar.get_width() / 2, height),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=FONT_SIZE,
            fontweight="bold",
        )
    axes.set_xticks(range(len(points)), labels, fontsize=FONT_SIZE)
    axes.tick_params(axis="y", labelsize=FONT_SIZE - 2)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number_ru(value)))
    axes.set_xlabel(CHART_X_LABEL, fontsize=FONT_SIZE)
    axes.set_ylabel(axis_label(series), fontsize=FONT_SIZE)
    axes.set_title(title_of(series), fontsize=FONT_SIZE + 4, pad=16)
    axes.set_ylim(0, max(heights) * 1.2 if max(heights) > 0 else 1)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    if any(partial for _, _, partial in points):
        figure.text(
            0.99, 0.01, CHART_PARTIAL_NOTE, ha="right", va="bottom", fontsize=FONT_SIZE - 3
        )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def chart_caption(series: Series) -> str:
    """Each point's figure, period and source date, oldest first (HTML, ≤ 1024 characters)."""
    lines = [
        Text(
            "• ",
            CHART_CAPTION_POINT.format(
                period=point.period,
                partial=CHART_PARTIAL_CAPTION if point.partial else "",
                figure=point.label,
                date=format_date_ru(point.source_date),
            ),
        )
        for point in series.points
    ]
    # The newest points matter most: the oldest go first when the caption is too long.
    for start in range(len(lines)):
        text = as_list(Bold(title_of(series)), *lines[start:]).as_html()
        if len(text) <= MAX_CAPTION_CHARS:
            return text
    return Text(shorten(title_of(series), 200)).as_html()
