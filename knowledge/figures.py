"""Figures in a sentence: value, unit, scale, comparison and the period they speak of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    text: str  # as written in the sentence: "1,9 млн человек", "8%", "в июне 2024 года"
    value: float  # scaled: 1_900_000.0 ; for a year 2025.0
    kind: str  # "count" | "money" | "percent" | "length" | "area" | "year" | "month" | "period" | "number"
    unit: str | None = None  # "человек", "тенге", "%", "км", "га", "проект", "тыс. субъектов"...
    scale: str | None = None  # "тыс." | "млн" | "млрд" | "трлн" | None
    # "more" (более, свыше) | "less" (менее) | "about" (около, порядка) | "up_to" (до N, до 2030 года)
    # | "by_date" (к 2029 году) | "change" (на 8%, вырос на 17,3%) | "from" / "to" (с 21 тыс. … до 10 тыс.)
    comparison: str | None = None
    year: int | None = None  # the year the figure refers to, when the sentence ties one to it
    month: int | None = None  # 1..12 for "в июне 2024 года"
    start: int = 0  # character offsets of `text` in the sentence
    end: int = 0


def find_figures(sentence: str) -> list[Figure]:
    """Every figure in `sentence`, in order of appearance."""
    raise NotImplementedError
