"""A conversation, not a search box: «что нового?», and follow-ups read against the last
answer of the chat («а в 2024?», «а в Астане?», «а сколько на это потратят?», «а источник?»).

The bot keeps a `Context` per chat (aiogram's FSM storage); this module only reads it.
A message that is a complete question on its own never inherits anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from .facts import Fact
from .index import FactIndex
from .match import Match
from .nearmiss import YEAR_PHRASE
from .places import places_in
from .text import analyze, data_lines, data_lists, words
from .years import YEAR_ENDING_ALONE, YEAR_PREPOSITION, YEAR_WORD_LOOSE

LATEST_LIMIT = 5  # facts in a «что нового?» reply
# A follow-up pointing back («а сколько на это потратят?») is a short message.
MAX_POINTER_WORDS = 7
# «а в 2024?»: a year alone, with its preposition and «год».
_YEAR_ONLY = re.compile(
    rf"^(?:(?:{YEAR_PREPOSITION})\s+)?((?:19|20)\d\d)(?:-?(?:{YEAR_ENDING_ALONE}))?"
    rf"(?:\s*(?:{YEAR_WORD_LOOSE}))?$"
)
# «а в Астане?»: the prepositions a place alone may follow.
_PLACE_PREPOSITIONS = data_lists("place_prepositions.txt")["follow_up"]
_SUBJECT_PARTS = frozenset({"NOUN", "ADJF", "ADJS", "PRTF"})


class Aspect(StrEnum):
    """A follow-up about the last answer itself."""

    SOURCE = "source"  # «а источник?»
    SPEAKER = "speaker"  # «а кто это сказал?»
    MORE = "more"  # «подробнее»


@dataclass(frozen=True)
class Context:
    """What a chat remembers of its last answer."""

    question: str  # the complete question answered (a follow-up's resolved form)
    fact_id: str | None = None  # the fact the answer came from, if any


@dataclass(frozen=True)
class FollowUp:
    """A follow-up read against the context: a complete question, or an aspect of the last
    answer's fact."""

    question: str | None = None
    aspect: Aspect | None = None
    # «а сколько на это потратят?»: the same question about less of the last subject
    # («… социальной помощи» for «… получателей адресной социальной помощи»), tried in turn
    # when the whole subject finds nothing.
    narrower: tuple[str, ...] = ()


@cache
def _phrases() -> dict[str, frozenset[tuple[str, ...]]]:
    table: dict[str, set[tuple[str, ...]]] = {}
    for line in data_lines("conversation.txt"):
        kind, phrases = line.split(":", 1)
        for phrase in phrases.split("|"):
            table.setdefault(kind.strip(), set()).add(_words(phrase))
    return {kind: frozenset(phrases) for kind, phrases in table.items()}


def _words(text: str) -> tuple[str, ...]:
    return tuple(word for word, _ in words(text, parts=False))


def asks_latest(message: str) -> bool:
    """«Что нового?», «что нового в городе», «последние новости»: a whole message asking
    for the newest facts (data/conversation.txt)."""
    said = _words(message)
    tail = {word for (word,) in _phrases()["tail"]}
    for phrase in _phrases()["latest"]:
        if said[: len(phrase)] == phrase and all(w in tail for w in said[len(phrase) :]):
            return True
    return False


def latest_facts(facts: tuple[Fact, ...], *, limit: int = LATEST_LIMIT) -> list[Match]:
    """The newest facts, newest first (by article date, then order in the article); facts
    with a figure before those without, within one date."""
    dated = [(f.article_date.toordinal(), f) for f in facts if f.article_date is not None]
    dated.sort(key=lambda pair: (-pair[0], not pair[1].amounts, pair[1].position))
    ordered = [fact for _, fact in dated]
    return [Match(f, 1.0, f.amounts[0] if f.amounts else None) for f in ordered[:limit]]


