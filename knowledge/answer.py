"""Matches → an `Answer`: the figure, the quote, the source, older figures, suggestions.

Plain structure only: rendering (HTML, buttons) is the bot's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .facts import Fact
from .figures import Figure
from .search import FactIndex, Match

MAX_QUESTION_CHARS = 500  # longer messages are not matched at all: see Answer.problem

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)


def format_date_ru(date: dt.date | None) -> str:
    """«9 января 2026», or «дата публикации не указана»."""
    if date is None:
        return "дата публикации не указана"
    return f"{date.day} {MONTHS_GENITIVE[date.month - 1]} {date.year}"


@dataclass(frozen=True)
class Source:
    article_id: str
    title: str
    date: dt.date | None
    url: str | None = None


@dataclass(frozen=True)
class Earlier:
    """An older figure for the same thing, mentioned under the newest one."""

    figure: Figure
    fact: Fact


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    figure: Figure | None = None  # shown in bold; None for facts without a figure
    quote: str | None = None  # the source sentence as written
    source: Source | None = None
    earlier: tuple[Earlier, ...] = ()
    suggestions: tuple[str, ...] = ()  # questions the bot can answer, for "not found"
    matches: tuple[Match, ...] = ()
    problem: str | None = None  # "empty" | "too_long" when the question was not matched at all


def compose(question: str, matches: list[Match], *, index: FactIndex) -> Answer:
    """Turn the matcher's result into an answer (with suggestions when nothing matched)."""
    raise NotImplementedError


def ask(index: FactIndex, question: str) -> Answer:
    """Match and compose in one call: what the bot and the CLI use."""
    raise NotImplementedError
