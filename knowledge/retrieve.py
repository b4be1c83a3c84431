"""Retrieval: a question's units → their ways to facts → score, coverage and evidence of
every fact that may be among the best few.

The arithmetic is knowledge/scoring.py's; here is what feeds it (a plan per question, each
unit's ways over the posting lists of knowledge/postings.py) and the bound-driven pass that
leaves out facts which cannot make it (`contenders`). The thresholds every pass shares are
defined here once.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .factors import most_rough_factor, rough_factors
from .places import places_in
from .postings import Postings
from .query import Question, QuestionParser, Unit
from .query.channels import (
    CHANNEL_ANAPHORA,
    CHANNEL_CONTEXT,
    CHANNEL_GROUP,
    CHANNEL_LEAD,
    CHANNEL_PLACE,
)
from .query.parse import MAX_UNITS
from .scoring import SLACK, Partial, Scores, UnitWays, Way, dense, exact

YEAR_WEIGHT = 0.5  # a year in the question, as a unit of coverage (see `Retriever.plan`)
# Floors of a candidate answer: loose on purpose, since whether the best candidate is an
# answer is the confidence model's call (knowledge/confidence.py). Chosen on the tune
# questions of both sets with the model refitted for each pair (0.3/0.5 scored best there).
MIN_COVERAGE = 0.3
# «Кто аким Алматы?»: words found everywhere only, but every one of them found (through its
# synonym group at least), in a fact naming a person.
WHO_ALL_FOUND = CHANNEL_GROUP
MIN_EVIDENCE = 0.5  # non-generic words matched, each counted by its weight and channel
SCORE_CACHE = 8  # (question, threshold) scorings kept: one ask ranks up to three times
# Below this many postings in all a question's posting lists, they are simply added up.
DENSE_POSTINGS = 8_000
# Up to this many facts such a question is scored over arrays of every fact (`dense`);
# above it, over the facts it reaches only (no per-question arrays the size of the index).
DENSE_FACTS = 20_000
WAYS_CACHE = 4096  # units (word, weight) whose ways to facts are kept
CANDIDATES = 16  # facts that get the full (figure-level) scoring after the array pass


@dataclass(frozen=True, slots=True)
class Plan:
    """A question ready for scoring: its units' ways to facts (see knowledge/scoring.py)."""

    q: Question
    rarity: list[float]  # per unit (the first MAX_UNITS)
    total: float  # the units' weighted rarity: coverage is a share of it
    units: tuple[UnitWays, ...]


