"""The question path: an immutable in-memory index over facts and `FactIndex.match`.

How a question is scored against a fact:
- every content word of the question is a *unit* with a weight (its part of speech, whether
  it is a domain-generic word) and a rarity (BM25 idf of the best term it can match);
- a unit matches a fact through its lemma (1.0), a synonym group (0.9), a typo-tolerant
  neighbour in the vocabulary (≤ 0.85) or a shared derivational stem (0.6);
- the fact's score is the BM25-style sum over matched units, times factors for the question
  type (a «сколько» question wants a number, «когда» a date, «кто» a person) and for year
  agreement (a question about 2025 prefers facts about 2025);
- *coverage* — the share of the question's weighted rarity the fact explains — decides
  whether to answer at all: words the facts never mention («погода», «метро», «Астана»)
  leave it low, and words that occur everywhere («Алматы», «город», «аким») never reach it
  alone.
"""

from __future__ import annotations

import json
import math
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import numpy as np
from rapidfuzz import fuzz, process

from .facts import TIME_KINDS, Fact
from .figures import Figure
from .text import (
    WEIGHT_GENERIC,
    WEIGHT_VERB,
    Lexicon,
    Token,
    cyrillic_from_latin,
    is_known_word,
    latin_key,
    lexicon,
    short_stem,
    stem,
    translator,
    words,
)

K1 = 1.2
B = 0.5
CHANNEL_LEMMA = 1.0
CHANNEL_GROUP = 0.9
CHANNEL_FUZZY = 0.85
CHANNEL_STEM = 0.6
CHANNEL_SHORT_STEM = 0.4
CHANNEL_CONTEXT = 0.4  # a word of the previous sentence: «В сфере туризма …. За 9 месяцев …»
FUZZY_CUTOFF = 82  # rapidfuzz ratio; below it a word is unknown rather than a typo
FUZZY_MIN_LEN = 5
LATIN_CUTOFF = 84  # rapidfuzz ratio between Latin spellings of a word
UNKNOWN_VERB_SHARE = 0.5
UNKNOWN_ENTITY_BOOST = 2.0  # an unknown place or name («Астана») is what the question is about
# Calibrated on the tune half of tests/eval/questions.jsonl (python -m knowledge eval).
MIN_COVERAGE = 0.5
MIN_EVIDENCE = 0.85  # non-generic words matched, each counted by its weight and channel
MIN_DIGEST = 3  # a digest shorter than this is filled up with facts without figures
MAX_UNITS = 64  # words of one question that are scored (a bit each)
SCORE_CACHE = 4  # questions whose score arrays are kept (one ask ranks up to three times)
CANDIDATES = 16  # facts that get the full (figure-level) scoring after the array pass
DETAILS_CACHE = 4096
SAME_THING = 0.8  # facts within this share of the best score may compete on recency
MIN_FIT = 0.5  # a figure question needs a figure fitting at least this well (see _fits)
FIGURE_KINDS = frozenset({"percent", "change", "when", "money", "area", "length", "count"})

_YEAR = re.compile(r"^(19[5-9]\d|20\d\d|2100)$")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # higher is better; comparable within one index
    figure: Figure | None  # the figure in the fact that answers the question, if any
    why: tuple[str, ...] = ()  # matched terms and rules, for debugging and eval


@dataclass(frozen=True)
class Unit:
    """One content word (or synonym phrase) of the question and the terms it may match."""

    label: str
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (term, channel weight)
    generic: bool


@dataclass(frozen=True)
class _Details:
    """Where words and figures stand in one fact: needed only for the best few candidates."""

    positions: dict[str, tuple[int, ...]]  # term → token positions
    figure_positions: tuple[int, ...]  # token position of each figure in fact.figures


@dataclass(frozen=True)
class Question:
    text: str
    units: tuple[Unit, ...]
    years: frozenset[int]
    kind: str | None  # question type from data/question_types.txt
    lemmas: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Topic:
    name: str
    terms: frozenset[str]  # one-word lemmas and synonym groups
    phrases: tuple[frozenset[str], ...]  # several words that must all occur
    questions: tuple[str, ...]


