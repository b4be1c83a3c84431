"""The facts as arrays: one posting list per term, the previous sentence's and the lead's
words, years, months and figure fits per fact.

Built once per store generation and never changed (`undated_of_year` fills a cache): a
question costs a few array operations per word, whatever the number of facts.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from .choose import kind_fits
from .digest import Topic
from .facts import TIME_KINDS, Fact
from .places import article_places, places_in
from .query.parse import FIGURE_KINDS
from .terms import context_lists, fact_terms, share_segments
from .text import Lexicon, data_lines, words

K1 = 1.2
B = 0.5
PLACES_LISTED = 2  # places a sentence names to answer «какие страны …?» (see FactIndex)
POINTING_WORDS = 3  # how far into a sentence a word pointing back is looked for
LEAD_CONTEXT_MAX = 2_000  # facts one word may reach this way; a word in more leads says little

_V = TypeVar("_V")


@dataclass(frozen=True)
class Details:
    """Where words and figures stand in one fact: needed only for the best few candidates."""

    positions: dict[str, tuple[int, ...]]  # term → token positions
    figure_positions: tuple[int, ...]  # token position of each figure in fact.figures


@dataclass(frozen=True, slots=True)
class Carriers:
    """The question's terms as the words that carry them (see Postings.carriers)."""

    terms: dict[int, tuple[int, str]]  # term number → (its place in the question, term)
    phrases: dict[int, str]  # term number → synonym-group term


class TermValues(Mapping[str, _V]):
    """A value per term, read through the index's term → number table (a dict's look-ups:
    `get`, `in`, `[]`)."""

    __slots__ = ("_numbers", "_values")

    def __init__(self, numbers: dict[str, int], values: Sequence[_V]) -> None:
        self._numbers = numbers
        self._values = values

    def __getitem__(self, term: str) -> _V:
        return self._values[self._numbers[term]]

    def get(self, term: str, default: Any = None) -> Any:
        number = self._numbers.get(term)
        return default if number is None else self._values[number]

    def __contains__(self, term: object) -> bool:
        return term in self._numbers

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)


