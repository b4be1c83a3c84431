"""Scoring a question's units against facts: exactly for a few facts, roughly for many.

The matcher's arithmetic (see knowledge/retrieve.py): each unit of the question reaches a
fact through its strongest way (lemma, group, typo, stem, the previous sentence) and adds
`weight × value` to the fact's score, `weight × rarity × channel` to its coverage and, for a
specific word, `weight × channel` to its evidence. All in float32, unit after unit.

Adding up every unit over every fact it reaches costs a pass over long posting lists for
words that occur everywhere («Алматы», «год»). Most facts they reach can never be eligible
or among the best few, and that can be known from bounds: `partial` adds up only some units
(densely, over their postings), `exact` then computes the true values — the same float32
operations in the same order as a full pass would — for the few facts that may still win.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

# Relative slack for comparing bounds computed in another order (float32 rounding).
SLACK = 1e-4


@dataclass(frozen=True, slots=True, eq=False)
class Way:
    """One way a unit reaches facts: a term's posting list, or its previous-sentence list."""

    nominal: float  # channel × idf: a unit's ways are tried strongest first
    ids: np.ndarray  # fact numbers, ascending
    tf: np.ndarray | None  # BM25 term-frequency factor per fact; None: a flat `value`
    value: float  # channel × idf (times tf, when there is one)
    channel: float
    bound: float  # the largest value this way gives any fact


@dataclass(frozen=True, slots=True, eq=False)
class UnitWays:
    weight: float
    rarity: float
    generic: bool
    ways: tuple[Way, ...]  # strongest first

    @property
    def cost(self) -> int:
        return sum(len(way.ids) for way in self.ways)

    @property
    def score_bound(self) -> float:
        return self.weight * max((w.bound for w in self.ways), default=0.0)

    def coverage_bound(self, total: float) -> float:
        return self.weight * self.rarity * max((w.channel for w in self.ways), default=0.0) / total

    @property
    def evidence_bound(self) -> float:
        if self.generic:
            return 0.0
        return self.weight * max((w.channel for w in self.ways), default=0.0)

    def rest(self, first: int, total: float) -> tuple[float, float, float]:
        """The most that ways[first:] may add to a fact's score, coverage and evidence."""
        ways = self.ways[first:]
        if not ways:
            return 0.0, 0.0, 0.0
        channel = max(w.channel for w in ways)
        return (
            self.weight * max(w.bound for w in ways),
            self.weight * self.rarity * channel / total,
            0.0 if self.generic else self.weight * channel,
        )


@dataclass(frozen=True, slots=True, eq=False)
class Scores:
    """Per fact in `ids` (ascending): score, coverage, evidence and matched units (bits)."""

    ids: np.ndarray
    score: np.ndarray
    coverage: np.ndarray
    evidence: np.ndarray
    bits: np.ndarray


# A way's posting list is looked up fact by fact (binary search) rather than read whole when
# it is this many times longer than the facts still to be matched.
SEARCH_RATIO = 16


def exact(units: Sequence[UnitWays], total: float, ids: np.ndarray, where: np.ndarray) -> Scores:
    """The values a pass over all facts would give, for the facts `ids` (ascending).

    Unit by unit in question order, each fact taking a unit's first way that reaches it:
    the float32 sums come out bit for bit as over the full arrays. `where` is scratch space,
    one int32 per fact, all -1 (and left so).
    """
    size = len(ids)
    score = np.zeros(size, dtype=np.float32)
    covered = np.zeros(size, dtype=np.float32)
    evidence = np.zeros(size, dtype=np.float32)
    bits = np.zeros(size, dtype=np.uint64)
    if not size:
        return Scores(ids, score, covered, evidence, bits)
    where[ids] = np.arange(size, dtype=np.int32)
    try:
        for number, unit in enumerate(units):
            bit = np.uint64(1 << number)
            waiting: np.ndarray | None = None  # positions in `ids` no way has reached yet
            is_waiting = np.ones(0, dtype=bool)
            for way_number, way in enumerate(unit.ways):
                left = size if waiting is None else len(waiting)
                if not left:
                    break
                if len(way.ids) <= SEARCH_RATIO * left:
                    # Read the whole list: where each of its facts stands in `ids`, if at all.
                    found = where[way.ids]
                    at = np.flatnonzero(found >= 0)
                    local = found[at]
                    if waiting is not None:
                        fresh = is_waiting[local]
                        local, at = local[fresh], at[fresh]
                else:
                    needles = ids if waiting is None else ids[waiting]
                    at = np.searchsorted(way.ids, needles)
                    np.minimum(at, len(way.ids) - 1, out=at)
                    hit = way.ids[at] == needles
                    at = at[hit]
                    local = np.flatnonzero(hit) if waiting is None else waiting[hit]
                if not len(local):
                    continue
                if way_number + 1 < len(unit.ways):
                    if waiting is None:
                        is_waiting = np.ones(size, dtype=bool)
                    is_waiting[local] = False
                    waiting = np.flatnonzero(is_waiting)
                # ufunc.at: each fact at most once per way, the same float32 additions as
                # `a[local] += x`, in one pass instead of three.
                np.bitwise_or.at(bits, local, bit)
                if way.tf is not None:
                    np.add.at(score, local, unit.weight * (way.value * way.tf[at]))
                else:
                    np.add.at(score, local, np.float32(unit.weight * way.value))
                np.add.at(covered, local, np.float32(unit.weight * unit.rarity * way.channel))
                if not unit.generic:
                    np.add.at(evidence, local, np.float32(unit.weight * way.channel))
    finally:
        where[ids] = -1
    return Scores(ids, score, covered / total, evidence, bits)