@cache
def _topics() -> tuple[Topic, ...]:
    text = resources.files("knowledge").joinpath("data", "topics.json").read_text("utf-8")
    lx = lexicon()
    topics = []
    for name, entry in json.loads(text).items():
        if name.startswith("_"):
            continue
        terms: set[str] = set()
        phrases: list[frozenset[str]] = []
        for phrase in entry["words"]:
            tokens = lx.tokens(phrase)
            content = [t for t in tokens if t.weight > 0]
            if len(content) == 1:
                terms.add("l:" + content[0].lemma)
            elif content:
                phrases.append(frozenset("l:" + t.lemma for t in content))
        topics.append(Topic(name, frozenset(terms), tuple(phrases), tuple(entry["questions"])))
    return tuple(topics)


@cache
def _question_types() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    text = resources.files("knowledge").joinpath("data", "question_types.txt").read_text("utf-8")
    lx = lexicon()
    table = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        kind, phrases = line.split(":", 1)
        sequences: list[tuple[str, ...]] = []
        for phrase in phrases.split("|"):
            phrase = phrase.strip()
            if phrase == "%":
                sequences.append(("%",))
                continue
            seq = tuple(t.lemma for t in lx.tokens(phrase))
            if seq:
                sequences.append(seq)
        table.append((kind.strip(), tuple(sequences)))
    return tuple(table)


def question_kind(question: str, tokens: list[Token]) -> tuple[str | None, frozenset[int]]:
    """The type of answer a question wants (data/question_types.txt), and the positions of
    the words that say so: those words ask *what kind* of answer, not *about what*."""
    lemmas = [t.lemma for t in tokens] + (["%"] if "%" in question else [])
    for kind, sequences in _question_types():
        for seq in sequences:
            n = len(seq)
            for i in range(len(lemmas) - n + 1):
                if tuple(lemmas[i : i + n]) == seq:
                    return kind, frozenset(range(i, i + n))
    return None, frozenset()


def _fits(kind: str | None, figure: Figure) -> float:
    """How well a figure of this kind answers a question of that kind (0 … 1)."""
    if kind is None or kind in ("define", "who", "where"):
        if figure.kind in TIME_KINDS:
            return 0.3
        # Without «на сколько» a question asks for the level, not the change.
        return 0.4 if figure.comparison == "change" else 0.6
    if kind == "when":
        return 1.0 if figure.kind in TIME_KINDS else 0.0
    if figure.kind in TIME_KINDS:
        return 0.0
    if kind == "percent":
        return 1.0 if figure.kind == "percent" else 0.0
    if kind == "change":
        if figure.comparison == "change":
            return 1.0
        return 0.6 if figure.comparison in ("from", "to") else 0.2
    if kind == "money":
        return 1.0 if figure.kind == "money" else 0.2
    if kind in ("area", "length"):
        return 1.0 if figure.kind == kind else 0.1
    if figure.kind == "percent":
        # «Сколько … занято» may be answered by a share, never by a change («на 8%»).
        return 0.2 if figure.comparison == "change" else 0.5
    # "count": how many of something
    return {"count": 1.0, "number": 0.8, "money": 0.3, "length": 0.6, "area": 0.6}.get(
        figure.kind, 0.15
    )


