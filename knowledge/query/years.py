"""Years as a question writes them, rewritten to four digits before anything else reads it.

«в 25м», «2025-го», «в прошлом году», «до конца десятилетия» all become a plain year, so the
rest of the question path knows one spelling. Relative years count from the facts' present
(the year the newest article is written in), which a fresh article moves on. The words live
in data/year_words.txt and data/relative_years.txt.
"""

from __future__ import annotations

import re
from functools import cache

from ..facts import split_sentences
from ..years import YEAR, relative_year_pattern, relative_year_shift
from .words import word_list


def _any(name: str) -> str:
    return "|".join(re.escape(w) for w in word_list(name, "year_words.txt"))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a two-digit year, a case ending on a year, the decade's end, a relative year)."""
    year_word = re.escape(word_list("year_forms", "year_words.txt")[0])
    short_year = re.compile(
        rf"(?P<prep>(?<!\w)(?:{_any('short_year_prepositions')}))\s+(?P<yy>[12]\d|3[0-9])"
        rf"(?:-?(?:{_any('short_year_endings')})(?!\w)|(?=\s+{year_word})|(?=\s*[?!.]*\s*$))"
        rf"|(?<![\w,.])(?P<yy_alone>[12]\d|3[0-9])-?(?:{_any('year_alone_endings')})(?!\w)",
        re.IGNORECASE,
    )
    year_ending = re.compile(rf"(?<!\w)({YEAR})-?(?:{_any('year_endings')})(?!\w)", re.IGNORECASE)
    decade_end = re.compile(
        rf"(?P<prep>(?<!\w)(?:{_any('decade_prepositions')}))\s+(?:{_any('decade_end')})\s+"
        rf"(?:(?:{_any('decade_this')})\s+)?(?:{_any('decade')})",
        re.IGNORECASE,
    )
    which = relative_year_pattern()
    relative = re.compile(
        rf"(?<!\w)(?P<which>{which})\s+(?:{_any('year_forms')})(?!\w)", re.IGNORECASE
    )
    return short_year, year_ending, decade_end, relative


def _full_year(m: re.Match[str]) -> str:
    if m["yy_alone"]:
        return f"20{m['yy_alone']}"
    return f"{m['prep']} 20{m['yy']}"


def four_digit_years(question: str, present_year: int) -> str:
    """The question with every year it means written in four digits; relative ones only when
    the facts have a present (`present_year`, 0 for none)."""
    short_year, year_ending, decade_end, relative = _patterns()
    question = short_year.sub(_full_year, year_ending.sub(r"\1", question))
    if present_year:
        last = (present_year // 10 + 1) * 10
        question = decade_end.sub(lambda m: f"{m['prep']} {last}", question)
        question = relative.sub(
            lambda m: f" {present_year + relative_year_shift(m['which'])} ", question
        )
    return question


_SENTENCE_BREAK = re.compile(r"[.!?…]\s+\S")


def the_question(message: str) -> str:
    """«Как много туристов …? Пригодится для урока.»: of a message of several sentences,
    the ones that ask (end with «?»); the rest says why one asks, not what."""
    if "?" not in message or not _SENTENCE_BREAK.search(message):
        return message
    sentences = split_sentences(message)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return " ".join(asking) if asking and len(asking) < len(sentences) else message
