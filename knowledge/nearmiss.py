"""Near-misses: the articles have no answer, but only the period, the year or the place
asked about is missing — say what there is instead of a bare «нет ответа».

«Сколько туристов за весь 2025 год?» → the articles give nine months of 2025;
«… в 2024 году?» → they give 2025; «… в Астане?» → no article names Astana, they give
Almaty. The reply then does not assert the asked fact: the evaluation counts it as an
abstention (knowledge/dev/judging.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .index import FactIndex
from .match import Match
from .places import places_in
from .query import Cue
from .text import analyze, data_lines, data_lists, is_known_word, words
from .years import YEAR_ENDING_ALONE, YEAR_PREPOSITION, YEAR_WORD_LOOSE, year_words


class NearMissKind(StrEnum):
    """What the question asks that the articles do not give."""

    PERIOD = "period"  # the whole year; they give part of it
    YEAR = "year"  # another year
    PLACE = "place"  # a place no article names


@dataclass(frozen=True)
class NearMiss:
    kind: NearMissKind
    asked: str  # «весь 2025 год», «2024 год», «Астана»
    available: str | None = None  # «за девять месяцев 2025 года», «2025»; None for a place


# «в 2024 году», «за 2024 г.», «2024-го»: the year phrase of a question, with its preposition.
YEAR_PHRASE = re.compile(
    rf"(?:\b(?:{YEAR_PREPOSITION})\s+)?"
    rf"(?:(?:{year_words('whole_year_before')})\s+)?"
    rf"\b((?:19|20)\d\d)(?:-?(?:{YEAR_ENDING_ALONE}))?(?:\s*(?:{YEAR_WORD_LOOSE})(?![а-яё]))?",
    re.IGNORECASE,
)
# «за весь 2025 год»: the words asking for the whole year, left out to find a part of it.
_WHOLE_WORDS = frozenset(data_lists("year_words.txt")["whole_year_lemmas"])
# «в Шымкенте»: a preposition left out with the place after it.
_PREPOSITIONS = frozenset(data_lists("place_prepositions.txt")["left_out"])


def find_near_miss(index: FactIndex, question: str) -> tuple[NearMiss, list[Match]] | None:
    """For a question the index does not answer: what it does answer when the period, the
    year or the place is left out, and what was left out; None when that is not the only
    thing missing (or the answer would be about the very year asked)."""
    q = index.parse_question(question)
    place = q.unknown_name or unmentioned_place(index, question)
    if place:
        relaxed = _without_word(question, place)
        if relaxed == question:
            return None
        matches = index.match(relaxed, limit=3)
        if not matches:
            # «… в Астане в 2024 году?»: the year may be missing too.
            nearer = find_near_miss(index, relaxed)
            matches = nearer[1] if nearer is not None else []
        if matches and matches[0].figure is not None:
            return NearMiss(NearMissKind.PLACE, dictionary_form(place)), matches
        return None
    if not q.years:
        return None
    asked_years = sorted(q.years)
    if Cue.WHOLE_YEAR in q.cues:
        relaxed = _without_whole(question)
        matches = index.match(relaxed, limit=3) if relaxed != question else []
        if matches and matches[0].figure is not None:
            part = _part_of_year(matches[0], q.years)
            if part is not None:
                asked = f"весь {asked_years[0]} год"
                return NearMiss(NearMissKind.PERIOD, asked, part), matches
        return None
    relaxed = YEAR_PHRASE.sub(" ", question)
    relaxed = re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", relaxed)).strip()
    if relaxed == question.strip() or not re.search(r"[^\W\d_]{3}", relaxed):
        return None
    matches = index.match(relaxed, limit=3)
    if not matches or matches[0].figure is None:
        return None
    given = _year_of(matches[0])
    if given is None or given in q.years:
        return None
    asked = ", ".join(str(year) for year in asked_years) + " год"
    return NearMiss(NearMissKind.YEAR, asked, str(given)), matches


def unmentioned_place(index: FactIndex, question: str) -> str | None:
    """A place the question names in any case («в шымкенте», «в Шымкенте») that no fact of
    the index mentions; None if there is none."""
    q = index.parse_question(question)
    if q.unknown_name:
        return q.unknown_name
    for unit in q.units:
        if unit.alternatives:
            continue  # a word the facts use
        word = unit.label
        if places_in(word) != 0 or (analyze(word).place and is_known_word(word)):
            return word
    return None


def _year_of(match: Match) -> int | None:
    if match.figure is not None and match.figure.year is not None:
        return match.figure.year
    years = match.fact.years
    if years:
        return years[0]
    return match.fact.article_date.year if match.fact.article_date else None


def _part_of_year(match: Match, years: frozenset[int]) -> str | None:
    """«за девять месяцев 2025 года»: the period of the fact that covers part of a year
    asked about, or None."""
    for figure in match.fact.figures:
        if figure.kind == "period" and figure.year in years:
            text = figure.text
            return text[:1].lower() + text[1:]
    return None


def _without_whole(question: str) -> str:
    kept = [
        (start, start + len(word))
        for word, start in words(question, parts=False)
        if analyze(word).lemma in _WHOLE_WORDS
    ]
    out = question
    for start, end in reversed(kept):
        out = out[:start] + out[end:]
    return re.sub(r"\s{2,}", " ", out).strip()


def _without_word(question: str, word: str) -> str:
    """The question without `word` (and a preposition just before it)."""
    found = [(w, s) for w, s in words(question, parts=False)]
    for number, (candidate, start) in enumerate(found):
        if candidate != word.lower():
            continue
        begin = start
        if number > 0 and found[number - 1][0] in _PREPOSITIONS:
            begin = found[number - 1][1]
        out = question[:begin] + question[start + len(candidate) :]
        return re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", out)).strip()
    return question


def dictionary_form(word: str) -> str:
    """«астане» → «Астана», «шымкенте» → «Шымкент» (data/places.txt); a word the
    dictionary only guesses at is kept as typed."""
    mask = places_in(word)
    if mask and mask & (mask - 1) == 0:  # one city of data/places.txt: its first name
        return data_lines("places.txt")[mask.bit_length() - 1].split("|")[0].strip().title()
    return (analyze(word).lemma if is_known_word(word) else word).capitalize()


__all__ = [
    "YEAR_PHRASE",
    "NearMiss",
    "NearMissKind",
    "dictionary_form",
    "find_near_miss",
    "unmentioned_place",
]
