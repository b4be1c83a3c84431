"""Matches → an `Answer`: the figure, the quote, the source, older figures, suggestions.

Plain structure only: rendering (HTML, buttons) is the bot's job.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from .conversation import (
    Aspect,
    Context,
    asks_latest,
    fact_by_id,
    follow_up,
    latest_facts,
    more_about,
    speaker,
)
from .facts import Fact
from .figures import Figure
from .index import FactIndex
from .match import Match, Note
from .nearmiss import NearMiss, dictionary_form, find_near_miss, unmentioned_place
from .places import places_in
from .query import Cue
from .text import analyze, data_lines, lexicon, months, normalize, words

MAX_QUESTION_CHARS = 500  # longer messages are not matched at all: see Answer.problem


def format_date_ru(date: dt.date | None) -> str:
    """«9 января 2026», or «дата публикации не указана»."""
    if date is None:
        return "дата публикации не указана"
    return f"{date.day} {months()[date.month - 1][0]} {date.year}"


@dataclass(frozen=True)
class Source:
    article_id: str
    title: str
    date: dt.date | None
    url: str | None = None


@dataclass(frozen=True)
class Earlier:
    """An older figure for the same thing, mentioned under the newest one."""

    figure: Figure
    fact: Fact


class Problem(StrEnum):
    """Why a message was not matched at all."""

    EMPTY = "empty"
    TOO_LONG = "too_long"  # over MAX_QUESTION_CHARS
    # Small talk (data/small_talk.txt names each kind's phrases):
    GREETING = "greeting"
    THANKS = "thanks"
    ABOUT = "about"  # «что ты умеешь?»

    @property
    def is_small_talk(self) -> bool:
        return self not in (Problem.EMPTY, Problem.TOO_LONG)


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    figure: Figure | None = None  # shown in bold; None for facts without a figure
    quote: str | None = None  # the source sentence as written
    source: Source | None = None
    earlier: tuple[Earlier, ...] = ()
    suggestions: tuple[str, ...] = ()  # questions the bot can answer, for "not found"
    digest: tuple[Match, ...] = ()  # several facts for a topic or a period, newest first
    matches: tuple[Match, ...] = ()
    problem: Problem | None = None  # why the question was not matched at all
    # «Шымкент»: a place or name in the question that no article mentions (why nothing matched)
    unmentioned: str | None = None
    # «Когда аким встречался с активом?»: the sentence names no date, so the article's date
    # (when the event was reported) answers, and the reply says that it is the article's.
    dated_by_article: bool = False
    # «За весь 2025 год данных нет; за девять месяцев 2025 года — …»: found is True, but the
    # figure shown answers a neighbouring question (another period, year or place).
    near_miss: NearMiss | None = None
    latest: bool = False  # «что нового?»: `digest` holds the newest facts
    # A follow-up («а в 2024?»): the message as typed; `question` is what it was read as.
    follow_up: str | None = None
    # «а источник?», «кто это сказал?», «подробнее»: about the last answer's fact itself.
    aspect: Aspect | None = None
    speaker: str | None = None  # for Aspect.SPEAKER: who said it, as the article puts it
    # «Кто аким?»: the part of a figureless quote that answers (the name), to pick out.
    asked_part: str | None = None


def _newer(a: Match, b: Match) -> bool:
    """Is what `a` says newer than what `b` says (figure year, then article date)?"""

    def key(m: Match) -> tuple[int, int]:
        year = m.figure.year if m.figure and m.figure.year else 0
        date = m.fact.article_date.toordinal() if m.fact.article_date else 0
        return (year, date)

    return key(a) > key(b)


def _earlier(primary: Match, others: list[Match]) -> tuple[Earlier, ...]:
    """Older figures for the same thing: the «from» of a «from … to», and older facts."""
    figure = primary.figure
    if figure is None:
        return ()
    out: list[Earlier] = []
    if figure.comparison == "to":
        out.extend(
            Earlier(f, primary.fact) for f in primary.fact.figures if f.comparison == "from"
        )
    for other in others:
        other_figure = other.figure
        if (
            other_figure is not None
            and other.fact.article_id != primary.fact.article_id
            and other_figure.kind == figure.kind
            and other_figure.value != figure.value
            and other.matched == primary.matched
            and _newer(primary, other)
        ):
            out.append(Earlier(other_figure, other.fact))
    return tuple(out)


def compose(question: str, matches: list[Match], *, index: FactIndex) -> Answer:
    """Turn the matcher's result into an answer (with suggestions when nothing matched)."""
    if not matches:
        name = unmentioned_place(index, question)
        return Answer(
            question=question,
            found=False,
            suggestions=index.suggestions(question),
            unmentioned=dictionary_form(name) if name else None,
        )
    primary = matches[0]
    fact = primary.fact
    quote = fact.text
    if primary.figure is None:
        # «Важной темой Послания стали вопросы экологии. Речь идет о …»: the next sentence
        # says what the first one only announces.
        after = index.following(fact)
        if after is not None and _continues(after.text):
            quote = f"{fact.text} {after.text}"
        # «В интервью какой газете …?»: the sentence before names the thing asked about.
        before = index.preceding(fact) if Note.ASKED_BEFORE in primary.notes else None
        if before is not None:
            quote = f"{before.text} {quote}"
    asked_part = None
    if primary.figure is None and index.parse_question(question).kind == "who":
        asked_part = person_named(quote)
    return Answer(
        question=question,
        found=True,
        figure=primary.figure,
        quote=quote,
        asked_part=asked_part,
        source=Source(fact.article_id, fact.article_title, fact.article_date, fact.article_url),
        earlier=_earlier(primary, matches[1:]),
        matches=tuple(matches),
        dated_by_article=Note.ARTICLE_DATE in primary.notes,
    )