class Postings:
    """Every array the question path reads, over `facts` in store order."""

    def __init__(self, facts: tuple[Fact, ...], lx: Lexicon, topics: tuple[Topic, ...]) -> None:
        self.facts = facts
        n = len(facts)
        self.n = n
        analysed = fact_terms(facts, lx)
        self.surface = analysed.surface  # normalised word → its lemma, for typo look-up
        self.has_person = analysed.has_person
        # Facts naming several places: they answer «Какие страны/города …?» (see _plan).
        self.listing_places = np.flatnonzero(analysed.places >= PLACES_LISTED).astype(np.int32)
        # Where each term stands in each fact: for the figure-level scoring of candidates.
        self.word_offsets = analysed.offsets
        self.words = analysed.words
        self.word_terms = analysed.word_terms
        self.phrase_offsets = analysed.phrase_offsets
        self.phrase_terms = analysed.phrase_terms
        self.phrase_positions = analysed.phrase_positions
        self.figure_offsets = analysed.figure_offsets
        self.figure_positions = analysed.figure_positions
        self.term_id = {term: number for number, term in enumerate(analysed.names)}
        lengths = analysed.lengths
        avg_len = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / (avg_len or 1.0))
        # One posting list per term, all in shared arrays: fact numbers and the BM25
        # term-frequency factor, term t at [starts[t]:ends[t]]. Lists equal to another
        # term's are kept once (and a unit's ways over the same list are one way).
        offsets, ids, counts = analysed.postings()
        df = np.diff(offsets).tolist()
        shared = share_segments(offsets, (ids, counts))
        del offsets, ids, counts
        self.posting_ids, counts = shared.arrays
        # Per term, in C arrays rather than lists of Python ints and floats (a tenth of the
        # memory at 100,000 terms); an item read is still a Python int or float.
        spans = [shared.span(t) for t in range(len(df))]
        self.posting_start = array("q", [a for a, _ in spans])
        self.posting_end = array("q", [b for _, b in spans])
        del spans
        self.posting_tf = np.empty(len(counts), dtype=np.float32)
        for start in range(0, len(counts), 1 << 20):  # a slice at a time: less at the peak
            tfs = counts[start : start + (1 << 20)].astype(np.float32)
            part = self.posting_ids[start : start + (1 << 20)]
            self.posting_tf[start : start + len(tfs)] = tfs * (K1 + 1) / (tfs + norm[part])
        # The largest term-frequency factor of each term: a bound for skipping facts.
        self.max_tf = array(
            "d",
            [
                float(self.posting_tf[a:b].max()) if b > a else 0.0
                for a, b in zip(self.posting_start, self.posting_end, strict=True)
            ],
        )
        # Term → document frequency and idf: views over term_id and C arrays, not dicts of
        # their own (100,000 terms: ~10 MB less).
        self.df: TermValues[int] = TermValues(self.term_id, array("q", df))
        self.idf: TermValues[float] = TermValues(
            self.term_id, array("d", [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df])
        )
        self.topic_names = tuple(topic.name for topic in topics)
        self.topic_of = self._topic_numbers(counts, topics)
        del counts
        # Each fact also weakly carries the words of the sentence before it in its
        # article: «В сфере туризма … . За девять месяцев 2025 года количество …».
        # Only exact lemmas and synonym groups are looked up there (see _plan).
        same_article = np.array(
            [i > 0 and facts[i - 1].article_id == f.article_id for i, f in enumerate(facts)],
            dtype=bool,
        )
        # Each fact also more weakly carries the words of its article's first sentence.
        self.is_lead = ~same_article
        leads = np.flatnonzero(self.is_lead)
        self.article_end = np.append(leads[1:], n).astype(np.int64)[
            np.searchsorted(leads, np.arange(n), side="right") - 1
        ]
        carried = [t.startswith(("l:", "=")) for t in analysed.names]
        wanted = np.zeros(len(shared.offsets) - 1, dtype=bool)
        for term, segment in enumerate(shared.segment_of):
            if carried[term] and segment >= 0:
                wanted[segment] = True
        context_offsets, self.context_ids = context_lists(
            shared.offsets, self.posting_ids, same_article, wanted
        )
        self.context_start = array("q", bytes(8 * len(df)))
        self.context_end = array("q", bytes(8 * len(df)))
        for term, segment in enumerate(shared.segment_of):
            if carried[term] and segment >= 0:
                self.context_start[term] = int(context_offsets[segment])
                self.context_end[term] = int(context_offsets[segment + 1])
        # A word the facts never use is as telling as the rarest word they do use.
        self.idf_unknown = math.log(1 + (n - 0.5) / 1.5) if n else 1.0
        self.date = np.array(
            [f.article_date.toordinal() if f.article_date else 0 for f in facts], dtype=np.int64
        )
        # The cities each fact is about: its article's (headline and lead) and its own.
        self.places = np.zeros(n, dtype=np.int64)
        # «Его протяжённость …», «Это позволило …»: a sentence that points back to the one
        # before it (a word of data/anaphora.txt among its first POINTING_WORDS).
        words_back = frozenset(data_lines("anaphora.txt"))
        self.points_back = np.array(
            [
                any(w in words_back for w, _ in words(f.text, parts=False)[:POINTING_WORDS])
                for f in facts
            ],
            dtype=bool,
        )
        lead_numbers = leads.tolist()
        ends = [*lead_numbers[1:], n][: len(lead_numbers)]
        for first, end in zip(lead_numbers, ends, strict=True):
            about = article_places(facts[first:end])
            for number in range(first, end):
                self.places[number] = about | places_in(facts[number].text)
        self._undated_of_year: dict[int, np.ndarray] = {}  # see `undated_of_year`
        # What the figure- and year-rules need, per fact, as arrays.
        # How well each fact's best figure fits each kind of question: a figure's fit depends
        # only on its kind and comparison, so each figure is looked up once, as a number.
        sorts: dict[tuple[str, str | None], int] = {}
        figure_sorts = np.array(
            [
                sorts.setdefault((f.kind, f.comparison), len(sorts))
                for fact in facts
                for f in fact.figures
            ],
            dtype=np.int64,
        )
        figure_counts = np.array([len(fact.figures) for fact in facts], dtype=np.int64)
        with_figures = figure_counts > 0
        starts = (np.cumsum(figure_counts) - figure_counts)[with_figures]
        self.fit = {}
        for kind in FIGURE_KINDS:
            table = np.array([kind_fits(kind, *sort) for sort in sorts] or [0.0])
            fit = np.zeros(n, dtype=np.float64)
            if len(figure_sorts):
                fit[with_figures] = np.maximum.reduceat(table[figure_sorts], starts)
            self.fit[kind] = fit.astype(np.float32)
        year_ids: dict[int, list[int]] = defaultdict(list)
        period_ids: dict[int, list[int]] = defaultdict(list)  # a date or period in the year
        has_years = np.zeros(n, dtype=bool)
        for number, fact in enumerate(facts):
            for year in fact.years:
                year_ids[year].append(number)
                has_years[number] = True
            for period_year in {f.year for f in fact.figures if f.kind in TIME_KINDS}:
                if period_year is not None:
                    period_ids[period_year].append(number)
        self.year_ids = {y: np.asarray(ids, dtype=np.int32) for y, ids in year_ids.items()}
        # Facts by month (see `_plan`): [0] of an article written in it, or naming a date in
        # it or a part of a year; [1] only the latter.
        month_ids: tuple[dict[int, list[int]], dict[int, list[int]]] = (
            defaultdict(list),
            defaultdict(list),
        )
        for number, fact in enumerate(facts):
            named: set[int] = set()
            for f in fact.figures:
                if f.kind == "month" and f.month:
                    named.add(f.month)
                elif f.kind == "period":
                    named.update(range(1, 13))
            written = {fact.article_date.month} if fact.article_date else set()
            for month in named | written:
                month_ids[0][month].append(number)
            for month in named:
                month_ids[1][month].append(number)
        self.month_ids = tuple(
            {m: np.asarray(ids, dtype=np.int64) for m, ids in by_month.items()}
            for by_month in month_ids
        )
        self.period_ids = {y: np.asarray(i, dtype=np.int32) for y, i in period_ids.items()}
        self.has_years = has_years
        self.article_year = np.array(
            [f.article_date.year if f.article_date else 0 for f in facts], dtype=np.int32
        )
        self.article_month = np.array(
            [f.article_date.month if f.article_date else 0 for f in facts], dtype=np.int8
        )
        # The year the newest article was written: what «this decade» means to the facts.
        self.present_year = int(self.article_year.max()) if n else 0

        self.function_words = analysed.function_words

    def undated_of_year(self, year: int) -> np.ndarray:
        """Facts without a year of their own from articles written in `year` (cached: a pass
        over every fact)."""
        present = self._undated_of_year.get(year)
        if present is None:
            present = np.flatnonzero((self.article_year == year) & ~self.has_years)
            self._undated_of_year[year] = present
        return present

    def posting(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Fact numbers and BM25 term-frequency factors of a term (views, not copies)."""
        number = self.term_id.get(term)
        if number is None:
            return None
        start, end = self.posting_start[number], self.posting_end[number]
        return self.posting_ids[start:end], self.posting_tf[start:end]

    def context_of(self, term: str) -> np.ndarray | None:
        """Facts whose previous sentence (not they themselves) has the term."""
        number = self.term_id.get(term)
        if number is None:
            return None
        start, end = self.context_start[number], self.context_end[number]
        return self.context_ids[start:end] if end > start else None

    def carriers(self, terms: Iterable[str]) -> Carriers:
        """The question's terms by number, and which of them are phrases.

        The words that carry them are found fact by fact (`detail`, a candidate's words'
        terms): a term's words are thousands at 100,000 facts of news (every form of every
        word with the stem), a candidate's words a few dozen.
        """
        numbered: dict[int, tuple[int, str]] = {}
        phrases: dict[int, str] = {}
        for order, term in enumerate(dict.fromkeys(terms)):
            number = self.term_id.get(term)
            if number is None:
                continue
            if term.startswith("="):
                phrases[number] = term
            numbered[number] = (order, term)
        return Carriers(numbered, phrases)

    def detail(self, number: int, carriers: Carriers) -> Details:
        """Where the terms of `carriers` and the figures stand in fact `number`."""
        positions: dict[str, list[int]] = defaultdict(list)
        start, end = self.word_offsets[number], self.word_offsets[number + 1]
        terms, word_terms = carriers.terms, self.word_terms
        for position, word in enumerate(self.words[start:end].tolist()):
            carried = [terms[t] for t in word_terms[word] if t in terms]
            if len(carried) > 1:
                carried.sort()  # in the question's order
            for _, term in carried:
                positions[term].append(position)
        start, end = self.phrase_offsets[number], self.phrase_offsets[number + 1]
        if end > start and carriers.phrases:
            for term, position in zip(
                self.phrase_terms[start:end].tolist(),
                self.phrase_positions[start:end].tolist(),
                strict=True,
            ):
                if term in carriers.phrases:
                    positions[carriers.phrases[term]].append(position)
        start, end = self.figure_offsets[number], self.figure_offsets[number + 1]
        figure_positions = tuple(self.figure_positions[start:end].tolist())
        return Details({t: tuple(p) for t, p in positions.items()}, figure_positions)

    def _topic_numbers(self, counts: np.ndarray, topics: tuple[Topic, ...]) -> np.ndarray:
        """Per fact, the number of its topic in `topics` (-1: none): the topic with most
        hits, a word counting once per occurrence and a whole phrase twice; the first
        topic on a tie."""
        hits = np.zeros((len(topics), self.n), dtype=np.int32)
        for number, topic in enumerate(topics):
            for term in topic.terms:
                if term in self.term_id:
                    t = self.term_id[term]
                    start, end = self.posting_start[t], self.posting_end[t]
                    hits[number, self.posting_ids[start:end]] += counts[start:end].astype(np.int32)
            for phrase in topic.phrases:
                found = np.zeros(self.n, dtype=np.int32)
                for term in phrase:
                    posting = self.posting(term)
                    if posting is not None:
                        found[posting[0]] += 1
                hits[number] += 2 * (found == len(phrase))
        if not topics or not self.n:
            return np.full(self.n, -1, dtype=np.int16)
        best = np.argmax(hits, axis=0).astype(np.int16)
        best[hits.max(axis=0) <= 0] = -1
        return best

    # -- questions ------------------------------------------------------------------------

    def lead_context(self, ids: np.ndarray) -> np.ndarray | None:
        """The facts after the article leads among `ids` in the same articles (ascending), or
        None when there are none or too many (see LEAD_CONTEXT_MAX)."""
        leads = ids[self.is_lead[ids]]
        if not len(leads):
            return None
        first = leads + 1
        sizes = self.article_end[leads] - first
        total = int(sizes.sum())
        if not total or total > LEAD_CONTEXT_MAX:
            return None
        # ranges [first, end) one after another: each id is its range's first + a step
        steps = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return (np.repeat(first, sizes) + steps).astype(np.int32)
