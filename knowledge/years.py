"""Years as articles and questions write them: the one family of year patterns.

knowledge/figures.py finds years in facts and knowledge/query/years.py rewrites them in
questions; both read them from here, so a year is the same thing on both sides: a four-digit
number from 1900 to 2100, «год» in its forms, and the relative words of
data/relative_years.txt («в прошлом году») counted from a present.
"""

from __future__ import annotations

import re
from functools import cache

from .text import data_lines, data_lists

YEAR = r"(?:19\d\d|20\d\d|2100)"  # a four-digit year (a regex fragment)
YEAR_TOKEN = re.compile(rf"^{YEAR}$")  # a question's token that is a year


def year_words(name: str) -> str:
    """List `name` of data/year_words.txt as a regex alternation, in the order written."""
    return "|".join(map(re.escape, data_lists("year_words.txt")[name]))


_NOT_LETTER = r"(?![а-яёa-zәғқңөұүһі])"  # patterns using these are re.IGNORECASE
# «г» and «гг»: a year or years abbreviated («2025 г.», «2024–2025 гг.»).
YEAR_ABBREVIATION = year_words("year_abbreviation")
_ABBREVIATIONS = f"{year_words('years_abbreviation')}|{YEAR_ABBREVIATION}"
# «года»: the year of a date or a period («9 мая 2025 года», «прошлого года»).
YEAR_GENITIVE = year_words("year_genitive")
# «год» after a year, in any form or abbreviated: «2025 году», «2024–2025 гг.».
YEAR_WORD = (
    rf"(?:(?:{year_words('year_word_forms')}){_NOT_LETTER}"
    rf"|(?:{_ABBREVIATIONS})\.|(?:{_ABBREVIATIONS}){_NOT_LETTER})"
)
# The year phrase of a question, read loosely: the prepositions before a year («в», «по
# итогам»), the ending of a year alone («2024-го») and the word after it, «год» with any
# ending or abbreviated, a dot or not.
YEAR_PREPOSITION = year_words("year_prepositions")
YEAR_ENDING_ALONE = year_words("year_ending_alone")
YEAR_WORD_LOOSE = rf"(?:{year_words('year_word_stem')})[а-я]*|(?:{_ABBREVIATIONS})\.?"


@cache
def relative_years() -> tuple[tuple[str, int], ...]:
    """data/relative_years.txt: (word or «beginning*», years from the present)."""
    out = []
    for line in data_lines("relative_years.txt"):
        shift, listed = line.split(":", 1)
        out += [(w.strip(), int(shift)) for w in listed.split("|") if w.strip()]
    return tuple(out)


def relative_year_pattern() -> str:
    """A regex alternation of the words of `relative_years` («прошл\\w*|этом|…»)."""
    return "|".join(
        re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word)
        for word, _ in relative_years()
    )


def relative_year_shift(word: str) -> int:
    """Years from the present that `word` («прошлом», «текущего») points; KeyError if none."""
    word = word.lower()
    for written, shift in relative_years():
        if word == written or (written.endswith("*") and word.startswith(written[:-1])):
            return shift
    raise KeyError(word)
