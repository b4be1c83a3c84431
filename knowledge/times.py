"""Time phrases in a sentence: years, months, quarters and other periods, dates.

knowledge/figures.py finds them first, so that a year is never read as an amount: each found
phrase becomes a draft figure and is masked out of the sentence. For year, month and period
figures the value is the year; a year named relative to the article's date («в прошлом
году», «за январь–апрель текущего года») is resolved against it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .text import data_lists, months
from .years import (
    YEAR,
    YEAR_ABBREVIATION,
    YEAR_GENITIVE,
    YEAR_WORD,
    relative_year_pattern,
    relative_year_shift,
    year_words,
)

LETTERS = "а-яёa-zәғқңөұүһі"  # lowercase letters, Kazakh included; patterns use re.IGNORECASE
NOT_LETTER = rf"(?![{LETTERS}])"
WORD_START = r"(?<![\w-])"


def spaced(phrase: str) -> str:
    """A regex for `phrase` with any run of spaces between its words («не\\s+более»)."""
    return r"\s+".join(map(re.escape, phrase.split()))


def longest_first(words: Iterable[str]) -> str:
    """A regex alternation of `words`, a longer one before any it starts with."""
    return "|".join(spaced(w) for w in sorted(words, key=len, reverse=True))


_WORDS = data_lists("figure_words.txt")


def figure_words(name: str) -> str:
    """List `name` of data/figure_words.txt as a regex alternation, in the order written."""
    return "|".join(map(re.escape, _WORDS[name]))


# A preposition before a time → the comparison it makes (None: the time itself).
_TIME_PREPS: dict[str, str | None] = {
    word: (None if name == "time none" else name.split()[1])
    for name, words in _WORDS.items()
    if name.startswith("time ")
    for word in words
}
_TIME_PREP = rf"(?P<prep>{longest_first(_TIME_PREPS)})"
# «с 2020 по 2025 год»: between the ends of a range of years or days.
_RANGE_TO = figure_words("range to")

_YEAR_RE = re.compile(
    rf"(?<![\w./,-])(?:{_TIME_PREP}\s+)?(?P<y1>{YEAR})"
    rf"(?:(?:\s*[-–—]\s*|\s+(?:{_RANGE_TO})\s+)(?P<y2>{YEAR}))?"
    rf"\s*(?P<word>{YEAR_WORD})",
    re.IGNORECASE,
)


_RELATIVE = f"(?:{relative_year_pattern()})"
# «в прошлом году», «к концу следующего года»: a year by the article's date.
RELATIVE_YEAR_RE = re.compile(
    rf"{WORD_START}(?:{_TIME_PREP}\s+)?(?:(?:{figure_words('year part')})[{LETTERS}]*\s+)?"
    rf"(?P<rel>{_RELATIVE})\s+(?P<word>{year_words('relative_year_forms')}){NOT_LETTER}",
    re.IGNORECASE,
)

# Each month's forms (data/months.txt) as a regex alternation, and its number.
_MONTHS = tuple(
    ("|".join(map(re.escape, month[3].split())), number)
    for number, month in enumerate(months(), start=1)
)
_MONTH = "(?:" + "|".join(stem for stem, _ in _MONTHS) + f"){NOT_LETTER}"
# The year of a month or a period: «2025 года» or «прошлого года».
_YEAR_AFTER = rf"{YEAR_GENITIVE}|(?:{YEAR_ABBREVIATION})\.|(?:{YEAR_ABBREVIATION}){NOT_LETTER}"
_PERIOD_TAIL = (
    rf"\s+(?:(?P<year>{YEAR})(?:\s*(?:{_YEAR_AFTER}))?(?!\d)"
    rf"|(?P<rel>{_RELATIVE})\s+(?:{YEAR_GENITIVE}){NOT_LETTER})"
)
_MONTH_RE = re.compile(
    rf"{WORD_START}(?:{_TIME_PREP}\s+)?(?:(?P<day>\d{{1,2}})\s+)?(?P<month>{_MONTH})"
    + _PERIOD_TAIL,
    re.IGNORECASE,
)
# "1 сентября" with no year: a date, not "1 сентября" of something; a date of the article's
# year when the article has a date, else consumed without a figure.
_DAY_MONTH_RE = re.compile(
    rf"(?<![\w.,/-])(?:{_TIME_PREP}\s+)?(?:\d{{1,2}}\s*[-–—]\s*|\d{{1,2}}\s+(?:{_RANGE_TO})\s+)?"
    rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})",
    re.IGNORECASE,
)

# «заработает в декабре»: a month without a year, after a preposition of time, is a month
# of the article's year.
MONTH_ALONE_RE = re.compile(
    rf"{WORD_START}(?P<prep>{figure_words('month alone')})\s+(?P<month>{_MONTH})", re.IGNORECASE
)

_NUMBER_WORDS = {word: n for n, word in enumerate(_WORDS["month counts"], start=1)}
_ORDINALS = {
    word: int(name.split()[1])
    for name, words in _WORDS.items()
    if name.startswith("ordinal ")
    for word in words
}
_PERIOD_MONTHS_RE = re.compile(
    rf"{WORD_START}(?:{figure_words('months from')})\s+(?:(?:{figure_words('months before')})\s+)?"
    rf"(?P<n>\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})\s+(?P<what>{figure_words('months')}){NOT_LETTER}"
    + _PERIOD_TAIL,
    re.IGNORECASE,
)
# A part of a year («квартал», «полугоди») → the unit its figure gets; the last is the
# fallback.
_PARTS = tuple(zip(_WORDS["parts"], _WORDS["part units"], strict=True))
_PERIOD_PART_RE = re.compile(
    rf"{WORD_START}(?:{figure_words('part from')})\s+(?P<ord>{longest_first(_ORDINALS)})"
    rf"(?:-?[{LETTERS}]*)?\s+(?P<what>{figure_words('parts')})[{LETTERS}]*" + _PERIOD_TAIL,
    re.IGNORECASE,
)
_PERIOD_SPAN_RE = re.compile(
    rf"{WORD_START}(?:{figure_words('months from')})\s+(?P<what>{_MONTH}\s*[-–—]\s*{_MONTH})"
    + _PERIOD_TAIL,
    re.IGNORECASE,
)

# Consumed without a figure: full dates, clock times.
_DATE_RE = re.compile(r"(?<![\w.])\d{1,2}\.\d{1,2}\.\d{2,4}(?!\d)")
_CLOCK_RE = re.compile(r"(?<![\w:])\d{1,2}:\d{2}(?![\d:])")


@dataclass
class Draft:
    """A figure being assembled (mutable until it becomes a Figure)."""

    start: int
    end: int
    value: float
    kind: str
    unit: str | None = None
    scale: str | None = None
    comparison: str | None = None
    year: int | None = None
    month: int | None = None
    prep: str | None = None  # "с"/"от"/"до" before an amount, for "с X до Y"
    number_start: int = 0  # where the text starts when the preposition is left out
    range_next: bool = False  # "10–15%": this number is the first of a digit range
    prep_start: int = 0  # where "с"/"от" before the amount begins
    change: bool = False  # "на" before it: a change («сократят на 25–30%»)


def _mask(masked: list[str], start: int, end: int) -> None:
    # Masked characters are not digits, letters or spaces, so no later pattern reads them.
    masked[start:end] = "#" * (end - start)


def _free(masked: list[str], start: int, end: int) -> bool:
    return "#" not in masked[start:end]


def _prep(match: re.Match[str]) -> str | None:
    prep = match.group("prep")
    return " ".join(prep.lower().split()) if prep else None


def _year_of(match: re.Match[str], today: dt.date | None) -> int | None:
    """The year a time phrase names: written out, or relative to `today` (None: unknown)."""
    if match.group("year") is not None:
        return int(match.group("year"))
    if today is None:
        return None
    return today.year + relative_year_shift(match.group("rel"))


def find_times(sentence: str, masked: list[str], today: dt.date | None) -> list[Draft]:
    """Periods, months and years (in that order, so the longer phrase wins); masks them."""
    times: list[Draft] = []
    for regex in (_PERIOD_MONTHS_RE, _PERIOD_PART_RE, _PERIOD_SPAN_RE):
        times += _take(regex, sentence, masked, lambda m: _period_drafts(m, today))
    times += _take(_MONTH_RE, sentence, masked, lambda m: _month_drafts(m, today))
    times += _take(_YEAR_RE, sentence, masked, _year_drafts)
    if today is not None:
        times += _take(RELATIVE_YEAR_RE, sentence, masked, lambda m: _relative_drafts(m, today))
    for match in _DAY_MONTH_RE.finditer("".join(masked)):
        if today is not None:
            times.append(_month_of_this_year(match, today))
        _mask(masked, match.start(), match.end())
    if today is not None:
        for match in MONTH_ALONE_RE.finditer("".join(masked)):
            times.append(_month_of_this_year(match, today))
            _mask(masked, match.start(), match.end())
    for regex in (_DATE_RE, _CLOCK_RE):
        for match in regex.finditer("".join(masked)):
            _mask(masked, match.start(), match.end())
    return times


def _take(
    regex: re.Pattern[str],
    sentence: str,
    masked: list[str],
    drafts_of: Callable[[re.Match[str]], list[Draft] | None],
) -> list[Draft]:
    """The drafts of `regex`'s matches not masked yet, each masked once taken (None from
    `drafts_of`: not a time after all, left for the next patterns)."""
    taken: list[Draft] = []
    for match in regex.finditer(sentence):
        if not _free(masked, match.start(), match.end()):
            continue
        drafts = drafts_of(match)
        if drafts is None:
            continue
        taken += drafts
        _mask(masked, match.start(), match.end())
    return taken


def _comparison(match: re.Match[str]) -> str | None:
    prep = _prep(match)
    return _TIME_PREPS.get(prep) if prep else None


def _period_drafts(match: re.Match[str], today: dt.date | None) -> list[Draft] | None:
    year = _year_of(match, today)
    if year is None:
        return None
    return [Draft(match.start(), match.end(), float(year), "period",
                  unit=_period_unit(match), year=year)]  # fmt: skip


def _month_drafts(match: re.Match[str], today: dt.date | None) -> list[Draft] | None:
    year = _year_of(match, today)
    if year is None:
        return None
    return [Draft(match.start(), match.end(), float(year), "month",
                  comparison=_comparison(match), year=year,
                  month=_month_number(match.group("month")))]  # fmt: skip


def _month_of_this_year(match: re.Match[str], today: dt.date) -> Draft:
    """«1 сентября», «в декабре»: a month without a year is one of the article's year."""
    return Draft(match.start(), match.end(), float(today.year), "month",
                 comparison=_comparison(match), year=today.year,
                 month=_month_number(match.group("month")))  # fmt: skip