# Two or three capitalised words in a row: a person's full name («Дархан Сатыбалды»).
_CAPITALISED_RUN = re.compile(r"[А-ЯЁ][а-яё]+(?:[ -][А-ЯЁ][а-яё]+)+")
_NAME_WORD = re.compile(r"[А-ЯЁ][а-яё]+")


def person_named(sentence: str) -> str | None:
    """The first full name of a person in `sentence` («Дархан Сатыбалды»): two or more
    capitalised words in a row that read as names, or None."""
    not_names = lexicon().roles | lexicon().not_names
    for run in _CAPITALISED_RUN.finditer(sentence):
        found = list(_NAME_WORD.finditer(run.group()))
        # «Аким Алматы Дархан Сатыбалды»: the role and the city before the name are not it.
        while found and (
            analyze(found[0].group().lower()).lemma in not_names
            or places_in(found[0].group()) != 0
        ):
            found.pop(0)
        if len(found) >= 2 and analyze(found[-1].group().lower()).person:
            return run.group()[found[0].start() : found[-1].end()]
    return None


def figure_period(figure: Figure, fact: Fact) -> str | None:
    """«за девять месяцев 2025 года», «в 2025 году», «до 2030 года»: the words of the
    sentence that give the figure's period, or None (no year, or the figure says it)."""
    if figure.year is None or str(figure.year) in figure.text:
        return None
    for time in fact.figures:
        if time.kind in ("year", "period") and time.year == figure.year and time is not figure:
            return time.text[:1].lower() + time.text[1:]
    return None


@cache
def _continuations() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalize(line).split()) for line in data_lines("continuations.txt"))


def _continues(sentence: str) -> bool:
    """Does the sentence go on with the one before it («Речь идет о …», «В частности, …»)?"""
    opening = tuple(w for w, _ in words(sentence, parts=False)[:4])
    return any(opening[: len(phrase)] == phrase for phrase in _continuations())


