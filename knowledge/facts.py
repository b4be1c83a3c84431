"""Articles → facts: one sentence each, with its figures and the years it speaks of."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from razdel import sentenize

from .articles import Article
from .figures import Figure, find_figures

# Bump when extraction changes: the store then re-extracts every article, even unchanged files.
EXTRACTOR_VERSION = 7

# Kinds of figure that say *when*, not *how much*.
TIME_KINDS = frozenset({"year", "month", "period"})


@dataclass(frozen=True, slots=True)
class Fact:
    id: str  # "<article id>#<sentence number>", stable while the article is unchanged
    article_id: str
    position: int  # sentence number in the article, from 0
    text: str  # the sentence as written
    figures: tuple[Figure, ...]
    article_title: str
    article_date: dt.date | None
    article_url: str | None = None

    @property
    def years(self) -> tuple[int, ...]:
        """Years the sentence speaks of, in order, without repeats."""
        seen: dict[int, None] = {}
        for figure in self.figures:
            if figure.year is not None:
                seen[figure.year] = None
        return tuple(seen)

    @property
    def amounts(self) -> tuple[Figure, ...]:
        """Figures that say how much (everything but dates and periods)."""
        return tuple(f for f in self.figures if f.kind not in TIME_KINDS)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph (razdel), stripped, empty ones dropped."""
    return [s.text.strip() for s in sentenize(paragraph) if s.text.strip()]


def extract_facts(article: Article) -> list[Fact]:
    """One fact per sentence of the article body."""
    facts: list[Fact] = []
    for paragraph in article.paragraphs:
        for sentence in split_sentences(paragraph):
            position = len(facts)
            facts.append(
                Fact(
                    id=f"{article.id}#{position}",
                    article_id=article.id,
                    position=position,
                    text=sentence,
                    figures=tuple(find_figures(sentence, today=article.date)),
                    article_title=article.title,
                    article_date=article.date,
                    article_url=article.url,
                )
            )
    return facts
