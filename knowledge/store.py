"""The fact store: articles, facts and figures in SQL (SQLite by default, PostgreSQL too).

Async only here, at the database edge. Frozen dataclasses go out, never ORM rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .articles import Article, Skipped
from .facts import Fact

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/citybot.db"


class BuildError(Exception):
    """A rebuild that could not run at all (articles folder missing, database failure)."""


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    title: str
    date: dt.date | None
    url: str | None
    content_hash: str
    facts: int  # number of facts stored for it


@dataclass(frozen=True)
class BuildReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    facts_before: int = 0
    facts_after: int = 0
    generation: int = 0
    kept: tuple[str, ...] = field(default=())  # skipped files whose previous version stays loaded

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> list[str]:
        """Lines in Russian for a person: what was added, changed, removed and skipped."""
        raise NotImplementedError


class FactStore:
    """Async access to the SQL store."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL) -> None:
        raise NotImplementedError

    @classmethod
    async def open(cls, url: str = DEFAULT_DATABASE_URL) -> FactStore:
        """Connect, create the SQLite directory if needed, bring the schema up to date."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def rebuild(
        self, articles: Sequence[Article], skipped: Sequence[Skipped] = ()
    ) -> BuildReport:
        """Make the store hold exactly `articles` (one transaction); unchanged input writes nothing."""
        raise NotImplementedError

    async def rebuild_from(self, directory: Path) -> BuildReport:
        """Read `directory` (off the event loop) and rebuild from it; BuildError if it is missing."""
        raise NotImplementedError

    async def load(self) -> list[Fact]:
        """Every stored fact with its figures, by article id then position."""
        raise NotImplementedError

    async def articles(self) -> list[ArticleInfo]:
        """Stored articles, by id."""
        raise NotImplementedError

    async def generation(self) -> int:
        """Increases by one with every rebuild that changed something; 0 for an empty store."""
        raise NotImplementedError
