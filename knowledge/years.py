"""Years as articles and questions write them: the one family of year patterns.

knowledge/figures.py finds years in facts and knowledge/query/years.py rewrites them in
questions; both read them from here, so a year is the same thing on both sides: a four-digit
number from 1900 to 2100, «год» in its forms, and the relative words of
data/relative_years.txt («в прошлом году») counted from a present.
"""

from __future__ import annotations

import re
from functools import cache

from .text import data_lines

YEAR = r"(?:19\d\d|20\d\d|2100)"  # a four-digit year (a regex fragment)
YEAR_TOKEN = re.compile(rf"^{YEAR}$")  # a question's token that is a year

_NOT_LETTER = r"(?![а-яёa-zәғқңөұүһі])"  # patterns using these are re.IGNORECASE
# «год» after a year, in any form or abbreviated: «2025 году», «2024–2025 гг.».
YEAR_WORD = rf"(?:год(?:ах|ами|ам|ов|ом|у|а|ы)?{_NOT_LETTER}|гг?\.|гг?{_NOT_LETTER})"


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
