"""The factors a fact's score is multiplied by for the question's kind and years, and the
rules that keep a fact from answering at all.

Each factor is defined once here and read by both the array pass over many facts
(`rough_factors`), the bound that pass relies on (`most_rough_factor`) and the detailed
pass over the best few (`factors`): a change to one cannot leave the others behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .figures import Figure
from .match import Note
from .places import agree
from .query import Cue, Question
from .query.parse import FIGURE_KINDS

if TYPE_CHECKING:
    from .postings import Postings

MIN_FIT = 0.5  # a figure question needs a figure fitting at least this well (see choose.fits)
WHO_PERSON = 1.4  # «кто?»: a fact naming a person …
WHO_NOBODY = 0.6  # … or not
KIND_BASE = 0.8  # a figure of the kind asked: KIND_BASE + KIND_SLOPE × its fit (0 … 1)
KIND_SLOPE = 0.4
KIND_MOST = 1.2  # KIND_BASE + KIND_SLOPE: the best fit (written out: the bound is exact)
NO_FIGURE_OF_KIND = 0.55
REPORTED = 0.9  # «когда?» by the article's date: below a sentence that names the date itself
YEAR_AGREES = 1.3  # the fact speaks of a year the question asks about
YEAR_MISMATCH = 0.5  # … of other years only
YEAR_UNKNOWN = 0.7  # no year at all


def most_rough_factor(q: Question) -> float:
    """The largest factor `rough_factors` may give any fact for this question."""
    factor = 1.0
    if q.kind == "who":
        factor *= WHO_PERSON
    elif q.kind in FIGURE_KINDS:
        factor *= KIND_MOST
    if q.years:
        factor *= YEAR_AGREES
    return factor


def rough_factors(p: Postings, ids: np.ndarray, q: Question) -> tuple[np.ndarray, np.ndarray]:
    """The type and year factors of `_factors` for many facts at once, judged by each
    fact's best-fitting figure, and which facts those rules allow at all."""
    factor = np.ones(len(ids), dtype=np.float32)
    allowed = np.ones(len(ids), dtype=bool)
    # «… в Астане?»: not from an article about another city (see places.py).
    allowed &= agree(q.places, p.places[ids])
    if q.kind == "who":
        factor *= np.where(p.has_person[ids], WHO_PERSON, WHO_NOBODY)
    elif q.kind in FIGURE_KINDS:
        fit = p.fit[q.kind][ids]
        fits = fit >= MIN_FIT
        if q.kind == "when" and Cue.PAST in q.cues:  # see _factors
            reported = (p.article_year[ids] > 0) & (fit == 0)
            factor *= np.where(
                fits, KIND_BASE + KIND_SLOPE * fit, np.where(reported, REPORTED, NO_FIGURE_OF_KIND)
            )
            allowed &= fits | reported
        else:
            factor *= np.where(fits, KIND_BASE + KIND_SLOPE * fit, NO_FIGURE_OF_KIND)
            allowed &= fits
    if q.years:
        # Facts about one of the years: looked up in each year's (sorted) fact list.
        agrees = np.zeros(len(ids), dtype=bool)
        for year in q.years:
            about = p.year_ids.get(year)
            if about is not None and len(about) and len(ids):
                at = np.minimum(np.searchsorted(about, ids), len(about) - 1)
                agrees |= about[at] == ids
        has_years = p.has_years[ids]
        article_year = np.isin(p.article_year[ids], list(q.years))
        dated = article_year & np.isin(
            p.article_month[ids], [month for _, month in q.months]
        )  # see _factors
        factor *= np.where(
            agrees,
            YEAR_AGREES,
            np.where(
                has_years & ~dated,
                YEAR_MISMATCH,
                np.where(article_year, 1.0, YEAR_UNKNOWN),
            ),
        )
        allowed &= agrees | ((~has_years | dated) & article_year)
    return factor, allowed


def confident(notes: list[Note]) -> bool:
    # A question that names a year is answered only by a fact about that year, or by an
    # undated-figure fact from an article of that year (it speaks of its present).
    # «Сколько…», «когда…», «на сколько процентов…» want a figure of that kind.
    return not {
        Note.YEAR_MISMATCH,
        Note.YEAR_UNKNOWN,
        Note.NO_FIGURE_OF_KIND,
        Note.PART_OF_YEAR,
        Note.NO_HOLDER,
    } & set(notes)


def factors(
    p: Postings, number: int, q: Question, figure: Figure | None, fit: float
) -> tuple[float, list[Note]]:
    """The kind and year factors of one fact, with the notes that say why."""
    factor = 1.0
    notes: list[Note] = []
    kind = q.kind
    if kind == "who":
        factor *= WHO_PERSON if p.has_person[number] else WHO_NOBODY
    elif kind in FIGURE_KINDS:
        if kind == "when" and figure is None and Cue.PAST in q.cues and reported_event(p, number):
            # «Когда аким встречался с активом?»: the sentence reports the event and names
            # no date; the article's date is when it was reported (said so in the answer).
            factor *= REPORTED
            notes.append(Note.ARTICLE_DATE)
        elif figure is None or fit < MIN_FIT:
            factor *= NO_FIGURE_OF_KIND
            notes.append(Note.NO_FIGURE_OF_KIND)
        else:
            factor *= KIND_BASE + KIND_SLOPE * fit
    if q.years:
        fact = p.facts[number]
        fact_years = set(fact.years)
        date = fact.article_date
        if Cue.WHOLE_YEAR in q.cues and any(
            f.kind == "period" and f.year in q.years for f in fact.figures
        ):
            notes.append(Note.PART_OF_YEAR)  # «за девять месяцев 2025 года»
        # «… говорил в сентябре 2025 года»: the month and year the article was written
        # in date what the question asks about, whatever years the sentence names.
        dated = (
            date is not None
            and date.year in q.years
            and date.month in {month for _, month in q.months}
        )
        if fact_years & q.years:
            factor *= YEAR_AGREES
            notes.append(Note.YEAR_AGREES)
        elif fact_years and not dated:
            factor *= YEAR_MISMATCH
            notes.append(Note.YEAR_MISMATCH)
        elif date is None or date.year not in q.years:
            factor *= YEAR_UNKNOWN
            notes.append(Note.YEAR_UNKNOWN)
    return factor, notes


def reported_event(p: Postings, number: int) -> bool:
    """A sentence naming no date or period, in an article that has a date."""
    return bool(p.article_year[number] > 0 and p.fit["when"][number] == 0)
