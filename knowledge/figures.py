"""Figures in a sentence: value, unit, scale, comparison and the period they speak of.

Time phrases ("в 2025 году", "в июне 2024 года", "за девять месяцев 2025 года") are found
first (knowledge/times.py); amounts are then read from the rest of the sentence, so a year
is never an amount.
For year, month and period figures `value` is the year. A year named relative to the
article's date («в прошлом году», «за январь–апрель текущего года») is resolved against it.

Amounts are written in digits or in words («пять новых поликлиник», «полтора миллиарда
тенге», «вдвое»; the words are in `data/number_words.txt`). «В N раза» and «вдвое» are
multipliers; «2,9 тыс. человек на 1 кв. км» is one figure, a density, not a count and an area.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache

import pymorphy3

from .text import data_lines, data_lists
from .times import LETTERS as _L
from .times import (
    MONTH_ALONE_RE,
    RELATIVE_YEAR_RE,
    Draft,
    figure_words,
    find_times,
    longest_first,
)
from .times import NOT_LETTER as _NOT_LETTER
from .years import YEAR


@dataclass(frozen=True, slots=True)
class Figure:
    text: str  # as written in the sentence: "1,9 млн человек", "8%", "в июне 2024 года"
    value: float  # scaled: 1_900_000.0 ; for a year 2025.0
    # "count" | "money" | "percent" | "length" | "area" | "duration" | "year" | "month"
    # | "period" | "number"
    # ("number" also for a multiplier, «в 2 раза», «вдвое»: its comparison is "change")
    kind: str
    unit: str | None = None  # "человек", "тенге", "%", "км", "га", "проект", "тыс. субъектов"...
    scale: str | None = None  # "тыс." | "млн" | "млрд" | "трлн" | None
    # "more" (более, свыше) | "less" (менее) | "about" (около, порядка)
    # | "up_to" (до N, до 2030 года) | "by_date" (к 2029 году) | "change" (на 8%, вырос на 17,3%)
    # | "from" / "to" (с 21 тыс. … до 10 тыс.) | "range" (от 3 до 12 тысяч, 25–30%: its text
    # the whole range, its value the upper bound)
    comparison: str | None = None
    year: int | None = None  # the year the figure refers to, when the sentence ties one to it
    month: int | None = None  # 1..12 for "в июне 2024 года"
    start: int = 0  # character offsets of `text` in the sentence
    end: int = 0

    @property
    def label(self) -> str:
        """The figure as shown: its text, with the unit it shares with a partner figure
        («с 21 тыс. человек … до 10 тыс.» → «10 тыс. человек»)."""
        if self.unit and self.unit != "%" and self.unit not in self.text:
            return f"{self.text} {self.unit}"
        return self.text


_ANY_DIGIT = re.compile(r"\d")

# How far (in words) a year phrase may follow an amount and still be its year.
YEAR_ATTACH_MAX_WORDS = 4

_NUMBER_RE = re.compile(r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3}(?!\d))+|\d+)(?:[.,]\d+)?")


def _written(name: str) -> list[tuple[str, str, re.Pattern[str]]]:
    """Data file `name` of «a | b | pattern» lines (data/scales.txt, data/units.txt): the two
    cells and the pattern, where {L} is any letter and {END} «no letter follows»."""
    rows = []
    for line in data_lines(name):
        first, second, pattern = (cell.strip() for cell in line.split("|", 2))
        pattern = pattern.replace("{L}", f"[{_L}]").replace("{END}", _NOT_LETTER)
        rows.append((first, second, re.compile(pattern, re.IGNORECASE)))
    return rows


# (pattern, scale, multiplier), tried in order right after the number.
_SCALES = tuple(
    (regex, scale, float(multiplier)) for scale, multiplier, regex in _written("scales.txt")
)
_SCALE_MULTIPLIERS = {scale: multiplier for _, scale, multiplier in _SCALES}

# (pattern, kind, normalised unit), tried in order right after the number (and scale).
_UNITS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (regex, kind, unit) for kind, unit, regex in _written("units.txt")
)

_WORDS = data_lists("figure_words.txt")
# «$5 млн»: a currency sign before the amount → the unit it stands for.
_CURRENCY_PREFIX_UNITS = dict(pair.split() for pair in _WORDS["currency signs"])
_CURRENCY_PREFIX_RE = re.compile(rf"([{''.join(map(re.escape, _CURRENCY_PREFIX_UNITS))}])\s?$")
_COMPARISONS = {
    word: name.split()[1] for name, words in _WORDS.items() if name.startswith("comparison ")
    for word in words
}  # fmt: skip
_FROM_WORDS = frozenset(_WORDS["from"])
_TO_WORDS = frozenset(_WORDS["to"])  # «до» after a «from» amount: the range's other end
_SPREAD_FROM_WORDS = frozenset(_WORDS["spread from"])  # «от 3 до 12»: one figure
_CHANGE_PREPOSITIONS = frozenset(_WORDS["change"])  # «на 8%»
# Before an amount: a comparison, «на» (a change, see _read_comparison) or a range's start.
_COMPARISON_RE = re.compile(
    rf"(?<![\w-])({longest_first([*_COMPARISONS, *_CHANGE_PREPOSITIONS, *_FROM_WORDS])})\s+$",
    re.IGNORECASE,
)
# "на N" is a change when a word of change comes just before it ("вырос на 17,3%").
_CHANGE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(map(re.escape, _WORDS["change stems"])) + ")", re.IGNORECASE
)
# A word glued to "/" ("км/ч") is a compound unit we do not model, not a counted noun.
_WORD_RE = re.compile(rf"\s+(?P<word>[{_L}][{_L}\w-]*)(?![\w/-])", re.IGNORECASE)
_ADJECTIVE_POS = frozenset({"ADJF", "PRTF"})
_PROPER_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# Punctuation between an amount and a year phrase means the year belongs to something else.
_CLAUSE_BREAK_RE = re.compile(r"[,;:()\[\]–—\"«»]")
_MAX_ADJECTIVES = 2
# A bare year-like number right after a capitalised word is part of a name ("Алматы 2050").
_NAME_YEAR_RE = re.compile(r"(?<=\s)[A-ZА-ЯЁ][\w-]*\s+$")
_NAME_MAX_CHARS = 64  # how far back that name is looked for (a bound on the work per number)
_YEAR_VALUE_RE = re.compile(YEAR)


def find_figures(sentence: str, *, today: dt.date | None = None) -> list[Figure]:
    """Every figure in `sentence`, in order of appearance. `today` is the article's date:
    «в прошлом году» is read against it (without it such a phrase is no figure)."""
    if not (
        _ANY_DIGIT.search(sentence)
        or _number_word_in(sentence)
        or (
            today is not None
            and (RELATIVE_YEAR_RE.search(sentence) or MONTH_ALONE_RE.search(sentence))
        )
    ):
        return []
    masked = list(sentence)
    times = find_times(sentence, masked, today)
    amounts = _find_amounts("".join(masked))
    _pair_ranges(amounts)
    amounts = _join_spreads(amounts)
    _attach_years(sentence, amounts, times)
    drafts: list[Draft] = []
    # Amount patterns can overlap at the edges («0$0»: «0$» and «$0»); the first one wins.
    for draft in sorted(times + amounts, key=lambda d: (d.start, -d.end)):
        if not drafts or draft.start >= drafts[-1].end:
            drafts.append(draft)
    return [
        Figure(
            text=sentence[d.start : d.end],
            value=d.value,
            kind=d.kind,
            unit=d.unit,
            scale=d.scale,
            comparison=d.comparison,
            year=d.year,
            month=d.month,
            start=d.start,
            end=d.end,
        )
        for d in drafts
    ]


# Compiled once: they run for every number of a sentence (a hostile one may hold 200,000).
_THIN_SPACES_RE = re.compile(r"[ \u00a0\u202f]")
_RANGE_NEXT_RE = re.compile(r"[-–—]\d")
_NUMBER_SIGN_RE = re.compile(r"№\s*$")


def _find_amounts(masked: str) -> list[Draft]:
    amounts: list[Draft] = []
    for match in _NUMBER_RE.finditer(masked):
        start, end = match.start(), match.end()
        if not _standalone_number(masked, start, end):
            continue
        value = float(_THIN_SPACES_RE.sub("", match.group()).replace(",", "."))
        draft = Draft(start, end, value, "number", number_start=start)
        _read_currency_prefix(masked, draft)
        _read_scale_and_unit(masked, draft)
        if (
            draft.kind == "number"
            and draft.scale is None
            and _NAME_YEAR_RE.search(masked, max(0, start - _NAME_MAX_CHARS), start)
            and _YEAR_VALUE_RE.fullmatch(match.group())
        ):
            continue  # "Алматы 2050", "Экспо 2017": a name, not an amount
        _read_comparison(masked, draft)
        draft.range_next = draft.end == end and bool(_RANGE_NEXT_RE.match(masked, end))
        amounts.append(draft)
    amounts += _word_amounts(masked)
    for draft in amounts:
        _read_multiplier(masked, draft)
        _read_denominator(masked, draft)
    return sorted(amounts, key=lambda d: d.start)


def _word_amounts(masked: str) -> list[Draft]:
    """Amounts written in words: «пять новых поликлиник», «двадцать пять км», «вдвое»,
    «трёх-четырёх месяцев» (a spread), «половина», «три четверти» (shares)."""
    table = _number_words()
    drafts: list[Draft] = []
    for match in _number_spread_re().finditer(masked):
        low, high = (table[w.lower().replace("ё", "е")] for w in match.group("low", "high"))
        if low[1] or high[1] or low[0] >= high[0]:
            continue  # multipliers and shares do not make spreads
        draft = Draft(match.start(), match.end(), high[0], "number", number_start=match.start())
        _read_scale_and_unit(masked, draft)
        draft.comparison = "range"
        drafts.append(draft)
        start, end = match.span()
        masked = masked[:start] + "#" * (end - start) + masked[end:]  # read once
    run: list[tuple[int, int, float, str | None]] = []  # (start, end, value, mark) of a number

    def flush() -> None:
        if not run:
            return
        start, end, mark = run[0][0], run[-1][1], run[0][3]
        value = sum(v for _, _, v, _ in run)
        draft = Draft(start, end, value, "number", number_start=start)
        if mark == "times":
            draft.unit, draft.comparison = _MULTIPLIER_UNIT, "change"
        elif mark == "share":
            draft.kind, draft.unit = "percent", "%"
            _read_comparison(masked, draft)
        else:
            _read_scale_and_unit(masked, draft)
            _read_comparison(masked, draft)
        drafts.append(draft)
        run.clear()

    for match in _number_word_re().finditer(masked):
        value, mark = table[match.group().lower().replace("ё", "е")]
        multiplier = mark == "times"
        if mark == "share":
            if run and not run[-1][3] and masked[run[-1][1] : match.start()].isspace():
                # «три четверти», «две трети»: so many shares
                count = sum(v for _, _, v, _ in run)
                run[:] = [(run[0][0], match.end(), round(count * value, 1), mark)]
                flush()
                continue
            flush()
            if _ORDINAL_BEFORE_RE.search(masked, max(0, match.start() - 12), match.start()):
                continue  # «в первой половине года»: a part of a period, not a share
            run.append((match.start(), match.end(), value, mark))
            flush()
            continue
        # «двадцать пять», «сто двадцать»: a smaller number right after a round one adds up.
        if (
            run
            and not multiplier
            and mark is None
            and not run[-1][3]
            and masked[run[-1][1] : match.start()].isspace()
            and value < run[-1][2]
            and run[-1][2] % 10 == 0
            and run[-1][2] >= 20
        ):
            run.append((match.start(), match.end(), value, mark))
            continue
        flush()
        run.append((match.start(), match.end(), value, mark))
    flush()
    return drafts


@cache
def _number_words() -> dict[str, tuple[float, str | None]]:
    """Every form of every number word (data/number_words.txt) → (value, mark): the mark
    is «times» for a multiplier, «share» for a share (its value in per cent), else None."""
    table: dict[str, tuple[float, str | None]] = {}
    for line in data_lines("number_words.txt"):
        lemma, value, *rest = line.split()
        mark = rest[0] if rest else None
        forms = {lemma}
        for parse in _morph().parse(lemma):
            if parse.normal_form == lemma and parse.tag.POS in ("NUMR", "ADVB", "NOUN"):
                forms.update(form.word for form in parse.lexeme)
        for form in forms:
            table[form.replace("ё", "е")] = (float(value), mark)
    return table


@cache
def _number_word_alternatives() -> str:
    forms = sorted(_number_words(), key=len, reverse=True)
    return "|".join(f.replace("е", "[её]") for f in forms)


@cache
def _number_word_re() -> re.Pattern[str]:
    alternatives = _number_word_alternatives()
    return re.compile(rf"(?<![\w#-])(?:{alternatives})(?![\w#-])", re.IGNORECASE)


@cache
def _number_spread_re() -> re.Pattern[str]:
    """«трёх-четырёх», «двух–трёх»: two number words joined by a dash."""
    alternatives = _number_word_alternatives()
    return re.compile(
        rf"(?<![\w#-])(?P<low>{alternatives})\s*[-–—]\s*(?P<high>{alternatives})(?![\w#-])",
        re.IGNORECASE,
    )


_ORDINAL_BEFORE_RE = re.compile(rf"(?:{figure_words('share ordinals')})[а-яё]*\s+$", re.IGNORECASE)


def _number_word_in(sentence: str) -> bool:
    return bool(_number_word_re().search(sentence) or _number_spread_re().search(sentence))


# «в 2 раза», «в три раза»: a multiplier, a change by so many times.
_MULTIPLIER_UNIT = _WORDS["multiplier"][0]
_TIMES_BEFORE_RE = re.compile(
    rf"(?<![\w-])(?:{figure_words('multiplier before')})\s+$", re.IGNORECASE
)
_TIMES_UNIT_RE = re.compile(rf"(?:{figure_words('multiplier')}){_NOT_LETTER}", re.IGNORECASE)
# «2,9 тыс. человек на 1 кв. км», «50 тыс. тенге на каждого ребёнка»: a rate, one figure.
_PER_WHAT = "|".join(
    re.escape(word[:-1]) + f"[{_L}]*" if word.endswith("*") else re.escape(word)
    for word in _WORDS["per what"]
)
_DENOMINATOR_RE = re.compile(
    rf"\s+(?:{figure_words('per')})\s+(?:{_PER_WHAT})(?=\s)", re.IGNORECASE
)


def _read_multiplier(masked: str, draft: Draft) -> None:
    if draft.unit is None or not _TIMES_UNIT_RE.fullmatch(draft.unit):
        return
    before = _TIMES_BEFORE_RE.search(masked, max(0, draft.start - 4), draft.start)
    if before is None:
        return
    draft.start, draft.kind = before.start(), "number"
    draft.unit, draft.comparison = _MULTIPLIER_UNIT, "change"


def _read_denominator(masked: str, draft: Draft) -> None:
    if draft.unit is None or draft.unit == _MULTIPLIER_UNIT:
        return
    per = _DENOMINATOR_RE.match(masked, draft.end)
    if per is None:
        return
    position = _skip_spaces(masked, per.end())
    for regex, _, _ in _UNITS:
        unit = regex.match(masked, position)
        if unit:
            end = unit.end()
            break
    else:
        noun_end = _noun_group_end(masked, per.end())
        if noun_end is None:
            return
        end = noun_end
    draft.unit = f"{draft.unit} {masked[draft.end : end].strip()}"
    draft.end = end


def _standalone_number(masked: str, start: int, end: int) -> bool:
    """False for digits inside names and words: "24/7", "COVID-19", "3-х", "№ 5", "5G"."""
    before = masked[start - 1] if start > 0 else " "
    after = masked[end] if end < len(masked) else " "
    if before.isalnum() or before in "_/.,#":
        return False
    if before in "-–—" and start >= 2 and masked[start - 2].isalpha():
        return False  # "COVID-19" is a name; "10–15" is the second number of a range
    if _NUMBER_SIGN_RE.search(masked[max(0, start - 3) : start]):
        return False
    if after in "/#_":
        return False
    if after == "-" and masked[end + 1 : end + 2].isalpha():
        return False  # "3-х", "1-й": ordinals and case endings
    if after.isalpha():
        # A glued unit ("5км", "100млн") is fine; anything else is a name like "5G".
        return any(regex.match(masked, end) for regex, _, _ in (*_UNITS, *_SCALES))
    return True


def _read_currency_prefix(masked: str, draft: Draft) -> None:
    match = _CURRENCY_PREFIX_RE.search(masked[max(0, draft.start - 2) : draft.start])
    if match:
        draft.start -= len(match.group(0))
        draft.number_start = draft.start
        draft.kind = "money"
        draft.unit = _CURRENCY_PREFIX_UNITS[match.group(1)]


def _read_scale_and_unit(masked: str, draft: Draft) -> None:
    position = _skip_spaces(masked, draft.end)
    if position < len(masked) and masked[position].isdigit():
        return  # another number follows: no scale or unit starts with a digit
    for regex, scale, multiplier in _SCALES:
        match = regex.match(masked, position)
        if match:
            draft.scale, draft.end = scale, match.end()
            draft.value *= multiplier
            break
    if draft.unit is not None:
        return  # "$5 млн": the currency came first
    position = _skip_spaces(masked, draft.end)
    for regex, kind, unit in _UNITS:
        match = regex.match(masked, position)
        if match:
            draft.kind, draft.unit, draft.end = kind, unit, match.end()
            return
    noun_end = _noun_group_end(masked, draft.end)
    if noun_end is not None:
        draft.kind, draft.unit, draft.end = "count", masked[position:noun_end], noun_end
        if _last_lemma(draft.unit) in durations():
            draft.kind = "duration"  # «в течение двух лет», «за три месяца»


def _last_lemma(words: str) -> str:
    return _morph().parse(words.split()[-1])[0].normal_form


@cache
def durations() -> frozenset[str]:
    """Nouns that make an amount a length of time (data/durations.txt)."""
    return frozenset(data_lines("durations.txt"))


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _noun_group_end(masked: str, position: int) -> int | None:
    """End of "noun" or "adjective(s) noun" right after `position`, if the words are that."""
    for _ in range(_MAX_ADJECTIVES + 1):
        match = _WORD_RE.match(masked, position)
        if not match:
            return None
        kind = _word_kind(match.group("word"))
        if kind == "noun":
            return match.end()
        if kind != "adjective":
            return None
        position = match.end()
    return None


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=4096)
def _word_kind(word: str) -> str:
    """ "noun", "adjective" or "other" for a word after a number."""
    if len(word) >= 2 and word.isupper():
        return "noun"  # an abbreviation: "5 МСП", "10 ТЭЦ"
    if word[0].isupper() and word[1:2].islower():
        return "other"  # a name or the next clause, not what is counted
    parse = _morph().parse(word)[0]
    if parse.tag.POS == "NOUN" and not (_PROPER_NAME_TAGS & set(parse.tag.grammemes)):
        return "noun"
    if parse.tag.POS in _ADJECTIVE_POS:
        return "adjective"
    return "other"


def _read_comparison(masked: str, draft: Draft) -> None:
    match = _COMPARISON_RE.search(masked, max(0, draft.start - 40), draft.start)
    if not match:
        return
    word = " ".join(match.group(1).lower().split())
    word_start = match.start()
    if word in _CHANGE_PREPOSITIONS:
        before = masked[max(0, word_start - 60) : word_start].split()[-3:]
        if draft.kind == "percent" or any(_CHANGE_RE.match(w) for w in before):
            draft.comparison = "change"
            draft.start = word_start
            draft.change = True
        else:
            draft.prep, draft.prep_start = word, word_start  # «на 25–30%»: see _join_spreads
        return
    if word in _FROM_WORDS:
        draft.prep = word  # a comparison only when a "до" figure follows
        draft.prep_start = word_start
        return
    draft.comparison = _COMPARISONS[word]
    draft.prep = word
    draft.start = word_start


def _pair_ranges(amounts: list[Draft]) -> None:
    """ "с 21 тыс. человек … до 10 тыс.", "от 10 до 15%", "10–15%": from and to."""
    for first, second in zip(amounts, amounts[1:], strict=False):
        digit_range = first.range_next and second.start == first.end + 1
        if not digit_range and not (first.prep in _FROM_WORDS and second.prep in _TO_WORDS):
            continue
        first.comparison, second.comparison = "from", "to"
        # The preposition marks the range; the figure itself is just the amount.
        second.start = second.number_start
        if second.unit is None and first.unit is not None:
            second.kind, second.unit = first.kind, first.unit
        elif first.unit is None and second.unit is not None:
            first.kind, first.unit = second.kind, second.unit
            if first.scale is None and second.scale is not None:
                # "от 1 до 2 млн тенге": the scale is written once, for both.
                first.scale = second.scale
                first.value *= _SCALE_MULTIPLIERS[second.scale]


def _join_spreads(amounts: list[Draft]) -> list[Draft]:
    """ "10–15%", "от 3 до 12 тысяч тенге": a spread of values is one figure, its text the
    whole range and its value the upper bound. ("с 21 тыс. … до 10 тыс." stays two: a
    change from one value to another.)"""
    joined: list[Draft] = []
    skip = False
    for first, second in zip(amounts, [*amounts[1:], None], strict=False):
        if skip:
            skip = False
            continue
        spread = (
            second is not None
            and first.comparison == "from"
            and second.comparison == "to"
            and (first.range_next or first.prep in _SPREAD_FROM_WORDS)
        )
        if spread and second is not None:
            first.end, first.value = second.end, second.value
            first.comparison = "range"
            if first.change:
                first.comparison = "change"
            elif first.prep in _CHANGE_PREPOSITIONS and second.kind == "percent":
                first.comparison, first.start = "change", first.prep_start
            if first.prep in _SPREAD_FROM_WORDS:
                first.start = first.prep_start
            first.scale = second.scale or first.scale
            skip = True
        joined.append(first)
    return joined


def _attach_years(sentence: str, amounts: list[Draft], times: list[Draft]) -> None:
    """A year phrase right after an amount is its year; else the sentence's only year."""
    years = {t.year for t in times if t.year is not None}
    only_year = next(iter(years)) if len(years) == 1 else None
    ordered = sorted(times, key=lambda t: t.start)
    starts = [t.start for t in ordered]
    for amount in amounts:
        amount.year = only_year
        at = bisect_left(starts, amount.end)  # the first time phrase after the amount
        if at == len(ordered):
            continue
        following = ordered[at]
        gap = sentence[amount.end : following.start]
        if not _CLAUSE_BREAK_RE.search(gap) and len(gap.split()) <= YEAR_ATTACH_MAX_WORDS:
            amount.year = following.year
