"""Article files → clean `Article` values (or `Skipped` with a reason)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Article:
    id: str  # the file name, e.g. "001_9e8737218ffa3194.txt"
    title: str
    date: dt.date | None
    url: str | None
    paragraphs: tuple[str, ...]  # clean body: no date line, captions, teasers or front matter
    content_hash: str  # sha256 hex of the raw file bytes

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Skipped:
    path: str  # file name
    reason: str  # one line in Russian, shown to admins


def parse_article(path: Path) -> Article | Skipped:
    """Read one article file; never raises for a bad file."""
    raise NotImplementedError


def read_articles(directory: Path) -> tuple[list[Article], list[Skipped]]:
    """Parse every article file in `directory`, sorted by name."""
    raise NotImplementedError