def _relative_drafts(match: re.Match[str], today: dt.date) -> list[Draft]:
    year = today.year + relative_year_shift(match.group("rel"))
    return [Draft(match.start(), match.end(), float(year), "year",
                  comparison=_comparison(match), year=year)]  # fmt: skip


def _year_drafts(match: re.Match[str]) -> list[Draft]:
    y1 = int(match.group("y1"))
    if match.group("y2") is None:
        return [Draft(match.start(), match.end(), float(y1), "year",
                      comparison=_comparison(match), year=y1)]  # fmt: skip
    # "2025–2030 годы", "с 2020 по 2025 год": two years, from and to.
    y2 = int(match.group("y2"))
    return [
        Draft(match.start(), match.end("y1"), float(y1), "year", comparison="from", year=y1),
        Draft(match.start("y2"), match.end(), float(y2), "year", comparison="to", year=y2),
    ]


def _month_number(word: str) -> int:
    for stem, number in _MONTHS:
        if re.fullmatch(stem, word, re.IGNORECASE):
            return number
    raise ValueError(word)


def _period_unit(match: re.Match[str]) -> str:
    """ "9 месяцев", "1 квартал", "1 полугодие", "январь–сентябрь"."""
    groups = match.groupdict()
    if groups.get("n"):
        n = groups["n"].lower()
        count = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        return f"{count} {groups['what']}"
    if groups.get("ord"):
        number = _ORDINALS[groups["ord"].lower().replace("ё", "е")]
        part = groups["what"].lower()
        what = next((unit for stem, unit in _PARTS if part == stem), _PARTS[-1][1])
        return f"{number} {what}"
    return " ".join(groups["what"].split())