class FactIndex:
    """Built once per store generation; never touches the database.

    Scoring runs over numpy arrays: one posting array per term (fact numbers and their BM25
    term-frequency factor), so a question costs a few array operations per word, whatever
    the number of facts. Only the best few candidates get the slower, figure-level scoring.
    """

    def __init__(self, facts: tuple[Fact, ...], generation: int, lx: Lexicon) -> None:
        self.facts = facts
        self.generation = generation
        self._lx = lx
        n = len(facts)
        self._n = n
        self._surface: dict[str, str] = {}  # normalised word → its lemma, for typo look-up
        posting_ids: dict[str, list[int]] = defaultdict(list)
        posting_tf: dict[str, list[int]] = defaultdict(list)
        lengths = np.zeros(n, dtype=np.float32)
        self._has_person = np.zeros(n, dtype=bool)
        self._topic_of: list[str | None] = []
        previous_terms: frozenset[str] = frozenset()
        context_ids: dict[str, list[int]] = defaultdict(list)
        for number, fact in enumerate(facts):
            tf, length, has_person = self._analyze(fact)
            lengths[number] = length
            self._has_person[number] = has_person
            for term, count in tf.items():
                posting_ids[term].append(number)
                posting_tf[term].append(count)
            # Each fact also weakly carries the words of the sentence before it in its
            # article: «В сфере туризма … . За девять месяцев 2025 года количество …».
            if number and facts[number - 1].article_id == fact.article_id:
                for term in previous_terms - tf.keys():
                    context_ids[term].append(number)
            previous_terms = frozenset(tf)
            self._topic_of.append(self._topic(tf))
        avg_len = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / (avg_len or 1.0))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf: dict[str, float] = {}
        for term, id_list in posting_ids.items():
            ids = np.asarray(id_list, dtype=np.int32)
            tfs = np.asarray(posting_tf[term], dtype=np.float32)
            self._postings[term] = (ids, tfs * (K1 + 1) / (tfs + norm[ids]))
            df = len(id_list)
            self._idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        self._context = {t: np.asarray(ids, dtype=np.int32) for t, ids in context_ids.items()}
        # A word the facts never use is as telling as the rarest word they do use.
        self._idf_unknown = math.log(1 + (n - 0.5) / 1.5) if n else 1.0
        self._date = np.array(
            [f.article_date.toordinal() if f.article_date else 0 for f in facts], dtype=np.int64
        )
        self._number_of = {fact.id: number for number, fact in enumerate(facts)}
        # What the figure- and year-rules need, per fact, as arrays.
        self._fit = {
            kind: np.array(
                [max((_fits(kind, f) for f in fact.figures), default=0.0) for fact in facts],
                dtype=np.float32,
            )
            for kind in FIGURE_KINDS
        }
        year_ids: dict[int, list[int]] = defaultdict(list)
        for number, fact in enumerate(facts):
            for year in fact.years:
                year_ids[year].append(number)
        self._year_ids = {y: np.asarray(ids, dtype=np.int32) for y, ids in year_ids.items()}
        self._has_years = np.array([bool(f.years) for f in facts], dtype=bool)
        self._article_year = np.array(
            [f.article_date.year if f.article_date else 0 for f in facts], dtype=np.int32
        )
        # Words for typo look-ups, by first letter: typos rarely change the first letter,
        # and a bucket is a small fraction of the vocabulary.
        question_words = {w for _, seqs in _question_types() for seq in seqs for w in seq}
        self._spelling = {*self._surface, *lx.known_words, *question_words}
        self._vocabulary = _buckets(self._surface)
        self._spelling_buckets = _buckets(self._spelling)
        # Russian typed in Latin letters meets the vocabulary through one plain spelling.
        self._latin: dict[str, str] = {}
        for word in sorted(self._spelling):
            if not _LATIN.search(word):
                self._latin.setdefault(latin_key(word), word)
        self._latin_buckets = _buckets(self._latin)
        self._details: OrderedDict[int, _Details] = OrderedDict()
        self._parsed: OrderedDict[str, Question] = OrderedDict()
        self._scores: OrderedDict[
            str, tuple[Question, list[float], np.ndarray, np.ndarray, np.ndarray, np.ndarray]
        ] = OrderedDict()
        self._topics: dict[str, list[Fact]] | None = None
        self._suggestions: dict[str, tuple[str, ...]] | None = None

    @classmethod
    def build(cls, facts: Iterable[Fact], *, generation: int = 0) -> FactIndex:
        """Index `facts` (lemmas, stems, synonym groups) for `match`."""
        return cls(tuple(facts), generation, lexicon())

    def __len__(self) -> int:
        return self._n

    # -- indexing -------------------------------------------------------------------------

    def _terms(self, tokens: list[Token]) -> list[tuple[str, int]]:
        """(term, token position) for every term a fact's tokens carry."""
        out: list[tuple[str, int]] = []
        for token in tokens:
            if token.weight <= 0:
                continue
            out.append(("l:" + token.lemma, token.position))
            token_stem = stem(token.lemma)
            if token_stem:
                out.append(("s:" + token_stem, token.position))
                out.append(("t:" + (short_stem(token.lemma) or ""), token.position))
        out.extend((group, first) for group, first, _last in self._lx.groups(tokens))
        return out

    def _analyze(self, fact: Fact) -> tuple[dict[str, int], int, bool]:
        tokens = self._lx.tokens(fact.text)
        tf: dict[str, int] = defaultdict(int)
        for term, _ in self._terms(tokens):
            tf[term] += 1
        length = 0
        for token in tokens:
            if token.weight > 0:
                length += 1
                self._surface.setdefault(token.word, token.lemma)
        # A person is a capitalised name-like word: «Дархан Сатыбалды», not «Аким».
        has_person = any(t.person and fact.text[t.start : t.start + 1].isupper() for t in tokens)
        return tf, length, has_person

    def _detail(self, number: int) -> _Details:
        details = self._details.get(number)
        if details is None:
            fact = self.facts[number]
            tokens = self._lx.tokens(fact.text)
            positions: dict[str, list[int]] = defaultdict(list)
            for term, position in self._terms(tokens):
                positions[term].append(position)
            figure_positions = tuple(
                next((t.position for t in tokens if t.start >= f.start), len(tokens))
                for f in fact.figures
            )
            details = _Details({t: tuple(p) for t, p in positions.items()}, figure_positions)
            self._details[number] = details
            if len(self._details) > DETAILS_CACHE:
                self._details.popitem(last=False)
        return details

    @staticmethod
    def _topic(tf: dict[str, int]) -> str | None:
        best, best_hits = None, 0
        for topic in _topics():
            hits = sum(tf.get(term, 0) for term in topic.terms)
            hits += 2 * sum(1 for phrase in topic.phrases if phrase <= tf.keys())
            if hits > best_hits:
                best, best_hits = topic.name, hits
        return best

    # -- questions ------------------------------------------------------------------------

    def to_russian(self, question: str) -> str:
        """The question in Russian words: English and Kazakh through their lexicons, Russian
        typed in Latin letters through the Latin spelling of the vocabulary."""
        tokens = [w for w, _ in words(question, parts=False)]
        tr = translator()
        if tr.is_english(tokens):
            return " ".join(tr.english_to_russian(tokens))
        if tr.is_kazakh(question, tokens):
            return " ".join(tr.kazakh_to_russian(tokens))
        if any(_LATIN.search(t) and t not in self._surface for t in tokens):
            return " ".join(self._from_latin(t) for t in tokens)
        return self._spell(question, tokens)

    def _spell(self, question: str, tokens: list[str]) -> str:
        """Correct words that neither Russian nor the facts know («сколко» → «сколько»),
        so that misspelt question words still tell the question type."""
        corrected = False
        out = []
        for word in tokens:
            if (
                len(word) >= FUZZY_MIN_LEN - 1
                and word not in self._spelling
                and not _LATIN.search(word)
                and not is_known_word(word)
            ):
                best = _closest(word, self._spelling_buckets, FUZZY_CUTOFF)
                if best is not None:
                    word, corrected = best[0], True
            out.append(word)
        return " ".join(out) if corrected else question

    def _from_latin(self, word: str) -> str:
        if not _LATIN.search(word) or word in self._surface:
            return word
        key = latin_key(word)
        if key in self._latin:
            return self._latin[key]
        if len(key) >= FUZZY_MIN_LEN - 1:
            best = _closest(key, self._latin_buckets, LATIN_CUTOFF)
            if best is not None:
                return self._latin[best[0]]
        # Not a word the facts use: spelled in Cyrillic it can still be read as a verb or a
        # preposition, and so weigh what such words weigh.
        return cyrillic_from_latin(word)

    def parse_question(self, question: str) -> Question:
        """Units, years and type of a question (cached: the same question is parsed once)."""
        parsed = self._parsed.get(question)
        if parsed is None:
            parsed = self._parse(question)
            self._parsed[question] = parsed
            if len(self._parsed) > 1024:
                self._parsed.popitem(last=False)
        return parsed

    def _parse(self, question: str) -> Question:
        percent = "%" in question
        question = self.to_russian(question)
        tokens = self._lx.tokens(question)
        kind, kind_positions = question_kind(question + (" %" if percent else ""), tokens)
        years = frozenset(int(t.word) for t in tokens if _YEAR.match(t.word))
        units: list[Unit] = []
        grouped: dict[int, list[str]] = defaultdict(list)
        for group, first, last in self._lx.groups(tokens):
            for position in range(first, last + 1):
                grouped[position].append(group)
        seen_groups: set[str] = set()
        for token in tokens:
            if token.weight <= 0 or _YEAR.match(token.word) or token.position in kind_positions:
                continue
            alternatives: list[tuple[str, float]] = []
            known = "l:" + token.lemma in self._idf
            if known:
                alternatives.append(("l:" + token.lemma, CHANNEL_LEMMA))
            groups = grouped.get(token.position, [])
            if groups and not known and all(g in seen_groups for g in groups):
                continue  # the rest of a phrase already counted as one unit
            for phrase_group in groups:
                seen_groups.add(phrase_group)
                alternatives.append((phrase_group, CHANNEL_GROUP))
            # A stem that occurs in exactly as many facts as a stronger term already taken
            # almost surely occurs in the same facts: skip it (it could only score lower).
            taken = {len(self._postings[t][0]) for t, _ in alternatives if t in self._postings}
            token_stem = stem(token.lemma)
            for term, channel in (
                ("s:" + (token_stem or ""), CHANNEL_STEM),
                ("t:" + (short_stem(token.lemma) or ""), CHANNEL_SHORT_STEM),
            ):
                if token_stem and term in self._postings:
                    df = len(self._postings[term][0])
                    if df not in taken:
                        alternatives.append((term, channel))
                        taken.add(df)
            if not known and len(token.word) >= FUZZY_MIN_LEN:
                alternatives.extend(self._typo_alternatives(token))
            weight = token.weight
            if not alternatives and token.entity:
                weight *= UNKNOWN_ENTITY_BOOST
            elif not alternatives and weight == WEIGHT_VERB:
                # Verbs are the most freely paraphrased part of a question («ожидается»,
                # «приехало»): one the facts never use says little against a match.
                weight *= UNKNOWN_VERB_SHARE
            units.append(
                Unit(
                    label=token.word,
                    weight=weight,
                    alternatives=tuple(alternatives),
                    generic=token.weight <= WEIGHT_GENERIC,
                )
            )
        return Question(
            text=question,
            units=tuple(units),
            years=years,
            kind=kind,
            lemmas=frozenset(t.lemma for t in tokens),
        )

    def _typo_alternatives(self, token: Token) -> list[tuple[str, float]]:
        best = _closest(token.word, self._vocabulary, FUZZY_CUTOFF)
        if best is None:
            return []
        lemma = self._surface[best[0]]
        similarity = best[1] / 100
        out = [("l:" + lemma, CHANNEL_FUZZY * similarity)]
        lemma_stem = stem(lemma)
        if lemma_stem:
            out.append(("s:" + lemma_stem, CHANNEL_STEM * similarity))
        return out

    def _unit_rarity(self, unit: Unit) -> float:
        known = [self._idf[t] for t, _ in unit.alternatives if t in self._idf]
        return max(known) if known else self._idf_unknown

    # -- matching -------------------------------------------------------------------------

    def match(self, question: str, *, limit: int = 3) -> list[Match]:
        """Best facts for `question`, best first; an empty list means "not found"."""
        return self.rank(question, limit=limit, threshold=True)

    def _score(
        self, question: str
    ) -> tuple[Question, list[float], np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Per fact: score, coverage, evidence and which units matched (a bit per unit).

        Cached for the last few questions: one `ask` ranks for a digest, an answer and
        perhaps suggestions, all from the same arrays.
        """
        cached = self._scores.get(question)
        if cached is not None:
            return cached
        q = self.parse_question(question)
        if not q.units or not self._n:
            return None
        units = q.units[:MAX_UNITS]
        rarity = [self._unit_rarity(u) for u in units]
        total = sum(u.weight * r for u, r in zip(units, rarity, strict=True)) or 1.0
        n = self._n
        score = np.zeros(n, dtype=np.float32)
        covered = np.zeros(n, dtype=np.float32)
        evidence = np.zeros(n, dtype=np.float32)
        bits = np.zeros(n, dtype=np.uint64)
        for number, (unit, unit_rarity) in enumerate(zip(units, rarity, strict=True)):
            bit = np.uint64(1 << number)
            # Each fact takes the unit's strongest way of matching: try the ways strongest
            # first, and let each fact take only the first that reaches it.
            ways: list[tuple[float, np.ndarray, np.ndarray | float, float]] = []
            for term, channel in unit.alternatives:
                idf = self._idf.get(term)
                if idf is None:
                    continue
                ids, tfn = self._postings[term]
                ways.append((channel * idf, ids, (channel * idf) * tfn, channel))
                # The previous sentence's words help a specific word only, and only through
                # its exact lemma or synonym group: a pass over a long array costs.
                context = self._context.get(term) if not unit.generic and channel >= 0.9 else None
                if context is not None:
                    weak = channel * CHANNEL_CONTEXT
                    ways.append((weak * idf, context, weak * idf, weak))
            ways.sort(key=lambda way: -way[0])
            for _, ids, values, channel in ways:
                fresh = (bits[ids] & bit) == 0
                if not fresh.any():
                    continue
                reached = ids[fresh]
                bits[reached] |= bit
                gained = values[fresh] if isinstance(values, np.ndarray) else values
                score[reached] += unit.weight * gained
                covered[reached] += unit.weight * unit_rarity * channel
                if not unit.generic:
                    evidence[reached] += unit.weight * channel
        scored = (q, rarity, score, covered / total, evidence, bits)
        self._scores[question] = scored
        if len(self._scores) > SCORE_CACHE:
            self._scores.popitem(last=False)
        return scored

    def rank(self, question: str, *, limit: int = 3, threshold: bool = True) -> list[Match]:
        """Like `match`; with threshold=False it also returns weak candidates (suggestions)."""
        scored = self._score(question)
        if scored is None:
            return []
        q, rarity, score, coverage, evidence, bits = scored
        if threshold:
            # «Кто аким Алматы?»: only generic words, all found, in a fact naming a person.
            eligible = (coverage >= MIN_COVERAGE) & (evidence >= MIN_EVIDENCE)
            if q.kind == "who":
                eligible |= (coverage >= 0.99) & self._has_person
            candidates = np.flatnonzero(eligible & (score > 0))
        else:
            candidates = np.flatnonzero(score > 0)
        # Rules that do not depend on which figure is chosen run over arrays, and a cheap
        # first ranking keeps the detailed pass to a few facts.
        rough_factor, allowed = self._rough_factors(candidates, q)
        if threshold:
            candidates, rough_factor = candidates[allowed], rough_factor[allowed]
        if not len(candidates):
            return []
        if len(candidates) > CANDIDATES:
            rough = score[candidates] * (0.5 + coverage[candidates]) * rough_factor
            candidates = candidates[np.argpartition(-rough, CANDIDATES)[:CANDIDATES]]
        results = []
        for number in (int(c) for c in candidates):
            matched_bits = int(bits[number])
            matched = {u: t for u, t in enumerate(q.units) if matched_bits >> u & 1}
            figure, fit = self._choose_figure(number, q, matched, rarity)
            factor, notes = self._factors(number, q, figure, fit)
            final = float(score[number]) * factor * (0.5 + float(coverage[number]))
            if threshold and not self._confident(notes):
                continue
            why = (
                f"coverage={coverage[number]:.2f}",
                f"evidence={evidence[number]:.2f}",
                *notes,
                *("~" + unit.label for unit in matched.values()),
            )
            results.append((final, number, figure, why, frozenset(matched)))
        results.sort(key=lambda r: (-r[0], r[1]))
        results = self._prefer_newest(results)
        return [
            Match(fact=self.facts[n], score=round(s, 4), figure=f, why=w)
            for s, n, f, w, _ in results[:limit]
        ]

    def _rough_factors(self, ids: np.ndarray, q: Question) -> tuple[np.ndarray, np.ndarray]:
        """The type and year factors of `_factors` for many facts at once, judged by each
        fact's best-fitting figure, and which facts those rules allow at all."""
        factor = np.ones(len(ids), dtype=np.float32)
        allowed = np.ones(len(ids), dtype=bool)
        if q.kind == "who":
            factor *= np.where(self._has_person[ids], 1.4, 0.6)
        elif q.kind in FIGURE_KINDS:
            fit = self._fit[q.kind][ids]
            fits = fit >= MIN_FIT
            factor *= np.where(fits, 0.8 + 0.4 * fit, 0.55)
            allowed &= fits
        if q.years:
            about = np.zeros(self._n, dtype=bool)
            for year in q.years:
                about[self._year_ids.get(year, [])] = True
            agrees = about[ids]
            has_years = self._has_years[ids]
            article_year = np.isin(self._article_year[ids], list(q.years))
            factor *= np.where(
                agrees, 1.3, np.where(has_years, 0.5, np.where(article_year, 0.9, 0.7))
            )
            allowed &= agrees | (~has_years & article_year)
        return factor, allowed

    @staticmethod
    def _confident(notes: list[str]) -> bool:
        # A question that names a year is answered only by a fact about that year, or by an
        # undated-figure fact from an article of that year (it speaks of its present).
        # «Сколько…», «когда…», «на сколько процентов…» want a figure of that kind.
        return not {"year-mismatch", "year-unknown", "no-figure-of-kind"} & set(notes)

    def _factors(
        self, number: int, q: Question, figure: Figure | None, fit: float
    ) -> tuple[float, list[str]]:
        factor = 1.0
        notes: list[str] = []
        kind = q.kind
        if kind == "who":
            factor *= 1.4 if self._has_person[number] else 0.6
        elif kind in FIGURE_KINDS:
            if figure is None or fit < MIN_FIT:
                factor *= 0.55
                notes.append("no-figure-of-kind")
            else:
                factor *= 0.8 + 0.4 * fit
        if q.years:
            fact = self.facts[number]
            fact_years = set(fact.years)
            date = fact.article_date
            if fact_years & q.years:
                factor *= 1.3
                notes.append("year-agrees")
            elif fact_years:
                factor *= 0.5
                notes.append("year-mismatch")
            elif date is not None and date.year in q.years:
                factor *= 0.9
            else:
                factor *= 0.7
                notes.append("year-unknown")
        return factor, notes

    def _choose_figure(
        self, number: int, q: Question, matched: dict[int, Unit], rarity: list[float]
    ) -> tuple[Figure | None, float]:
        """The figure in the fact that answers the question, and how well it fits its type.

        Each candidate is judged by its kind against the question type, by how close it
        stands to the question's words in the sentence (rarer words count more), by year
        agreement and by its unit («туристов» in the question, «иностранных туристов» in
        the figure).
        """
        fact = self.facts[number]
        if not fact.figures or q.kind in ("who", "where"):
            return None, 0.0
        details = self._detail(number)
        anchors: list[tuple[list[int], float]] = []
        for unit_number, unit in matched.items():
            positions = [
                p for term, _ in unit.alternatives for p in details.positions.get(term, ())
            ]
            if positions:
                anchors.append((positions, unit.weight * rarity[unit_number]))
        anchor_mass = sum(w for _, w in anchors) or 1.0
        best: tuple[float, Figure | None, float] = (0.0, None, 0.0)
        # A date answers «когда»; other questions get an amount when the sentence has one.
        skip_times = q.kind != "when" and bool(fact.amounts)
        for figure, position in zip(fact.figures, details.figure_positions, strict=True):
            fit = _fits(q.kind, figure)
            if fit <= 0 or (skip_times and figure.kind in TIME_KINDS):
                continue
            closeness = sum(
                w / (1 + min(abs(position - p) for p in positions)) for positions, w in anchors
            )
            value = fit + closeness / anchor_mass
            if q.years and figure.year in q.years:
                value += 0.6
            if figure.unit and _unit_lemmas(figure.unit) & q.lemmas:
                value += 0.4
            if figure.comparison == "to" and not q.years:
                value += 0.3  # «с 21 тыс. … до 10 тыс.»: the newer figure is the answer
            if value > best[0]:
                best = (value, figure, fit)
        return best[1], best[2]

    def _prefer_newest(
        self, results: list[tuple[float, int, Figure | None, tuple[str, ...], frozenset[int]]]
    ) -> list[tuple[float, int, Figure | None, tuple[str, ...], frozenset[int]]]:
        """Among facts that answer the same thing equally well, the newest comes first."""
        if len(results) < 2:
            return results
        top_score, top_matched = results[0][0], results[0][4]
        same = [r for r in results if r[0] >= SAME_THING * top_score and r[4] == top_matched]
        if len(same) < 2:
            return results
        newest = max(same, key=lambda r: (int(self._date[r[1]]), r[0]))
        if newest is results[0]:
            return results
        return [newest] + [r for r in results if r is not newest]

    # -- topics and suggestions -----------------------------------------------------------

    def topic_of(self, fact: Fact) -> str | None:
        """The topic a fact belongs to (data/topics.json), if any."""
        number = self._number_of.get(fact.id)
        return None if number is None else self._topic_of[number]

    def topics(self) -> dict[str, list[Fact]]:
        """Topic → its facts, newest article first; topics with most facts first."""
        if self._topics is None:
            by_topic: dict[str, list[int]] = defaultdict(list)
            for number, topic in enumerate(self._topic_of):
                if topic is not None:
                    by_topic[topic].append(number)
            ordered = sorted(by_topic.items(), key=lambda item: (-len(item[1]), item[0]))
            self._topics = {
                topic: [self.facts[n] for n in sorted(numbers, key=self._newest_first)]
                for topic, numbers in ordered
            }
        return self._topics

    def _newest_first(self, number: int) -> tuple[int, int]:
        return (-int(self._date[number]), number)

    def _answerable(self) -> dict[str, tuple[str, ...]]:
        """Each topic's suggested questions that these facts really answer."""
        if self._suggestions is None:
            self._suggestions = {
                topic.name: tuple(q for q in topic.questions if self.match(q, limit=1))
                for topic in _topics()
            }
        return self._suggestions

    def suggestions(self, question: str = "", *, limit: int = 3) -> tuple[str, ...]:
        """Questions the facts answer: two on the topic nearest to `question`, then others."""
        answerable = self._answerable()
        order = list(self.topics())
        nearest = self.rank(question, limit=1, threshold=False) if question.strip() else []
        first = self.topic_of(nearest[0].fact) if nearest else None
        asked = question.strip().lower()
        out: list[str] = []

        def offer(topic: str | None, count: int) -> None:
            for candidate in answerable.get(topic or "", ())[:count]:
                if candidate.lower() != asked and candidate not in out and len(out) < limit:
                    out.append(candidate)

        offer(first, 2)
        for topic in order:
            if topic != first:
                offer(topic, 1)
        return tuple(out)

    def examples(self, *, limit: int = 3) -> tuple[str, ...]:
        """Example questions for a newcomer: one from each of the biggest topics."""
        return self.suggestions("", limit=limit)

    # -- answers made of several facts ----------------------------------------------------

    def digest(self, question: str, *, limit: int = 5) -> list[Match]:
        """Several facts for a question about a topic or a period, best first; [] otherwise.

        «Что известно про туризм?», «туризм» → the best facts on the topic; «Какие планы до
        2030 года?» → the facts about that year. A digest needs at least two facts.
        """
        q = self.parse_question(question)
        specific = [u for u in q.units if not u.generic]
        bare_topic = q.kind is None and not q.years and 0 < len(specific) <= 2
        if q.kind != "digest" and not bare_topic:
            return []
        if specific:
            found = self.rank(question, limit=max(limit * 4, 20))
        else:
            found = self._about_years(q.years)
        if len(found) < 2:
            return []
        # Facts with a figure say more: sentences without one only fill a short digest.
        with_figure = [m for m in found if m.figure is not None]
        without = [m for m in found if m.figure is None]
        return (with_figure + without[: max(0, MIN_DIGEST - len(with_figure))])[:limit]

    def _about_years(self, years: frozenset[int]) -> list[Match]:
        out = []
        for fact in self.facts:
            times = [f for f in fact.figures if f.kind in TIME_KINDS and f.year in years]
            if times:
                amounts = fact.amounts
                figure = amounts[0] if amounts else None
                out.append(Match(fact, 1.0, figure, ("period", times[0].text)))
        return out


def _buckets(vocabulary: Iterable[str]) -> dict[str, list[str]]:
    buckets: dict[str, list[str]] = defaultdict(list)
    for word in vocabulary:
        if word:
            buckets[word[0]].append(word)
    return dict(buckets)


def _closest(word: str, buckets: dict[str, list[str]], cutoff: float) -> tuple[str, float] | None:
    """The closest word with the same first letter (rapidfuzz ratio ≥ cutoff), if any."""
    best = process.extractOne(
        word, buckets.get(word[:1], ()), scorer=fuzz.ratio, score_cutoff=cutoff
    )
    return (best[0], best[1]) if best else None


@lru_cache(maxsize=20_000)
def _unit_lemmas(unit: str) -> frozenset[str]:
    return frozenset(t.lemma for t in lexicon().tokens(unit) if t.weight > 0)
