"""`FactIndex`: the question path over one store generation, as a coordinator.

It builds the arrays (knowledge/postings.py), the question parser (knowledge/query/) and
the retriever (knowledge/retrieve.py) once, and ranks: the array pass finds the best few
candidates, then each gets its figure (knowledge/choose.py) and its factors
(knowledge/factors.py). Topics, suggestions and digests are knowledge/digest.py's. It never
touches the database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import numpy as np

from .choose import (
    Ranked,
    adds_to_before,
    choose_figure,
    names,
    names_holder,
    names_in_latin,
    places_named,
    prefer_newest,
    wants_figure,
)
from .confidence import Candidate, Model, default_model
from .digest import Digests, load_topics
from .factors import confident, factors, rough_factors
from .facts import Fact
from .figures import Figure
from .match import Match, Note
from .postings import PLACES_LISTED, Postings
from .query import Cue, Question, QuestionParser, Speller
from .retrieve import (
    CANDIDATES,
    MIN_COVERAGE,
    MIN_EVIDENCE,
    SCORE_CACHE,
    WHO_ALL_FOUND,
    Retriever,
    best,
)
from .scoring import Scores
from .text import Lexicon, lexicon

ARTICLE_DATE_COVERAGE = 0.95  # every word of the question found: the same event
PLACES_BONUS = 1.5  # «Какие страны …?»: a sentence naming several places (PLACES_LISTED)
# «Какую ещё задачу, кроме цифровизации, …?»: one thing more is asked, which a sentence
# adding to what was said before names («… также …», «кроме того, …»).
ALSO_BONUS = 1.5
WHICH_MISSING = 0.6  # a «какой X?» fact without X in its own sentence (see _results)
EXPLAIN_DEPTH = 50  # candidates searched for the figure a fact offers for a question


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
        self.postings = Postings(facts, lx, load_topics())
        p = self.postings
        self._speller = Speller(p.surface, p.function_words, p.df, lx)
        self._parser = QuestionParser(p.df, self._speller, p.present_year, lx)
        self.retriever = Retriever(p, self._parser)
        self._ranked_cache: OrderedDict[tuple[str, bool], tuple[list[Ranked], Scores]] = (
            OrderedDict()
        )
        self._number_of: dict[str, int] | None = None  # fact id → number (see topic_of)
        self._digests = Digests(self)
        # Decides whether the best candidate is an answer (knowledge/confidence.py); None
        # answers with any candidate past the floors (how the calibration collects them).
        self.confidence: Model | None = default_model()

    @classmethod
    def build(cls, facts: Iterable[Fact], *, generation: int = 0) -> FactIndex:
        """Index `facts` (lemmas, stems, synonym groups) for `match`."""
        return cls(tuple(facts), generation, lexicon())

    def __len__(self) -> int:
        return self.postings.n

    def to_russian(self, question: str) -> str:
        """The question in Russian words (see knowledge/query/spelling.py)."""
        return self._speller.to_russian(question)

    def parse_question(self, question: str) -> Question:
        """Units, years and type of a question (cached: the same question is parsed once)."""
        return self._parser.parse(question)

    def clear_caches(self) -> None:
        """Forget ranked and scored questions (tests compare the dense and pruned passes)."""
        self._ranked_cache.clear()
        self.retriever.clear()

    # -- matching -------------------------------------------------------------------------

    def match(self, question: str, *, limit: int = 3) -> list[Match]:
        """Best facts for `question`, best first; an empty list means "not found"."""
        return self.rank(question, limit=limit, threshold=True)

    def rank(self, question: str, *, limit: int = 3, threshold: bool = True) -> list[Match]:
        """Like `match`; with threshold=False it also returns weak candidates (suggestions)."""
        return [match for _, match in self.ranked(question, limit, threshold)]

    def ranked(self, question: str, limit: int, threshold: bool) -> list[tuple[int, Match]]:
        """`rank` with each match's fact number."""
        ranked = self._results(question, threshold)
        if ranked is None:
            return []
        results, s = ranked
        return [
            (n, _match(self.facts[n], f, figure, s, *why))
            for f, n, figure, why, _ in results[:limit]
        ]

    def fact(self, fact_id: str) -> Fact | None:
        """The fact with this id, if this index holds it."""
        number = self._number(fact_id)
        return None if number is None else self.facts[number]

    def explain(self, question: str, fact: Fact) -> Match:
        """`fact` as a match for `question`: as ranked among the best EXPLAIN_DEPTH
        candidates (with the figure that answers it), else with its first amount and no
        score (a fact a person picked that the ranking does not reach)."""
        for match in self.rank(question, limit=EXPLAIN_DEPTH, threshold=False):
            if match.fact.id == fact.id:
                return match
        amounts = fact.amounts
        return Match(fact=fact, score=0.0, figure=amounts[0] if amounts else None)

    def candidate(self, question: str) -> Candidate | None:
        """What the confidence model reads of the best candidate past the floors (None:
        no candidate). For the calibration (knowledge/dev/calibrate.py)."""
        model, self.confidence = self.confidence, None
        try:
            ranked = self._results(question, True)
        finally:
            self.confidence = model
            self._ranked_cache.pop((question, True), None)
        if ranked is None or not ranked[0]:
            return None
        return _candidate(ranked[0][0], ranked[1], self.parse_question(question), self.postings)

    def _results(self, question: str, threshold: bool) -> tuple[list[Ranked], Scores] | None:
        """Every fully scored candidate, best first (cached: `digest` and `match` rank the
        same question, and only the number of matches taken differs)."""
        key = (question, threshold)
        cached = self._ranked_cache.get(key)
        if cached is not None:
            return cached
        if threshold and self.parse_question(question).unknown_name:
            return None  # «… в Шымкенте?»: see Question.unknown_name
        scored = self.retriever.score(question, threshold)
        if scored is None:
            return None
        plan, s = scored
        p = self.postings
        q, rarity = plan.q, plan.rarity
        if threshold:
            # «Кто аким Алматы?»: only generic words, all found, in a fact naming a person.
            eligible = (s.coverage >= MIN_COVERAGE) & (s.evidence >= MIN_EVIDENCE)
            if q.kind == "who":
                eligible |= (s.coverage >= WHO_ALL_FOUND) & p.has_person[s.ids]
            # «Сколько рабочих мест …»: a fact without what is counted counts something else.
            for unit_number in q.focus:
                eligible &= (s.bits & np.uint64(1 << unit_number)) != 0
            local = np.flatnonzero(eligible & (s.score > 0))
        else:
            local = np.flatnonzero(s.score > 0)
        # Rules that do not depend on which figure is chosen run over arrays, and a cheap
        # first ranking keeps the detailed pass to a few facts.
        rough_factor, allowed = rough_factors(p, s.ids[local], q)
        if threshold:
            local, rough_factor = local[allowed], rough_factor[allowed]
        if len(local) > CANDIDATES:
            rough = s.score[local] * (0.5 + s.coverage[local]) * rough_factor
            local = local[best(rough, CANDIDATES)]
        results: list[Ranked] = []
        carriers = p.carriers(t for unit in q.units for t, _ in unit.alternatives)
        for i in local.tolist():
            number = int(s.ids[i])
            fact = self.facts[number]
            matched_bits = int(s.bits[i])
            matched = {u: t for u, t in enumerate(q.units) if matched_bits >> u & 1}
            # «какой X?» looks at where the words stand anyway (see _names): once per fact.
            details = p.detail(number, carriers) if q.asked else None
            if details is None and wants_figure(fact, q):
                details = p.detail(number, carriers)
            figure, fit = choose_figure(fact, q, matched, rarity, details)
            factor, notes = factors(p, number, q, figure, fit)
            listing = (
                Cue.PLACES in q.cues and places_named(fact.text, q, self._lx) >= PLACES_LISTED
            )
            if (
                details is not None
                and not listing
                and not names(q, q.asked, details)
                and not names_in_latin(fact.text, q)
            ):
                # «В интервью какой газете …?»: a sentence without the thing asked about
                # cannot name it — unless the sentence before does (see ASKED_BEFORE), or it
                # names something in Latin letters («…, сообщает Zakon.kz»).
                factor *= WHICH_MISSING
                if all(matched_bits >> u & 1 for u in q.asked):
                    notes.append(Note.ASKED_BEFORE)
            if q.kind == "who" and details is not None and not names_holder(fact.text, q, details):
                # «Кто генеральный консул Франции?»: the sentence names the role, but nobody
                # who holds it («… генеральные консулы КНР, Ирана, Турции, Франции»).
                notes.append(Note.NO_HOLDER)
            if listing:
                factor *= PLACES_BONUS  # «Какие страны …?»: a sentence naming several
            if Cue.ALSO in q.cues and adds_to_before(fact.text):
                factor *= ALSO_BONUS  # «Какую ещё задачу …?»: «В числе задач также …»
            final = float(s.score[i]) * factor * (0.5 + float(s.coverage[i]))
            if threshold and not confident(notes):
                continue
            if threshold and Note.ARTICLE_DATE in notes and s.coverage[i] < ARTICLE_DATE_COVERAGE:
                continue  # the sentence may report another event than the one asked about
            # The explanation is written out only for the matches returned (see below).
            why = (i, tuple(notes), tuple(unit.label for unit in matched.values()))
            results.append((final, number, figure, why, frozenset(matched)))
        results.sort(key=lambda r: (-r[0], r[1]))
        results = prefer_newest(results, p.date)
        if threshold and self.confidence is not None:
            # Past the strict gate, or sure enough by the model (knowledge/confidence.py);
            # when the best is neither, «нет ответа».
            model = self.confidence
            results = [
                r
                for r in results
                if (c := _candidate(r, s, q, p)).strict or model.probability(c) >= model.threshold
            ]
        ranked = (results, s)
        self._ranked_cache[key] = ranked
        if len(self._ranked_cache) > SCORE_CACHE:
            self._ranked_cache.popitem(last=False)
        return ranked

    def preceding(self, fact: Fact) -> Fact | None:
        """The sentence before, in the same article, if it is a fact of this index."""
        number = self._fact_number(fact)
        if not number:
            return None
        before = self.facts[number - 1]
        same = before.article_id == fact.article_id and before.position == fact.position - 1
        return before if same else None

    def following(self, fact: Fact) -> Fact | None:
        """The next sentence of the same article, if it is a fact of this index."""
        number = self._fact_number(fact)
        if number is None or number + 1 >= self.postings.n:
            return None
        after = self.facts[number + 1]
        same = after.article_id == fact.article_id and after.position == fact.position + 1
        return after if same else None

    def topic_of(self, fact: Fact) -> str | None:
        """The topic a fact belongs to (data/topics.json), if any."""
        return self._digests.topic_name(self._fact_number(fact))

    def _fact_number(self, fact: Fact) -> int | None:
        return self._number(fact.id)

    def _number(self, fact_id: str) -> int | None:
        if self._number_of is None:  # built on first use: 100,000 facts make 5 MB
            self._number_of = {f.id: number for number, f in enumerate(self.facts)}
        return self._number_of.get(fact_id)

    def topics(self) -> dict[str, list[Fact]]:
        """Topic → its facts, newest article first (facts with a figure before those
        without: a topic page shows figures); topics with most facts first."""
        return self._digests.topics()

    def suggestions(self, question: str = "", *, limit: int = 3) -> tuple[str, ...]:
        """Questions the facts answer: two on the topic nearest to `question`, then others."""
        return self._digests.suggestions(question, limit=limit)

    def examples(self, *, limit: int = 3) -> tuple[str, ...]:
        """Example questions for a newcomer: one from each of the biggest topics."""
        return self._digests.examples(limit=limit)

    def digest(self, question: str, *, limit: int = 5) -> list[Match]:
        """Several facts for a question about a topic or a period, best first; [] otherwise
        (see knowledge/digest.py)."""
        return self._digests.digest(question, limit=limit)


def _candidate(result: Ranked, s: Scores, q: Question, p: Postings) -> Candidate:
    final, number, figure, why, _ = result
    i = why[0]
    return Candidate(
        who_found=q.kind == "who"
        and bool(s.coverage[i] >= WHO_ALL_FOUND)
        and bool(p.has_person[number]),
        coverage=float(s.coverage[i]),
        evidence=float(s.evidence[i]),
        score=final,
        has_figure=figure is not None,
        units=len(q.units),
    )


def _match(
    fact: Fact,
    score: float,
    figure: Figure | None,
    s: Scores,
    i: int,
    notes: tuple[Note, ...],
    labels: tuple[str, ...],
) -> Match:
    """A ranked candidate as a Match: its notes and matched parts, and the same spelled out
    in `why` for people (debugging and eval)."""
    why = (
        f"coverage={s.coverage[i]:.2f}",
        f"evidence={s.evidence[i]:.2f}",
        *notes,
        *("~" + label for label in labels),
    )
    return Match(fact, round(score, 4), figure, why, notes, frozenset(labels))