def follow_up(message: str, context: Context | None) -> FollowUp | None:
    """The follow-up `message` stands for, read against `context`; None when it is a
    complete question of its own (or there is nothing to follow up)."""
    if context is None:
        return None
    said = _words(message)
    if not said:
        return None
    phrases = _phrases()
    for aspect in Aspect:
        if said in phrases[aspect.value]:
            return FollowUp(aspect=aspect)
    rest = _after_opening(said, phrases["opening"])
    if not rest:
        return None
    previous = context.question.strip().rstrip("?").strip()
    text = " ".join(rest)
    year = _YEAR_ONLY.match(text)
    if year is not None:
        return FollowUp(question=_with_year(previous, year.group(1)))
    if rest in phrases["measure"]:
        return FollowUp(question=f"{previous} {text}?")
    place = _place_only(rest)
    if place is not None:
        return FollowUp(question=_with_place(previous, place))
    pointers = {word for (word,) in phrases["pointer"]}
    if len(rest) <= MAX_POINTER_WORDS and any(word in pointers for word in rest):
        if (rest[0],) in phrases["speaker_opening"]:  # «а кто это сказал?» in other words
            return FollowUp(aspect=Aspect.SPEAKER)
        asked = " ".join(word for word in rest if word not in pointers)
        subject = _subject(previous)
        narrower = tuple(
            f"{asked} {' '.join(subject[start:])}?" for start in range(1, len(subject) - 1)
        )
        return FollowUp(question=f"{asked} {' '.join(subject)}?", narrower=narrower)
    return None


def _after_opening(said: tuple[str, ...], openings: frozenset[tuple[str, ...]]) -> tuple[str, ...]:
    for opening in sorted(openings, key=len, reverse=True):
        if said[: len(opening)] == opening and len(said) > len(opening):
            return said[len(opening) :]
    return said


def _with_year(question: str, year: str) -> str:
    """The question with its year replaced by `year` (or «в <year> году» added)."""
    if YEAR_PHRASE.search(question):
        return YEAR_PHRASE.sub(f"в {year} году", question, count=1) + "?"
    return f"{question} в {year} году?"


def _place_only(said: tuple[str, ...]) -> str | None:
    """«в астане», «астана»: a place alone (with its preposition), as typed."""
    if len(said) == 2 and said[0] in _PLACE_PREPOSITIONS:
        said = said[1:]
    if len(said) != 1:
        return None
    return said[0] if is_place(said[0]) else None


def is_place(word: str) -> bool:
    """Is the word a city of data/places.txt or a place the dictionary knows?"""
    return places_in(word) != 0 or analyze(word).place


def _with_place(question: str, place: str) -> str:
    """The question about `place` instead of the place it names (or about `place` too)."""
    shown = place.capitalize()
    for word, start in words(question, parts=False):
        if is_place(word):
            return f"{question[:start]}{shown}{question[start + len(word) :]}?"
    return f"{question} в {shown}?"


def _subject(question: str) -> list[str]:
    """What the last question was about: its nouns and adjectives, without the question
    words and the year («получателей адресной социальной помощи»)."""
    without_year = YEAR_PHRASE.sub(" ", question)
    return [
        word
        for word, _ in words(without_year, parts=False)
        if analyze(word).pos in _SUBJECT_PARTS and not word.isdigit()
    ]


def fact_by_id(facts: tuple[Fact, ...], fact_id: str) -> Fact | None:
    """The fact with `fact_id`, if the index still has it (a reload may have dropped it)."""
    return next((fact for fact in facts if fact.id == fact_id), None)


# «– сказал аким города», «сообщил Дархан Сатыбалды»: who said a sentence (data/speakers.txt).
_SPEAKERS = data_lists("speakers.txt")


def _said(name: str) -> str:
    """The verbs of list `name` of data/speakers.txt, with their endings, as a regex."""
    verbs = "|".join(map(re.escape, _SPEAKERS[name]))
    return rf"(?:{verbs})(?:{'|'.join(map(re.escape, _SPEAKERS['verb_endings']))})?"


_SAID = re.compile(rf"{_said('after')}\s+([^.,;:!?«»\"]{{3,80}})", re.IGNORECASE)
_SAID_BEFORE = re.compile(rf"^([^.,;:!?«»\"]{{3,80}}?)\s+{_said('before')}\b", re.IGNORECASE)
_NOT_SPEAKER = _SPEAKERS["not_speaker"]  # «по словам …», «как …» before the verb


def speaker(index: FactIndex, fact: Fact) -> str | None:
    """Who said the fact's sentence, as the article puts it («аким города»), or None."""
    neighbours = [fact, index.following(fact), index.preceding(fact)]
    for sentence in (f.text for f in neighbours if f is not None):
        said = _SAID.search(sentence)
        if said is not None:
            return said.group(1).strip()
    for sentence in (f.text for f in neighbours if f is not None):
        said = _SAID_BEFORE.search(sentence)
        if said is not None and not said.group(1).lower().startswith(_NOT_SPEAKER):
            return said.group(1).strip()
    return None


def more_about(index: FactIndex, fact: Fact) -> str:
    """The fact with the sentences around it, as one passage."""
    parts = [f.text for f in (index.preceding(fact), fact, index.following(fact)) if f]
    return " ".join(parts)
