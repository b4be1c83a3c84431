"""Charts (issue 17): the points a chart draws for a series from test articles (not the
pixels), its axes, and the console chat saving the PNG to a file."""

from __future__ import annotations

import io
import re
import shutil
import struct
from pathlib import Path

import pytest

from bot.charts import axis_label, chart_points, number_ru, render_chart
from bot.config import Settings
from bot.console import run_console
from knowledge import FactStore, series_for
from knowledge.library import Library

ARTICLES = Path(__file__).with_name("articles")


def add_series_articles(articles_dir: Path) -> None:
    for name in ("tourism_2023.txt", "tourism_2024.txt"):
        shutil.copy(ARTICLES / name, articles_dir / name)


@pytest.mark.parametrize(
    ("question", "points", "axis"),
    [
        (
            "Как менялось число туристов?",
            [("2023", 1.5, False), ("2024", 1.7, False), ("9 мес. 2025*", 1.9, True)],
            "млн человек",
        ),
        (
            "туристы по годам",
            [("2023", 1.5, False), ("2024", 1.7, False), ("9 мес. 2025*", 1.9, True)],
            "млн человек",
        ),
        (
            "Динамика числа получателей адресной помощи",
            [("2023", 21.0, False), ("2025", 10.0, False)],
            "тыс. человек",
        ),
        (
            "Как менялся объем туристских услуг?",
            [("2023", 60.0, False), ("9 мес. 2025*", 82.4, True)],
            "млрд тенге",
        ),
    ],
)
async def test_chart_of_a_series_from_test_articles(
    store: FactStore,
    articles_dir: Path,
    question: str,
    points: list[tuple[str, float, bool]],
    axis: str,
) -> None:
    add_series_articles(articles_dir)
    library = await Library.open(store, articles_dir)
    _, series = series_for(library.index, question)
    assert series is not None
    drawn = chart_points(series)
    assert [(label, round(height, 3), partial) for label, height, partial in drawn] == points
    assert axis_label(series) == axis
    png = render_chart(series)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1000, 600)  # at least 800 px wide: readable on a phone


@pytest.mark.parametrize(
    ("value", "text"), [(1.9, "1,9"), (12.0, "12"), (1234.5, "1 234,5"), (82.4, "82,4")]
)
def test_number_ru(value: float, text: str) -> None:
    assert number_ru(value) == text


async def test_console_chat_saves_the_chart_and_prints_its_path(
    settings: Settings, articles_dir: Path
) -> None:
    add_series_articles(articles_dir)
    out = io.StringIO()
    code = await run_console(
        settings, stdin=io.StringIO("Как менялось число туристов?\n"), stdout=out
    )
    assert code == 0
    transcript = out.getvalue()
    assert "• 9 мес. 2025 (неполный период): 1,9 млн человек — источник от 9 января 2026" in (
        transcript
    )
    [path] = re.findall(r"График сохранён: (\S+\.png)", transcript)
    saved = Path(path)
    try:
        assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        saved.unlink()