def dense(units: Sequence[UnitWays], total: float, n: int) -> Scores:
    """`exact` for every fact any unit reaches, in one pass over the posting lists: for a
    question whose lists are short, cheaper than finding the few facts that may win."""
    score = np.zeros(n, dtype=np.float32)
    covered = np.zeros(n, dtype=np.float32)
    evidence = np.zeros(n, dtype=np.float32)
    bits = np.zeros(n, dtype=np.uint64)
    for number, unit in enumerate(units):
        bit = np.uint64(1 << number)
        for way, ids, tf in _fresh_ways(unit.ways, n):
            np.bitwise_or.at(bits, ids, bit)
            _add_share(unit, way, ids, tf, score, covered, evidence)
    ids = np.flatnonzero(bits)
    return Scores(ids, score[ids], covered[ids] / total, evidence[ids], bits[ids])


class Partial:
    """Some units' share of score, coverage and evidence, for every fact they reach.

    The same rules as `exact`, over whole posting lists (units added in any order, so the
    float32 sums may differ from the full pass in the last bits: they serve as bounds,
    with SLACK).
    """

    def __init__(self, n: int, total: float) -> None:
        self._total = total
        self._score = np.zeros(n, dtype=np.float32)
        self._covered = np.zeros(n, dtype=np.float32)
        self._evidence = np.zeros(n, dtype=np.float32)
        self._reached = np.zeros(n, dtype=bool)

    def add(self, unit: UnitWays, upto: int | None = None) -> None:
        """Add the unit's first `upto` ways (all by default): a fact they reach gets the
        unit's final share, the other ways being weaker."""
        ways = unit.ways if upto is None else unit.ways[:upto]
        for way, ids, tf in _fresh_ways(ways, len(self._reached)):
            self._reached[ids] = True
            _add_share(unit, way, ids, tf, self._score, self._covered, self._evidence)

    def values(self) -> Scores:
        """The facts reached so far with their partial values (bits left empty)."""
        ids = np.flatnonzero(self._reached)
        return Scores(
            ids,
            self._score[ids],
            self._covered[ids] / self._total,
            self._evidence[ids],
            np.zeros(len(ids), dtype=np.uint64),
        )


def _fresh_ways(
    ways: Sequence[Way], n: int
) -> Iterator[tuple[Way, np.ndarray, np.ndarray | None]]:
    """Each of a unit's ways (strongest first) with the facts no stronger way reached, and
    their term frequencies: a fact takes a unit's strongest way only."""
    taken: np.ndarray | None = None
    for number, way in enumerate(ways):
        ids, tf = way.ids, way.tf
        if taken is not None:
            fresh = ~taken[ids]
            ids = ids[fresh]
            tf = tf[fresh] if tf is not None else None
        if not len(ids):
            continue
        if number + 1 < len(ways):
            if taken is None:
                taken = np.zeros(n, dtype=bool)
            taken[ids] = True
        yield way, ids, tf


def _add_share(
    unit: UnitWays,
    way: Way,
    ids: np.ndarray,
    tf: np.ndarray | None,
    score: np.ndarray,
    covered: np.ndarray,
    evidence: np.ndarray,
) -> None:
    """Add what matching `unit` through `way` gives the facts `ids` (unit order kept)."""
    if tf is not None:
        np.add.at(score, ids, unit.weight * (way.value * tf))
    else:
        np.add.at(score, ids, np.float32(unit.weight * way.value))
    np.add.at(covered, ids, np.float32(unit.weight * unit.rarity * way.channel))
    if not unit.generic:
        np.add.at(evidence, ids, np.float32(unit.weight * way.channel))
