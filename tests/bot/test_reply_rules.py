"""The formatting rules of a reply people can trust (issue 16), table-driven: the figure
with its period in bold, only the asked part bold without a figure, balanced quotes, labels
cut at words, an unmentioned place noted in any case, old and undated figures marked."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from bot.render import balance_quotes, render_answer, shorten
from knowledge import FactIndex, extract_facts, read_articles
from knowledge.answer import ask

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SOON = dt.date(2026, 2, 1)  # within a year of every seed article
LATER = dt.date(2027, 3, 1)  # more than a year after the January 2026 article


@pytest.fixture(scope="module")
def index() -> FactIndex:
    articles, _ = read_articles(SEEDS)
    return FactIndex.build(fact for article in articles for fact in extract_facts(article))


def first_line(index: FactIndex, question: str, today: dt.date = SOON) -> str:
    text, _ = render_answer(ask(index, question), today=today)
    return text.split("\n", 1)[0]


@pytest.mark.parametrize(
    ("question", "line"),
    [
        (
            "Сколько туристов приехало в Алматы в 2025 году?",
            "<b>1,9 млн человек — за девять месяцев 2025 года</b>",
        ),
        (
            "Сколько получателей адресной социальной помощи?",
            "<b>10 тыс. человек — в 2025 году</b>",
        ),
        (
            "Сколько проектов планируется реализовать до 2030 года?",
            "<b>порядка 190 проектов — до 2030 года</b>",
        ),
        # Near-misses say what is missing before the figure.
        (
            "Сколько туристов приехало за весь 2025 год?",
            "За весь 2025 год данных нет; за девять месяцев 2025 года — <b>1,9 млн человек</b>",
        ),
        (
            "Сколько туристов приехало в Алматы в 2024 году?",
            "За 2024 год данных нет; есть за 2025: "
            "<b>1,9 млн человек — за девять месяцев 2025 года</b>",
        ),
        (
            "сколько туристов в шымкенте",
            "«Шымкент» в статьях не упоминается; вот что есть: "
            "<b>1,9 млн человек — за девять месяцев 2025 года</b>",
        ),
        (
            "сколько туристов в Шымкенте",
            "«Шымкент» в статьях не упоминается; вот что есть: "
            "<b>1,9 млн человек — за девять месяцев 2025 года</b>",
        ),
        # Without a figure only the asked part is bold: the name for «кто».
        (
            "Кто аким?",
            "«Аким Алматы <b>Дархан Сатыбалды</b> провел совщание по реализации приоритетных "
            "направлений развития, озвученных главой государства Касым-Жомартом Токаевым в "
            "интервью газете Turkistan.»",
        ),
    ],
)
def test_the_first_line_of_a_reply(index: FactIndex, question: str, line: str) -> None:
    assert first_line(index, question) == line


def test_a_figure_from_an_article_over_a_year_old_says_when_it_was_true(
    index: FactIndex,
) -> None:
    question = "Сколько туристов приехало в Алматы в 2025 году?"
    assert first_line(index, question, today=LATER) == (
        "<b>1,9 млн человек — за девять месяцев 2025 года</b> (данные на январь 2026)"
    )


def test_a_figure_from_an_undated_article_says_so(index: FactIndex) -> None:
    answer = ask(index, "Сколько туристов приехало в Алматы в 2025 году?")
    assert answer.source is not None
    undated = replace(answer, source=replace(answer.source, date=None))
    text, _ = render_answer(undated, today=SOON)
    assert text.split("\n", 1)[0] == (
        "<b>1,9 млн человек — за девять месяцев 2025 года</b> (дата публикации не указана)"
    )


@pytest.mark.parametrize(
    ("quote", "balanced"),
    [
        (
            'До 2030 года реализуют 190 проектов", – сообщил аким города.',
            "„До 2030 года реализуют 190 проектов“, – сообщил аким города.",
        ),
        (
            'В рамках "Программы развития Алматы" построят школы.',
            "В рамках „Программы развития Алматы“ построят школы.",
        ),
        ("Проект «Сердце города» завершат.", "Проект „Сердце города“ завершат."),
        ("Аким сказал: «Мы построим", "Аким сказал: „Мы построим“"),
        ("Без кавычек.", "Без кавычек."),
    ],
)
def test_quotes_inside_a_quote_are_paired(quote: str, balanced: str) -> None:
    assert balance_quotes(quote) == balanced


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        (
            "Как изменилось количество получателей адресной помощи?",
            30,
            "Как изменилось количество…",
        ),
        ("Сколько туристов приехало?", 60, "Сколько туристов приехало?"),
        ("Одноочень-длинное-слово-без-пробелов-до-самого-конца", 20, "Одноочень-длинное-с…"),
        ("Сколько, где, когда и почему", 14, "Сколько, где…"),
    ],
)
def test_labels_are_cut_at_word_boundaries(text: str, limit: int, shown: str) -> None:
    assert shorten(text, limit) == shown
    assert len(shown) <= limit
