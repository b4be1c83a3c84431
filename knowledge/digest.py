"""Answers made of several facts, and what to offer when nothing matched: topics
(data/topics.json), «что нового» digests about a topic or a period, suggested questions.

`Digests` works through its index's public ranking (`rank`, `match`) and arrays; it keeps
what it computes once per index (topic pages, answerable suggestions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from .facts import TIME_KINDS, Fact
from .match import Match
from .query import Cue
from .text import lexicon

if TYPE_CHECKING:
    from .index import FactIndex

MIN_DIGEST = 3  # a digest shorter than this is filled up with facts without figures


@dataclass(frozen=True)
class Topic:
    name: str
    terms: frozenset[str]  # one-word lemmas and synonym groups
    phrases: tuple[frozenset[str], ...]  # several words that must all occur
    questions: tuple[str, ...]


@cache
def load_topics() -> tuple[Topic, ...]:
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


class Digests:
    """Topics, suggestions and digests of one index."""

    def __init__(self, index: FactIndex) -> None:
        self._index = index
        self._topics: dict[str, list[Fact]] | None = None
        self._suggestions: dict[str, tuple[str, ...]] | None = None

    def topic_name(self, number: int | None) -> str | None:
        """The topic of fact `number` (data/topics.json), if any."""
        p = self._index.postings
        if number is None or p.topic_of[number] < 0:
            return None
        return p.topic_names[p.topic_of[number]]

    def topics(self) -> dict[str, list[Fact]]:
        """Topic → its facts, newest article first (facts with a figure before those
        without: a topic page shows figures); topics with most facts first."""
        p = self._index.postings
        if self._topics is None:
            # Newest article first, then in fact order; then grouped by topic.
            order = np.lexsort((np.arange(p.n), -p.date))
            by_topic: dict[str, list[int]] = {}
            for number in order[p.topic_of[order] >= 0].tolist():
                by_topic.setdefault(p.topic_names[p.topic_of[number]], []).append(number)
            ordered = sorted(by_topic.items(), key=lambda item: (-len(item[1]), item[0]))
            # Facts with a figure first (a topic page shows figures), each part newest first.
            self._topics = {
                topic: [p.facts[n] for n in sorted(numbers, key=lambda n: not p.facts[n].amounts)]
                for topic, numbers in ordered
            }
        return self._topics

    def _answerable(self) -> dict[str, tuple[str, ...]]:
        """Each topic's suggested questions that these facts really answer."""
        if self._suggestions is None:
            self._suggestions = {
                topic.name: tuple(q for q in topic.questions if self._index.match(q, limit=1))
                for topic in load_topics()
            }
        return self._suggestions

    def suggestions(self, question: str = "", *, limit: int = 3) -> tuple[str, ...]:
        """Questions the facts answer: two on the topic nearest to `question`, then others."""
        answerable = self._answerable()
        order = list(self.topics())
        nearest = self._index.ranked(question, 1, False) if question.strip() else []
        first = self.topic_name(nearest[0][0]) if nearest else None
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
        q = self._index.parse_question(question)
        specific = [u for u in q.units if not u.generic]
        bare_topic = (
            q.kind is None
            and not q.years
            and Cue.ONE_THING not in q.cues
            and 0 < len(specific) <= 2
        )
        if q.kind != "digest" and not bare_topic:
            return []
        if specific:
            found = self._index.rank(question, limit=max(limit * 4, 20))
        else:
            # Beyond `limit` facts with an amount nothing below changes (nor len(found) >= 2).
            found = self._about_years(q.years, enough=max(limit, 2))
        if len(found) < 2:
            return []
        # Facts with a figure say more: sentences without one only fill a short digest.
        with_figure = [m for m in found if m.figure is not None]
        without = [m for m in found if m.figure is None]
        return (with_figure + without[: max(0, MIN_DIGEST - len(with_figure))])[:limit]

    def _about_years(self, years: frozenset[int], enough: int) -> list[Match]:
        """Facts with a date or period in one of `years`, in fact order, until `enough` of
        them have an amount (only the facts about those years are looked at)."""
        p = self._index.postings
        lists = [p.period_ids[y] for y in years if y in p.period_ids]
        numbers = np.unique(np.concatenate(lists)).tolist() if lists else []
        out = []
        with_amount = 0
        for number in numbers:
            fact = p.facts[number]
            times = [f for f in fact.figures if f.kind in TIME_KINDS and f.year in years]
            if times:
                amounts = fact.amounts
                figure = amounts[0] if amounts else None
                out.append(Match(fact, 1.0, figure, ("period", times[0].text)))
                with_amount += figure is not None
                if with_amount >= enough:
                    break
        return out
