"""Which cities a text names, from `data/places.txt`: a question about Astana is not
answered from an article about Shymkent, however well its words match.

A place is a bit of an int mask, so that a fact's places are one integer in the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from .facts import Fact
from .text import analyze, data_lines, is_known_word, words

MAX_PLACES = 63  # bits of an int64 mask


@cache
def _names() -> tuple[tuple[tuple[str, ...], int], ...]:
    """(lemma sequence, place number), longest first so «южная столица» beats «столица»."""
    names: list[tuple[tuple[str, ...], int]] = []
    lines = data_lines("places.txt")
    if len(lines) > MAX_PLACES:
        raise ValueError(f"data/places.txt: at most {MAX_PLACES} places")
    for number, line in enumerate(lines):
        for name in line.split("|"):
            names.append((tuple(name.split()), number))
    return tuple(sorted(names, key=lambda entry: -len(entry[0])))


@cache
def _by_last_word() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Names by their last lemma («столица» → «южный столица», «столица»), longest first."""
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for name, number in _names():
        table.setdefault(name[-1], []).append((name, number))
    return {last: tuple(names) for last, names in table.items()}


def places_in(text: str) -> int:
    """The cities `text` names, as a bit mask (0: none). One look-up per word."""
    table = _by_last_word()
    readings: list[frozenset[str]] = []
    mask = 0
    for word, start in words(text):
        word_readings = analyze(word).readings
        # The name as written counts when it is written as a name, or is no Russian word:
        # «многодетных семей» are families, «в Семее» and «Семей» the city.
        if text[start].isupper() or not is_known_word(word):
            word_readings = word_readings | {word.lower()}
        readings.append(word_readings)
        for reading in word_readings & table.keys():
            for name, number in table[reading]:
                size = len(name)
                if size <= len(readings) and all(
                    name[i] in readings[len(readings) - size + i] for i in range(size - 1)
                ):
                    mask |= 1 << number
                    break  # the longest name ending here: «южная столица», not «столица»
    return mask


def article_places(facts: Sequence[Fact]) -> int:
    """The cities one article is about: those its headline and lead name, else any it names."""
    if not facts:
        return 0
    named = places_in(f"{facts[0].article_title}. {facts[0].text}")
    if named:
        return named
    mask = 0
    for fact in facts:
        mask |= places_in(fact.text)
    return mask


def agree(question_places: int, fact_places: np.ndarray) -> np.ndarray:
    """May facts about `fact_places` (masks) answer a question about `question_places`?
    Yes unless both name cities and none is the same."""
    if not question_places:
        return np.ones(len(fact_places), dtype=bool)
    return (fact_places == 0) | ((fact_places & question_places) != 0)


# The city the bot is about, the first line of data/places.txt: a question that names no
# city asks about it («Сколько туристов приехало?» is not answered from Shymkent's news).
HOME_PLACE = 1 << 0
