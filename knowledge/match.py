"""`Match`: one fact the matcher offers for a question, and the notes it may carry.

Its own module because every part of the question path returns or reads matches: the
index, the digest, the answer and the development tools.
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts import Fact
from .figures import Figure

ARTICLE_DATE = "article-date"  # a note: «когда?» is answered by the article's date
ASKED_BEFORE = "asked-before"  # a note: the thing asked is named in the sentence before
NO_HOLDER = "no-holder"  # a note: the role asked about is named, but no person holding it


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # higher is better; comparable within one index
    figure: Figure | None  # the figure in the fact that answers the question, if any
    why: tuple[str, ...] = ()  # matched terms and rules, for debugging and eval
