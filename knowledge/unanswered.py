"""Unanswered questions grouped for the admins' /unanswered: similar wordings count as one.

Pure functions over (text, time) rows that knowledge/journal.py reads; rapidfuzz's
`process.extractOne` decides which group a wording joins.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

SAME_QUESTION = 85  # rapidfuzz token_set_ratio: at or above it, two questions are one


@dataclass(frozen=True)
class UnansweredGroup:
    """Similar unanswered questions (not found, or 👎): one representative and a count."""

    text: str  # the most frequent wording
    count: int  # questions and 👎 in the group
    last: dt.datetime  # UTC, aware


_YO = str.maketrans("ё", "е")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower case, ё → е, punctuation dropped: the form questions are compared in."""
    return _SPACES.sub(" ", default_process(text.lower().translate(_YO))).strip()


def group_questions(rows: Iterable[tuple[str, dt.datetime]]) -> list[UnansweredGroup]:
    """(text, time) rows → groups of similar questions, most frequent first.

    Exact repeats (after `normalize`) count together first; then, most frequent wording
    first, each joins the group whose representative it resembles most (token_set_ratio
    ≥ SAME_QUESTION) or starts a new one. The representative is the group's most frequent
    wording (the newest spelling of it).
    """
    counts: Counter[str] = Counter()
    last: dict[str, dt.datetime] = {}
    spelling: dict[str, str] = {}
    for text, when in rows:
        key = normalize(text)
        if not key:
            continue
        counts[key] += 1
        when = aware(when)
        if key not in last or when >= last[key]:
            last[key] = when
            spelling[key] = _SPACES.sub(" ", text).strip()
    order = sorted(counts, key=lambda k: (-counts[k], -last[k].timestamp(), k))
    representatives: list[str] = []
    members: dict[str, list[str]] = {}
    for key in order:
        best = process.extractOne(
            key, representatives, scorer=fuzz.token_set_ratio, score_cutoff=SAME_QUESTION
        )
        if best is None:
            representatives.append(key)
            members[key] = [key]
        else:
            members[best[0]].append(key)
    groups = [
        UnansweredGroup(
            text=spelling[rep],
            count=sum(counts[k] for k in keys),
            last=max(last[k] for k in keys),
        )
        for rep, keys in members.items()
    ]
    groups.sort(key=lambda g: (-g.count, -g.last.timestamp(), g.text))
    return groups


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as an aware one; an aware one as it is."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
