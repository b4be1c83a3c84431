"""The question path: an immutable in-memory index over facts and `FactIndex.match`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .facts import Fact
from .figures import Figure


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # higher is better; comparable within one index
    figure: Figure | None  # the figure in the fact that answers the question, if any
    why: tuple[str, ...] = ()  # matched terms and rules, for debugging and eval


class FactIndex:
    """Built once per store generation; never touches the database."""

    facts: tuple[Fact, ...]
    generation: int

    @classmethod
    def build(cls, facts: Iterable[Fact], *, generation: int = 0) -> FactIndex:
        raise NotImplementedError

    def match(self, question: str, *, limit: int = 3) -> list[Match]:
        """Best facts for `question`, best first; an empty list means "not found"."""
        raise NotImplementedError
