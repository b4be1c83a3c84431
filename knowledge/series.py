"""Figures over time: the series behind a chart, and the older figure a new fact updates.

Built on what answers already carry: an `Answer` holds the newest figure for the thing asked
and, in `earlier`, older figures for the same thing (same kind of figure, the same words of
the question matched, another article). A series is those figures, one per period, oldest
first, with figures for the same thing from newer sources added by the same rule.

Plain values only (frozen dataclasses); drawing is the bot's job (bot/charts.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from .answer import Answer, Earlier, compose
from .facts import Fact
from .figures import Figure
from .index import FactIndex
from .match import Match
from .text import data_lines, data_table
from .text import months as month_table

SERIES_MATCHES = 12  # candidates looked at for the points of one series
# Figures that are no level of the thing at a period: a change («на 8%»), a target («к 2029
# году», «до 2030 года»).
_NOT_LEVELS = frozenset({"change", "by_date", "up_to"})
# A fact already known «had» the figure a new fact updates when it answers the new sentence
# about as well as the new fact itself does.
PREVIOUS_SCORE_SHARE = 0.7


@dataclass(frozen=True)
class Point:
    """One figure of a series: its value at a period, and where it comes from."""

    value: float  # scaled, as Figure.value («1,9 млн» → 1_900_000.0)
    label: str  # the figure as written: «1,9 млн человек»
    period: str  # «2024», «9 мес. 2025», «июнь 2024»
    partial: bool  # a part of the year («9 мес. 2025»), not the whole of it
    year: int
    source_title: str
    source_date: dt.date | None
    fact_id: str


@dataclass(frozen=True)
class Series:
    """Figures for one thing at different periods, oldest first (at least two)."""

    question: str  # what was asked for, without the words of change («число туристов»)
    kind: str  # Figure.kind: "count", "money", "percent" …
    unit: str | None  # «человек», «тенге», «%»
    points: tuple[Point, ...]


# --- questions about change over time --------------------------------------------------------


@cache
def _over_time() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(line) for line in data_lines("over_time.txt"))


def change_question(question: str) -> str | None:
    """«Как менялось число туристов?» → «число туристов»: the question without its words of
    change over time (knowledge/data/over_time.txt); None if it has none."""
    text = question.lower().replace("ё", "е")
    cut = text
    for pattern in _over_time():
        cut = pattern.sub(" ", cut)
    if cut == text:
        return None
    core = " ".join(cut.replace("?", " ").split()).strip(" ,.:;-—")
    return core if re.search(r"[a-zа-я]", core) else None


def series_for(index: FactIndex, question: str) -> tuple[Answer, Series | None]:
    """The answer to `question` (its words of change left out) and the series of its figure
    over time (None with fewer than two periods)."""
    core = change_question(question) or question
    answer = compose(core, index.match(core, limit=SERIES_MATCHES), index=index)
    return answer, series_of(answer)


def series_of(answer: Answer) -> Series | None:
    """The answer's figure, its «Ранее» figures and figures for the same thing from newer
    sources, one per period (the newest source's when two give one period), oldest first;
    None with fewer than two periods."""
    if not answer.found or answer.figure is None or not answer.matches:
        return None
    primary = answer.matches[0]
    figure = answer.figure
    candidates: list[tuple[Figure, Fact]] = [(figure, primary.fact)]
    candidates += [(e.figure, e.fact) for e in answer.earlier if e.figure.comparison != "change"]
    candidates += [
        (m.figure, m.fact)
        for m in answer.matches[1:]
        if m.figure is not None and _same_thing(primary, m)
    ]
    by_period: dict[tuple[int, int, str], Point] = {}
    for candidate, fact in candidates:
        point = point_of(candidate, fact)
        if point is None:
            continue
        key = _period_key(point)
        kept = by_period.get(key)
        if kept is None or _date(point) > _date(kept):
            by_period[key] = point
    if len(by_period) < 2:
        return None
    points = tuple(by_period[key] for key in sorted(by_period))
    return Series(question=answer.question, kind=figure.kind, unit=figure.unit, points=points)


def _same_thing(primary: Match, other: Match) -> bool:
    """Another fact's figure for what the primary figure gives (the rule of Answer.earlier,
    whichever is newer)."""
    a, b = primary.figure, other.figure
    return (
        a is not None
        and b is not None
        and other.fact.article_id != primary.fact.article_id
        and a.kind == b.kind
        and a.unit == b.unit
        and b.comparison not in _NOT_LEVELS
        and primary.matched == other.matched
    )


def _date(point: Point) -> int:
    return point.source_date.toordinal() if point.source_date else 0


def _period_key(point: Point) -> tuple[int, int, str]:
    # A part of a year before the whole of it.
    return (point.year, 1 if not point.partial else 0, point.period)


def point_of(figure: Figure, fact: Fact) -> Point | None:
    """The figure as a point of a series: None if no year is tied to it."""
    year = figure.year or next(iter(fact.years), None)
    if year is None:
        return None
    period, partial = str(year), False
    for other in fact.figures:
        if other.year != year:
            continue
        if other.kind == "period" and other.unit:
            period, partial = f"{short_period(other.unit)} {year}", True
            break
        if other.kind == "month" and other.month:
            period, partial = f"{month_table()[other.month - 1][1]} {year}", True
            break
    return Point(
        value=figure.value,
        label=figure.label,
        period=period,
        partial=partial,
        year=year,
        source_title=fact.article_title,
        source_date=fact.article_date,
        fact_id=fact.id,
    )


@cache
def _chart_periods() -> tuple[tuple[str, ...], ...]:
    """data/chart_periods.txt: (beginning of a period's word, its short form)."""
    return tuple(data_table("chart_periods.txt"))


def short_period(unit: str) -> str:
    """«9 месяцев» → «9 мес.», «1 квартал» → «1 кв.», «1 полугодие» → «1 полуг.»,
    «январь-сентябрь» → «янв.–сент.»."""
    words = unit.split()
    if len(words) == 2 and words[0].isdigit():
        what = words[1]
        for beginning, label in _chart_periods():
            if what.startswith(beginning):
                return f"{words[0]} {label}"
    months = re.split(r"\s*[-–—]\s*", unit.lower())
    short = []
    for month in months:
        number = next((n for n, m in enumerate(month_table()) if month.startswith(m[2])), None)
        short.append(month_table()[number][1] if number is not None else month)
    return "–".join(short)


# --- what a new fact updates -----------------------------------------------------------------


def previous_figure(index: FactIndex, fact: Fact, known: object) -> tuple[Figure, Earlier] | None:
    """For a fact a reload added: its figure and the older figure it updates, if any.

    «сократилось с 21 тыс. до 10 тыс.»: the «from» of the same sentence. Otherwise the
    sentence (its figures left out) is asked of the index; a fact subscribers already had
    (`known(fact)` is true) answers it about as well as the new fact does, with a figure of the
    same kind and unit for an earlier or the same period → that figure."""
    is_known = known if callable(known) else (lambda _fact: False)
    for figure in fact.figures:
        if figure.comparison == "to":
            start = next((f for f in fact.figures if f.comparison == "from"), None)
            if start is not None:
                return figure, Earlier(start, fact)
    question = _without_figures(fact)
    if not question:
        return None
    matches = index.match(question, limit=SERIES_MATCHES)
    own = next((m for m in matches if m.fact.id == fact.id), None)
    if own is None or own.figure is None:
        return None
    figure = own.figure
    mine = point_of(figure, fact)
    if mine is None:
        return None  # no period: whether another figure is older cannot be told
    best: tuple[tuple[int, int], Earlier] | None = None
    for match in matches:
        other = match.figure
        if (
            match.fact.id == fact.id
            or other is None
            or not is_known(match.fact)
            or other.kind != figure.kind
            or other.unit != figure.unit
            or other.value == figure.value
            or match.score < PREVIOUS_SCORE_SHARE * own.score
        ):
            continue
        point = point_of(other, match.fact)
        if point is None or point.year > mine.year:
            continue
        key = (point.year, _date(point))
        if best is None or key > best[0]:
            best = (key, Earlier(other, match.fact))
    return (figure, best[1]) if best is not None else None


def _without_figures(fact: Fact) -> str:
    text = fact.text
    for figure in sorted(fact.figures, key=lambda f: f.start, reverse=True):
        text = text[: figure.start] + " " + text[figure.end :]
    return " ".join(text.split())