def ask(index: FactIndex, question: str) -> Answer:
    """Match and compose in one call: what the bot and the CLI use.

    Empty and over-long questions are answered without any matching work.
    """
    if not question.strip():
        return Answer(question=question, found=False, problem=Problem.EMPTY)
    if len(question) > MAX_QUESTION_CHARS:
        return Answer(question=question, found=False, problem=Problem.TOO_LONG)
    talk = small_talk(question)
    if talk is not None:
        return Answer(question=question, found=False, problem=talk)
    if asks_latest(question):
        newest = latest_facts(index.facts)
        if newest:
            answer = compose(question, newest[:1], index=index)
            return replace(answer, digest=tuple(newest), latest=True, matches=tuple(newest))
    digest = index.digest(question)
    if digest:
        answer = compose(question, digest[:3], index=index)
        return replace(answer, digest=tuple(sorted(digest, key=_newest_first)))
    answer = compose(question, index.match(question, limit=3), index=index)
    # «за весь 2025 год туристов»: a sentence without a figure answers no whole-year question.
    figureless_year = (
        answer.figure is None and Cue.WHOLE_YEAR in index.parse_question(question).cues
    )
    if not answer.found or figureless_year:
        near = find_near_miss(index, question)
        if near is not None:
            miss, matches = near
            return replace(compose(question, matches, index=index), near_miss=miss)
    return answer


def ask_in_context(index: FactIndex, message: str, context: Context | None) -> Answer:
    """Answer `message` in a conversation: a follow-up («а в 2024?», «а источник?») is read
    against `context`, the chat's last answer; anything else is asked as it is."""
    follow = follow_up(message, context)
    if follow is None or context is None:
        return ask(index, message)
    if follow.aspect is not None:
        fact = fact_by_id(index.facts, context.fact_id) if context.fact_id else None
        if fact is None:
            return ask(index, message)
        return about_fact(index, message, fact, follow.aspect)
    answer = ask(index, follow.question or message)
    last = fact_by_id(index.facts, context.fact_id) if context.fact_id else None
    if last is not None and (not answer.found or answer.near_miss is not None):
        topic = index.topic_of(last)
        for narrower in follow.narrower:
            # Less of the subject may find another figure: only one on the same topic counts.
            other = ask(index, narrower)
            found = other.found and other.near_miss is None
            if found and index.topic_of(other.matches[0].fact) == topic:
                answer = other
                break
    return replace(answer, follow_up=message)


def context_after(answer: Answer, previous: Context | None) -> Context | None:
    """What the chat remembers after `answer`: its question and fact; an answer about the
    last fact itself, or one that is no answer, keeps the context it had."""
    if answer.aspect is not None or answer.problem is not None:
        return previous
    if not answer.found or not answer.matches:
        if answer.follow_up and previous is not None:
            return Context(question=answer.question, fact_id=previous.fact_id)
        return previous
    if answer.digest:
        return previous
    return Context(question=answer.question, fact_id=answer.matches[0].fact.id)


def about_fact(index: FactIndex, message: str, fact: Fact, aspect: Aspect) -> Answer:
    """«а источник?», «а кто это сказал?», «подробнее» about the last answer's fact."""
    figure = fact.amounts[0] if fact.amounts else None
    quote = more_about(index, fact) if aspect is Aspect.MORE else fact.text
    return Answer(
        question=message,
        found=True,
        figure=figure if aspect is Aspect.MORE else None,
        quote=quote,
        source=Source(fact.article_id, fact.article_title, fact.article_date, fact.article_url),
        matches=(Match(fact, 1.0, figure, ("follow-up", aspect.value)),),
        aspect=aspect,
        speaker=speaker(index, fact) if aspect is Aspect.SPEAKER else None,
    )


def small_talk(message: str) -> Problem | None:
    """The kind of small talk a whole message is (greeting, thanks, about), else None."""
    return _small_talk().get(tuple(w for w, _ in words(message, parts=False)))


@cache
def _small_talk() -> dict[tuple[str, ...], Problem]:
    table: dict[tuple[str, ...], Problem] = {}
    for line in data_lines("small_talk.txt"):
        kind, phrases = line.split(":", 1)
        for phrase in phrases.split("|"):
            table[tuple(w for w, _ in words(phrase, parts=False))] = Problem(kind.strip())
    return table


def _newest_first(match: Match) -> tuple[int, int]:
    date = match.fact.article_date
    return (-(date.toordinal() if date else 0), match.fact.position)
