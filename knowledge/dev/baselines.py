"""Off-the-shelf matchers to measure citybot's own against: BM25 and tantivy.

Both have FactIndex's question interface — `build(facts)`, `match(question, *, limit=3)` →
`list[Match]` (empty: abstain) — and a `threshold` on the top score below which they
abstain. `calibrate` picks that threshold on the tune half of the question set.

The text of both is treated alike: lowercase, «ё» → «е», Russian stop words and question
words dropped, Snowball Russian stems (PyStemmer for BM25, tantivy's own stemmer for
tantivy). Needs the optional packages rank_bm25, PyStemmer and tantivy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..facts import Fact
from ..figures import Figure
from ..match import Match
from ..text import data_lines

if TYPE_CHECKING:
    from .judging import EvalQuestion

# Snowball's Russian stop words (the list tantivy and NLTK use), plus the question words that
# say what kind of answer is wanted rather than what about: data/baseline_stopwords.txt.
STOP_WORDS = frozenset(data_lines("baseline_stopwords.txt"))
_WORD_RE = re.compile(r"\w+")
MAX_QUERY_TERMS = 256  # a 10,000-character message is not a query of 1,500 words


def normalize(text: str) -> str:
    """Lowercase, «ё» → «е»: what both baselines index and query."""
    return text.lower().replace("ё", "е")


def tokens(text: str) -> list[str]:
    """Lowercase words without stop words (not stemmed)."""
    return [w for w in _WORD_RE.findall(normalize(text)) if w not in STOP_WORDS]


def _first_amount(fact: Fact) -> Figure | None:
    amounts = fact.amounts
    return amounts[0] if amounts else None


class Matcher(Protocol):
    """What evaluate and bench need from any matcher."""

    threshold: float

    def match(self, question: str, *, limit: int = 3) -> list[Match]: ...


class RankingMatcher(Matcher, Protocol):
    def rank(self, question: str, *, limit: int = 3) -> list[Match]: ...


class _Baseline:
    """Shared part: ranking without a threshold, matching with one."""

    name = "baseline"

    def __init__(self, facts: tuple[Fact, ...], threshold: float) -> None:
        self.facts = facts
        self.threshold = threshold

    def _scores(self, question: str, limit: int) -> list[tuple[int, float]]:
        """(fact number, score) of the best facts, best first, scores > 0."""
        raise NotImplementedError

    def rank(self, question: str, *, limit: int = 3) -> list[Match]:
        """The best facts whatever their score (the threshold is not applied)."""
        if limit <= 0 or not self.facts:
            return []
        return [
            Match(self.facts[n], round(s, 4), _first_amount(self.facts[n]), (self.name,))
            for n, s in self._scores(question, limit)
        ]

    def match(self, question: str, *, limit: int = 3) -> list[Match]:
        """Best facts, best first; [] (abstain) when the best score is below the threshold."""
        ranked = self.rank(question, limit=limit)
        if not ranked or ranked[0].score < self.threshold:
            return []
        return ranked


class BM25Baseline(_Baseline):
    """rank_bm25's BM25Okapi over Snowball Russian stems (PyStemmer)."""

    name = "bm25"

    def __init__(self, facts: tuple[Fact, ...], threshold: float = 0.0) -> None:
        import Stemmer  # PyStemmer
        from rank_bm25 import BM25Okapi

        super().__init__(facts, threshold)
        self._stemmer = Stemmer.Stemmer("russian")
        corpus = [self._stems(fact.text) for fact in facts]
        # BM25Okapi divides by the corpus' average length: it needs one word somewhere.
        self._bm25: Any = BM25Okapi(corpus) if any(corpus) else None

    @classmethod
    def build(cls, facts: Iterable[Fact], *, threshold: float = 0.0) -> BM25Baseline:
        return cls(tuple(facts), threshold)

    def _stems(self, text: str) -> list[str]:
        return list(self._stemmer.stemWords(tokens(text)))

    def _scores(self, question: str, limit: int) -> list[tuple[int, float]]:
        if self._bm25 is None:
            return []
        # Unique terms: BM25Okapi would count a repeated word once per repetition.
        query = list(dict.fromkeys(self._stems(question)))[:MAX_QUERY_TERMS]
        known = [t for t in query if t in self._bm25.idf]
        if not known:
            return []
        scores = np.asarray(self._bm25.get_scores(known), dtype=np.float64)
        k = min(limit, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        ordered = sorted(best.tolist(), key=lambda n: (-scores[n], n))
        return [(n, float(scores[n])) for n in ordered if scores[n] > 0]


class TantivyBaseline(_Baseline):
    """A tantivy index in RAM; the question is an OR query over its stemmed words."""

    name = "tantivy"
    TOKENIZER = "ru_stem"

    def __init__(self, facts: tuple[Fact, ...], threshold: float = 0.0) -> None:
        import tantivy

        super().__init__(facts, threshold)
        self._tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False, tokenizer_name=self.TOKENIZER)
        builder.add_integer_field("n", stored=False, fast=True)
        self._schema = builder.build()
        self._index = tantivy.Index(self._schema)
        self._analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS)))
            .filter(tantivy.Filter.stemmer("russian"))
            .build()
        )
        self._index.register_tokenizer(self.TOKENIZER, self._analyzer)
        # One indexing thread keeps small indexes in one segment (stable ties).
        threads = 1 if len(facts) < 50_000 else 0
        writer = self._index.writer(heap_size=256_000_000, num_threads=threads)
        for number, fact in enumerate(facts):
            writer.add_document(tantivy.Document(text=normalize(fact.text), n=number))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()

    @classmethod
    def build(cls, facts: Iterable[Fact], *, threshold: float = 0.0) -> TantivyBaseline:
        return cls(tuple(facts), threshold)

    def _scores(self, question: str, limit: int) -> list[tuple[int, float]]:
        tantivy = self._tantivy
        # The analyzer, not the query parser: no syntax ("AND", quotes, brackets) can fail.
        terms = list(dict.fromkeys(self._analyzer.analyze(normalize(question))))
        if not terms:
            return []
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "text", term))
                for term in terms[:MAX_QUERY_TERMS]
            ]
        )
        hits = self._searcher.search(query, limit).hits
        if not hits:
            return []
        numbers = self._searcher.fast_field_values("n", [address for _, address in hits])
        found = [
            (int(n), float(s)) for (s, _), n in zip(hits, numbers, strict=True) if n is not None
        ]
        return sorted(((n, s) for n, s in found if s > 0), key=lambda item: (-item[1], item[0]))


# --- calibration ---------------------------------------------------------------------------


def calibrate(matcher: RankingMatcher, questions: Sequence[EvalQuestion]) -> float:
    """The threshold that maximises answered-correctly + abstained-correctly on the tune
    questions (the matcher answers when its top score ≥ threshold); ties: the lowest.

    Candidates are 0, the midpoints between consecutive top scores and one above the
    highest, so the threshold never sits exactly on a tune question's score.
    """
    from .judging import judge_top

    # Per tune question with a candidate: its top score, whether answering would be right,
    # whether abstaining would be right. Questions without any candidate always abstain.
    tops: list[tuple[float, bool, bool]] = []
    for q in questions:
        if q.split != "tune":
            continue
        ranked = matcher.rank(q.question, limit=1)
        if ranked:
            tops.append((ranked[0].score, judge_top(q, ranked).correct, not q.found))
    scores = sorted({score for score, _, _ in tops})
    candidates = [0.0]
    candidates += [(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)]
    if scores:
        candidates.append(scores[-1] + 1.0)

    def right(threshold: float) -> int:
        return sum(
            answer_ok if score >= threshold else abstain_ok
            for score, answer_ok, abstain_ok in tops
        )

    return float(max(candidates, key=lambda t: (right(t), -t)))