class Retriever:
    """Scores questions over one `Postings`; caches the last few scorings and unit ways."""

    def __init__(self, postings: Postings, parser: QuestionParser) -> None:
        self.p = postings
        self._parser = parser
        self._scores: OrderedDict[tuple[str, bool], tuple[Plan, Scores]] = OrderedDict()
        self._ways_cache: OrderedDict[tuple[object, ...], UnitWays] = OrderedDict()
        self._where = np.full(postings.n, -1, dtype=np.int32)
        self._where_lock = threading.Lock()
        self._place_facts: dict[int, np.ndarray] = {}  # see `_about_place`

    def clear(self) -> None:
        """Forget cached scorings (tests switch between the dense and the pruned pass)."""
        self._scores.clear()

    def unit_rarity(self, unit: Unit) -> float:
        known = [self.p.idf[t] for t, _ in unit.alternatives if t in self.p.idf]
        return max(known) if known else self.p.idf_unknown

    # -- matching -------------------------------------------------------------------------

    def plan(self, question: str) -> Plan | None:
        """The question's units with their ways to facts, strongest way first."""
        q = self._parser.parse(question)
        if not q.units or not self.p.n:
            return None
        units = q.units[:MAX_UNITS]
        rarity = [self.unit_rarity(u) for u in units]
        total = sum(u.weight * r for u, r in zip(units, rarity, strict=True)) or 1.0
        planned = [
            self.unit_ways(unit, unit_rarity)
            for unit, unit_rarity in zip(units, rarity, strict=True)
        ]
        # A month is covered (not scored) by a fact that names a date in it or a part of a
        # year («с января по сентябрь» for «за девять месяцев») and, when it is the only
        # month asked, by one of an article written in it («на январском совещании»).
        # After the month's own words.
        by_month = self.p.month_ids[0 if len(q.months) == 1 else 1]
        for number, month in q.months:
            in_month = by_month.get(month)
            if in_month is not None:
                unit_ways = planned[number]
                month_way = Way(0.0, in_month, None, 0.0, 1.0, 0.0)
                planned[number] = UnitWays(
                    unit_ways.weight,
                    unit_ways.rarity,
                    unit_ways.generic,
                    (*unit_ways.ways, month_way),
                )
        # «Сколько спектаклей покажут на фестивале в Таразе?»: a fact of an article about
        # Taraz (its headline and lead name it: see places.py) covers the city's word, as a
        # weak context word (coverage and evidence, no score).
        for number, unit in enumerate(units):
            # (A city named everywhere, the bot's own, says nothing of which fact.)
            about = None if unit.generic else self._about_place(unit)
            if about is not None:
                unit_ways = planned[number]
                place_way = Way(0.0, about, None, 0.0, CHANNEL_PLACE, 0.0)
                planned[number] = UnitWays(
                    unit_ways.weight,
                    unit_ways.rarity,
                    unit_ways.generic,
                    (*unit_ways.ways, place_way),
                )
        # «Какие страны …?», «по примеру каких городов …?»: a fact naming several places
        # names what the place noun asks for (coverage only; PLACES_BONUS ranks them).
        if len(self.p.listing_places):
            for number in q.place_units:
                unit_ways = planned[number]
                listing_way = Way(0.0, self.p.listing_places, None, 0.0, CHANNEL_GROUP, 0.0)
                planned[number] = UnitWays(
                    unit_ways.weight,
                    unit_ways.rarity,
                    unit_ways.generic,
                    (*unit_ways.ways, listing_way),
                )
        # A year is part of what the question asks: a fact about that year covers it, one
        # from an article of that year without a year of its own covers it halfway. As a
        # unit that adds coverage only (no score, no evidence), after the words' units.
        years = []
        for year in sorted(q.years):
            about = self.p.year_ids.get(year, np.zeros(0, dtype=np.int32))
            df = len(about)
            year_rarity = YEAR_WEIGHT * math.log(1 + (self.p.n - df + 0.5) / (df + 0.5))
            total += year_rarity
            present = self.p.undated_of_year(year)
            year_ways = tuple(
                Way(channel, ids.astype(np.int64), None, 0.0, channel, 0.0)
                for channel, ids in ((1.0, np.sort(about)), (0.5, present))
                if len(ids)
            )
            years.append(UnitWays(1.0, year_rarity, True, year_ways))
        if len(planned) + len(years) > 64:
            years = []  # one bit per unit: the words come first
        return Plan(q, rarity, total, (*planned, *years))

    def _about_place(self, unit: Unit) -> np.ndarray | None:
        """The facts about the city a unit names («Таразе»), ascending; None: no city."""
        mask = places_in(unit.label)
        if not mask:
            return None
        about = self._place_facts.get(mask)
        if about is None:
            about = np.flatnonzero(self.p.places & mask).astype(np.int64)
            self._place_facts[mask] = about
        return about

    def unit_ways(self, unit: Unit, unit_rarity: float) -> UnitWays:
        """A unit's ways to facts (cached: the same words come back in many questions)."""
        key = (unit.alternatives, unit.weight, unit.generic)
        cached = self._ways_cache.get(key)
        if cached is not None:
            self._ways_cache.move_to_end(key)
            return cached
        # Each fact takes the unit's strongest way of matching: try the ways strongest
        # first, and let each fact take only the first that reaches it.
        # (way, which list it reads: a way over the very same list as a stronger one
        # reaches no fact that one has not reached already, and is left out)
        ways: list[tuple[Way, tuple[str, int]]] = []
        for term, channel in unit.alternatives:
            idf = self.p.idf.get(term)
            if idf is None:
                continue
            number = self.p.term_id[term]
            start, end = self.p.posting_start[number], self.p.posting_end[number]
            value = channel * idf
            way = Way(
                nominal=value,
                ids=self.p.posting_ids[start:end],
                tf=self.p.posting_tf[start:end],
                value=value,
                channel=channel,
                bound=value * self.p.max_tf[number],
            )
            ways.append((way, ("posting", start)))
            # The previous sentence's and the lead's words help a specific word only, and
            # only through its exact lemma or synonym group: a pass over a long array costs.
            # (A typo's lemma, at most CHANNEL_FUZZY, never qualifies: the context
            # index holds only lemmas and groups.)
            if unit.generic or channel < 0.9:
                continue
            lead = self.p.lead_context(self.p.posting_ids[start:end])
            start, end = self.p.context_start[number], self.p.context_end[number]
            if end > start:
                context = self.p.context_ids[start:end]
                # A sentence that points back («Его протяжённость …») is about what the one
                # before it names: its words count more there than for other sentences.
                pointing = context[self.p.points_back[context]]
                if len(pointing):
                    strong = channel * CHANNEL_ANAPHORA
                    way = Way(strong * idf, pointing, None, strong * idf, strong, strong * idf)
                    ways.append((way, ("anaphora", start)))
                weak = channel * CHANNEL_CONTEXT
                way = Way(weak * idf, context, None, weak * idf, weak, weak * idf)
                ways.append((way, ("context", start)))
            if lead is not None:
                weak = channel * CHANNEL_LEAD
                way = Way(weak * idf, lead, None, weak * idf, weak, weak * idf)
                ways.append((way, ("lead", number)))
        ways.sort(key=lambda entry: -entry[0].nominal)
        seen: set[tuple[str, int]] = set()
        distinct = []
        for way, read in ways:
            if read not in seen:
                seen.add(read)
                distinct.append(way)
        unit_ways = UnitWays(unit.weight, unit_rarity, unit.generic, tuple(distinct))
        self._ways_cache[key] = unit_ways
        if len(self._ways_cache) > WAYS_CACHE:
            self._ways_cache.popitem(last=False)
        return unit_ways

    def score(self, question: str, threshold: bool) -> tuple[Plan, Scores] | None:
        """Score, coverage, evidence and matched units (a bit per unit) of every fact that
        may be among the CANDIDATES best of `FactIndex.rank` — and of few others.

        Cached for the last few questions: one `ask` ranks for a digest, an answer and
        perhaps suggestions.
        """
        key = (question, threshold)
        cached = self._scores.get(key)
        if cached is not None:
            return cached
        plan = self.plan(question)
        if plan is None:
            return None
        cost = sum(unit.cost for unit in plan.units)
        if cost <= DENSE_POSTINGS and self.p.n <= DENSE_FACTS:
            # A small index: one pass over arrays of every fact is cheapest.
            scored = (plan, dense(plan.units, plan.total, self.p.n))
            self._scores[key] = scored
            if len(self._scores) > SCORE_CACHE:
                self._scores.popitem(last=False)
            return scored
        if cost <= DENSE_POSTINGS:
            # Every fact any way reaches, scored exactly: what a pass over all facts gives,
            # at the cost of the postings rather than of the number of facts.
            reached = [way.ids for unit in plan.units for way in unit.ways]
            contenders = np.unique(np.concatenate(reached)) if reached else np.zeros(0, int)
            contenders = contenders.astype(np.int64, copy=False)
        else:
            contenders = self._contenders(plan, threshold)
        scored = (plan, self._exact(plan, contenders))
        self._scores[key] = scored
        if len(self._scores) > SCORE_CACHE:
            self._scores.popitem(last=False)
        return scored

    def _exact(self, plan: Plan, contenders: np.ndarray) -> Scores:
        # Scratch space for `exact`: the index's own, unless another thread is using it.
        if self._where_lock.acquire(blocking=False):
            try:
                return exact(plan.units, plan.total, contenders, self._where)
            finally:
                self._where_lock.release()
        return exact(plan.units, plan.total, contenders, np.full(self.p.n, -1, np.int32))

    def _contenders(self, plan: Plan, threshold: bool) -> np.ndarray:
        """Facts that may be among `rank`'s CANDIDATES best (ascending): a superset of them,
        ties included, found from bounds without a pass over every unit's postings.

        The strongest ways of some units are added up over their postings (`Partial`); a
        fact none of them reaches is left out when the ways left out together cannot make it
        eligible (threshold) or lift it to the score of the CANDIDATES best facts found so
        far (a lower bound of the final CANDIDATES-th score). Of the facts reached, those
        that cannot make it even if every way left out matched are left out too.
        """
        q, units, total = plan.q, plan.units, plan.total
        who = q.kind == "who"
        most_factor = most_rough_factor(q)
        # upto[u]: unit u's first ways added up; rest[u]: the most its other ways may add.
        upto = [0] * len(units)
        rest = [u.rest(0, total) for u in units]

        def ineligible(s_rest: float, c_rest: float, e_rest: float) -> bool:
            c, e = c_rest * (1 + SLACK), e_rest * (1 + SLACK)
            return c < MIN_COVERAGE or (e < MIN_EVIDENCE and (not who or c < WHO_ALL_FOUND))

        def most_rough(s_rest: float, c_rest: float) -> float:
            return s_rest * (0.5 + c_rest) * most_factor * (1 + SLACK)

        partial = Partial(self.p.n, total)
        if threshold:
            # All ways, then leave out the longest last way of a unit while the facts reached
            # by none of the others still cannot be eligible.
            upto = [len(u.ways) for u in units]
            rest = [(0.0, 0.0, 0.0)] * len(units)
            sums = [0.0, 0.0, 0.0]
            while True:
                best: tuple[int, int, tuple[float, float, float]] | None = None
                for i, unit in enumerate(units):
                    if not upto[i] or (
                        best is not None and len(unit.ways[upto[i] - 1].ids) <= best[1]
                    ):
                        continue
                    more = unit.rest(upto[i] - 1, total)
                    trial = [sums[k] - rest[i][k] + more[k] for k in range(3)]
                    if ineligible(*trial):
                        best = (i, len(unit.ways[upto[i] - 1].ids), more)
                if best is None:
                    break
                i, _, more = best
                sums = [sums[k] - rest[i][k] + more[k] for k in range(3)]
                upto[i] -= 1
                rest[i] = more
            if not any(upto):
                return np.zeros(0, dtype=np.int64)
            for unit, count in zip(units, upto, strict=True):
                if count:
                    partial.add(unit, count)
        while True:
            reached = partial.values()
            factor, allowed = rough_factors(self.p, reached.ids, q)
            floor = self._floor(reached, factor, allowed, q, threshold)
            s_rest = sum(r[0] for r in rest)
            c_rest = sum(r[1] for r in rest)
            if threshold or most_rough(s_rest, c_rest) < floor:
                break
            left_out = [i for i, u in enumerate(units) if upto[i] < len(u.ways)]
            if not left_out:
                break
            # The unit left out that may matter most (the cheapest of equals): add it all,
            # and look again.
            i = max(left_out, key=lambda u: (rest[u][0], -units[u].cost))
            partial.add(units[i])
            upto[i], rest[i] = len(units[i].ways), (0.0, 0.0, 0.0)
        s_rest = sum(r[0] for r in rest)
        c_rest = sum(r[1] for r in rest)
        e_rest = sum(r[2] for r in rest)
        most = (reached.score + s_rest) * (0.5 + reached.coverage + c_rest) * factor
        keep = most * (1 + SLACK) >= floor
        if threshold:
            c_most = (reached.coverage + c_rest) * (1 + SLACK)
            may = (c_most >= MIN_COVERAGE) & (
                (reached.evidence + e_rest) * (1 + SLACK) >= MIN_EVIDENCE
            )
            if who:
                may |= (c_most >= WHO_ALL_FOUND) & self.p.has_person[reached.ids]
            keep &= may & allowed
        return reached.ids[keep]

    def _floor(
        self,
        reached: Scores,
        factor: np.ndarray,
        allowed: np.ndarray,
        q: Question,
        threshold: bool,
    ) -> float:
        """A lower bound of the CANDIDATES-th best rough score in `rank` (-inf: none yet)."""
        sure = reached.score > 0
        if threshold:
            surely = (reached.coverage >= MIN_COVERAGE * (1 + SLACK)) & (
                reached.evidence >= MIN_EVIDENCE * (1 + SLACK)
            )
            if q.kind == "who":
                surely |= (reached.coverage >= WHO_ALL_FOUND * (1 + SLACK)) & self.p.has_person[
                    reached.ids
                ]
            # «Сколько рабочих мест …»: a fact without what is counted is no candidate
            # (FactIndex), so it cannot hold the floor up either.
            for unit_number in q.focus:
                surely &= (reached.bits & np.uint64(1 << unit_number)) != 0
            sure &= surely & allowed
        if np.count_nonzero(sure) < CANDIDATES:
            return -math.inf
        least = reached.score[sure] * (0.5 + reached.coverage[sure]) * factor[sure]
        kth = np.partition(least, len(least) - CANDIDATES)[len(least) - CANDIDATES]
        return float(kth) * (1 - SLACK)


def best(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` largest values, ties taken from the lowest positions, in order.

    Candidates are in fact order, so equal facts (the same sentence in several articles) are
    chosen by their place in the store, not by whatever `argpartition` happens to keep: the
    choice then stays the same when the candidate pass skips facts that cannot win.
    """
    kth = np.partition(values, len(values) - k)[len(values) - k]
    above = np.flatnonzero(values > kth)
    tied = np.flatnonzero(values == kth)[: k - len(above)]
    return np.sort(np.concatenate([above, tied]))
