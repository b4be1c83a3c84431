"""Issue 20, the knowledge side: hostile and unlucky input to the build.

Time and memory are not asserted here (no clocks in tests): `python -m knowledge bench
--pathological` measures them. These tests check the bounds that make them hold: how long a
word the typo index takes, how much work figure extraction does per number, the sentence caps,
the date range and the cleaning of text at the boundary.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

import knowledge.figures as figures_module
import knowledge.terms as terms_module
import knowledge.text as text_module
import knowledge.times as times_module
from knowledge import FactIndex, Skipped, extract_facts, parse_article
from knowledge.articles import Article

TODAY = dt.date(2026, 12, 7)
HEADER = "---\ndate: 2026-01-09\ntitle: Тест\n---\n\n"


def _article(tmp_path: Path, body: str, header: str = HEADER) -> Article | Skipped:
    path = tmp_path / "hostile.txt"
    path.write_text(header + body, encoding="utf-8")
    return parse_article(path, today=TODAY)


# --- 1. a long unbroken word and the typo index ------------------------------------------------


@pytest.mark.parametrize("letters", [1_000, 3_000, 30_000])
def test_typo_index_never_takes_a_word_longer_than_40_letters(
    letters: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typo neighbours of an n-letter word take n² memory (2 GB at 4,000 letters): a word
    over the cap is indexed as it is, never expanded."""
    expanded: list[int] = []

    def spy(word: str) -> set[str]:
        expanded.append(len(word))
        return set()

    monkeypatch.setattr(terms_module, "_one_typo_away", spy)
    text = f"В 2025 году слово {'ы' * letters} встретилось в статье и ещё одно словоо."
    facts = [
        fact
        for fact in extract_facts(
            Article("long.txt", "Т", dt.date(2026, 1, 9), None, (text,), "0" * 64)
        )
    ]
    index = FactIndex.build(facts, generation=1)
    assert len(index.facts) == 1
    assert max(expanded) <= 40
    assert 6 in expanded  # «словоо»: a word within the cap is still looked at


# --- 2. figure extraction does the same work for every number -----------------------------------


class _CountingSearch:
    """A compiled pattern whose searches count the characters they are given."""

    def __init__(self, regex: Any, counter: list[int]) -> None:
        self.regex = regex
        self.counter = counter

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        self.counter[0] += min(endpos, len(string)) - pos
        return self.regex.search(string, pos, endpos)


def _figure_work(sentence: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Lines of knowledge/figures.py and times.py run for `sentence`, plus the characters
    its look-back searches scan: a measure of work that no clock or machine load changes."""
    counter = [0]
    for name in ("_NAME_YEAR_RE", "_COMPARISON_RE"):
        monkeypatch.setattr(
            figures_module, name, _CountingSearch(getattr(figures_module, name), counter)
        )

    def count_lines(frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            counter[0] += 1
        return count_lines

    def trace(frame: Any, event: str, arg: Any) -> Any:
        mine = frame.f_code.co_filename in (figures_module.__file__, times_module.__file__)
        return count_lines if mine else None

    sys.settrace(trace)
    try:
        figures_module.find_figures(sentence)
    finally:
        sys.settrace(None)
    return counter[0]


@pytest.mark.parametrize(
    "piece",
    [
        "1",  # «1 1 1 …»: a 400 KB upload of them took the bot down
        "5 школ в 2025 году,",  # an amount and a year, again and again
        "Алматы 2050",  # a name with a year-like number
        "на 1,5 млрд тенге больше",
    ],
)
@pytest.mark.parametrize("count", [1_000, 4_000])
def test_figure_extraction_work_per_number_is_bounded(
    piece: str, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most 300 steps per repeated piece, however many there are: linear, where it was
    quadratic (16,000 numbers 3.2 s, 64,000 numbers 48.6 s)."""
    sentence = " ".join([piece] * count) + "."
    assert _figure_work(sentence, monkeypatch) <= 300 * count


# --- caps on a sentence and on a file -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("1 " * 200_000 + ".", "предложение длиннее 5 000 символов (400 001)"),
        ("Ы" * 30_000 + ".", "предложение длиннее 5 000 символов (30 001)"),
        ("slovo " * 333_300 + ".", "предложение длиннее 5 000 символов (1 999 801)"),
        ("В 2025 году построили 5 школ. " * 5_001, "больше 5 000 предложений"),
    ],
    ids=["200k-numbers", "30k-letter-word", "2mb-one-sentence", "5001-sentences"],
)
def test_oversized_sentences_and_files_are_refused_with_the_reason(
    tmp_path: Path, body: str, reason: str
) -> None:
    assert _article(tmp_path, body) == Skipped("hostile.txt", reason)


def test_sentences_at_the_caps_are_read(tmp_path: Path) -> None:
    body = ("Ы" * 4_999 + ".\n\n") + "В 2025 году построили 5 школ. " * 4_999
    article = _article(tmp_path, body)
    assert isinstance(article, Article)
    assert len(extract_facts(article)) == 5_000


# --- 7. dates far in the future or the past -----------------------------------------------------


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2062-01-09", "дата 09.01.2062 в будущем (сегодня 07.12.2026)"),
        ("9999-12-31", "дата 31.12.9999 в будущем (сегодня 07.12.2026)"),
        ("2026-12-11", "дата 11.12.2026 в будущем (сегодня 07.12.2026)"),
        ("1990-12-31", "дата 31.12.1990 раньше 1991 года"),
        ("1900-01-01", "дата 01.01.1900 раньше 1991 года"),
        ("2026-12-10", None),  # three days ahead: time zones, tomorrow's edition
        ("1991-01-01", None),
    ],
)
def test_article_dates_out_of_range_are_refused(
    tmp_path: Path, date: str, reason: str | None
) -> None:
    header = f"---\ndate: {date}\ntitle: Тест\n---\n\n"
    result = _article(tmp_path, "В 2025 году построили 5 школ.", header)
    if reason is None:
        assert isinstance(result, Article)
        assert result.date == dt.date.fromisoformat(date)
    else:
        assert result == Skipped("hostile.txt", reason)


# --- 3 and 5. text cleaned at the boundary ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("тури\u200bстов", "туристов"),
        ("тури\u200c\u200d\u2060\ufeff\u00adстов", "туристов"),
        ("a\x00b", "ab"),
        ("лоне \ud800 суррогат", "лоне \ufffd суррогат"),
        ("\udc00", "\ufffd"),
        ("пара \ud83d\ude00", "пара \U0001f600"),  # two halves that belong together
        ("обычный текст 😀", "обычный текст 😀"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert text_module.clean_text(raw) == clean
    clean.encode("utf-8")  # storable
