"""What a reload tells subscribers: the new facts on their topics, each with the older
figure it updates. Pure functions over an index; knowledge/subscriptions.py stores and sends.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .answer import Earlier
from .facts import Fact
from .figures import Figure
from .index import FactIndex
from .series import previous_figure


@dataclass(frozen=True)
class NewFact:
    """A fact a reload added, on a topic, with the older figure it updates (if any)."""

    fact: Fact
    topic: str
    figure: Figure | None  # the figure shown first (its first amount)
    before: Earlier | None = None  # «было»: the older figure for the same thing


@dataclass(frozen=True)
class Notice:
    """What one subscriber is told after a reload: the new facts on their topics."""

    chat_id: int
    topics: tuple[str, ...]  # the subscriber's topics that the reload touched
    facts: tuple[NewFact, ...]  # newest first


def fact_key(fact: Fact) -> str:
    """A fact's fingerprint: its article and sentence (a fact re-extracted unchanged from an
    edited article is not news; the same sentence in another article is)."""
    return hashlib.sha1(f"{fact.article_id}\n{fact.text}".encode()).hexdigest()


def new_facts(
    index: FactIndex, added: Sequence[Fact], known: Callable[[Fact], bool]
) -> list[NewFact]:
    """The added facts that fall under a topic, newest first, each with the older figure it
    updates: a figure of a fact subscribers already had (`known`)."""
    out: list[NewFact] = []
    for fact in added:
        topic = index.topic_of(fact)
        if topic is None:
            continue
        amounts = fact.amounts
        figure = amounts[0] if amounts else None
        before = None
        if figure is not None:
            found = previous_figure(index, fact, known)
            if found is not None:
                figure, before = found
        out.append(NewFact(fact=fact, topic=topic, figure=figure, before=before))
    out.sort(key=_newest_first)
    return out


def _newest_first(item: NewFact) -> tuple[int, str, int]:
    date = item.fact.article_date
    return (-(date.toordinal() if date else 0), item.fact.article_id, item.fact.position)


def notices(facts: Sequence[NewFact], subscribers: dict[int, frozenset[str]]) -> list[Notice]:
    """One notice per subscriber with at least one new fact on their topics."""
    by_topic: dict[str, list[NewFact]] = defaultdict(list)
    for item in facts:
        by_topic[item.topic].append(item)
    out = []
    for chat_id in sorted(subscribers):
        topics = tuple(sorted(t for t in subscribers[chat_id] if t in by_topic))
        if not topics:
            continue
        mine = [item for item in facts if item.topic in topics]  # `facts` is newest first
        out.append(Notice(chat_id=chat_id, topics=topics, facts=tuple(mine)))
    return out
