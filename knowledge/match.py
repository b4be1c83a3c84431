"""`Match`: one fact the matcher offers for a question, and the notes it may carry.

Its own module because every part of the question path returns or reads matches: the
index, the digest, the answer and the development tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .facts import Fact
from .figures import Figure

# Fields the fingerprint (knowledge/dev/fingerprint.py) leaves out: they repeat what `why`
# already spells out, for code to read without parsing it.
IN_WHY = {"in_why": True}


class Note(StrEnum):
    """A rule of the ranking that applied to a match (the value is how `why` spells it)."""

    ARTICLE_DATE = "article-date"  # «когда?» is answered by the article's date
    ASKED_BEFORE = "asked-before"  # the thing asked is named in the sentence before
    NO_HOLDER = "no-holder"  # the role asked about is named, but no person holding it
    NO_FIGURE_OF_KIND = "no-figure-of-kind"  # «сколько…» and no figure of that kind
    PART_OF_YEAR = "part-of-year"  # a whole year asked, a part of it given
    YEAR_AGREES = "year-agrees"
    YEAR_MISMATCH = "year-mismatch"
    YEAR_UNKNOWN = "year-unknown"


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # higher is better; comparable within one index
    figure: Figure | None  # the figure in the fact that answers the question, if any
    why: tuple[str, ...] = ()  # matched terms and rules, for people (debugging, eval) only
    notes: tuple[Note, ...] = field(default=(), metadata=IN_WHY)  # the rules that applied
    # The question's parts found in the fact (their labels): two matches with the same
    # parts speak of the same thing (older figures, series).
    matched: frozenset[str] = field(default=frozenset(), metadata=IN_WHY)
