"""A question → `Question`: its units (content words with their ways to match), its kind,
years and the few things the matching rules need to know about what it asks.

A `QuestionParser` is built with the index: it needs the facts' vocabulary (which words are
known, which typos are near, which year is the present) and caches parsed questions.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..facts import TIME_KINDS
from ..figures import find_figures
from ..places import HOME_PLACE, places_in
from ..text import (
    WEIGHT_CONTENT,
    WEIGHT_GENERIC,
    WEIGHT_VERB,
    Lexicon,
    analyze,
    is_known_word,
    short_stem,
    stem,
    words,
)
from ..translate import translator
from ..years import YEAR_TOKEN
from .channels import CHANNEL_GROUP, CHANNEL_LEMMA, CHANNEL_SHORT_STEM, CHANNEL_STEM, PHRASE_PART
from .classify import ADJECTIVES, asks_which_things, question_kind, which_nouns
from .focus import (
    asks_amount,
    asks_whole_year,
    counted,
    earlier_words,
    flow_of,
    kazakh_leftover,
    kazakh_place,
    measured_noun,
    named,
    which_noun,
    who_noun,
)
from .spelling import FUZZY_MIN_LEN, Speller
from .words import lemma_set, word_set
from .years import four_digit_years, the_question

UNKNOWN_VERB_SHARE = 0.5
UNKNOWN_MODIFIER_SHARE = 0.5
WHO_VERB_WEIGHT = WEIGHT_CONTENT  # see `QuestionParser.parse`
UNKNOWN_ENTITY_BOOST = 2.0  # an unknown place or name («Астана») is what the question is about
MAX_UNITS = 64  # words of one question that are scored (a bit each)
PARSED_CACHE = 1024  # questions whose parse is kept


class QuestionKind(StrEnum):
    """The kind of answer a question wants (data/question_types.txt; «amount» is a «count»
    that names nothing counted). A str, so the table's names compare equal to it."""

    PERCENT = "percent"
    CHANGE = "change"
    WHEN = "when"
    DURATION = "duration"
    WHO = "who"
    WHERE = "where"
    MONEY = "money"
    AREA = "area"
    LENGTH = "length"
    COUNT = "count"
    AMOUNT = "amount"
    DIGEST = "digest"
    DEFINE = "define"


class Cue(StrEnum):
    """Something the question's wording says about the answer it wants, beyond its kind and
    words: each is read by one rule of the matcher."""

    EARLIER = "earlier"  # «… раньше», «до перехода»: the time before a change (earlier.txt)
    WHOLE_YEAR = "whole_year"  # «за весь 2025 год»: part of the year is no answer
    # «какие консулы …», «что сказал …» (interrogatives.txt): one thing is asked, so two
    # words are not a bare topic to sum up in a digest
    ONE_THING = "one_thing"
    # «Какие хабы есть …?», «Будет ли …?», «Почему …?»: a list of things, whether something
    # is so, or why; a figure of the sentence would be shown as if it were the answer
    WHICH_THING = "which_thing"
    PAST = "past"  # «Когда аким встречался …?»: a verb in the past tense
    PLACES = "places"  # «Какие страны …?» (data/place_nouns.txt)
    PEOPLE = "people"  # a noun for people: «Какая часть работающих алматинцев …?»
    ALSO = "also"  # «Какую ещё задачу …?», «кроме …»: one thing more


class Flow(StrEnum):
    """Which way money goes (data/money_spent.txt, money_earned.txt)."""

    SPEND = "spend"
    EARN = "earn"


FIGURE_KINDS = frozenset(
    {"percent", "change", "when", "duration", "money", "area", "length", "count", "amount"}
)


@dataclass(frozen=True)
class Unit:
    """One content word (or synonym phrase) of the question and the terms it may match."""

    label: str
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (term, channel weight)
    generic: bool


@dataclass(frozen=True)
class Question:
    text: str
    units: tuple[Unit, ...]
    years: frozenset[int]
    kind: QuestionKind | None  # question type from data/question_types.txt
    lemmas: frozenset[str] = field(default_factory=frozenset)
    # «Сколько рабочих мест …»: the units naming what is counted; a fact that does not
    # mention them counts something else.
    focus: tuple[int, ...] = ()
    cues: frozenset[Cue] = frozenset()  # what the wording says of the answer (see Cue)
    # «… в Астане?», «… занимает Шымкент?»: a place or a name the facts never mention (a
    # capitalised word inside the question, or a place the dictionary knows). The facts are
    # about other places and people, so a figure they give is not an answer, however well
    # the other words match.
    unknown_name: str | None = None
    # «Сколько стоят 190 проектов?»: amounts the question states are known to the asker; the
    # answer is another figure of the sentence.
    stated: frozenset[float] = frozenset()
    asked: tuple[int, ...] = ()  # «В интервью какой газете …?»: the units of the thing asked
    months: tuple[tuple[int, int], ...] = ()  # (unit, month 1..12): «на январском совещании»
    # «Каков охват …?»: the amount asked about; the figure next to it in the sentence is it.
    measured: tuple[int, ...] = ()
    place_units: tuple[int, ...] = ()  # the units of «страны» in «Какие страны …?»
    flow: Flow | None = None  # which way the money asked about goes
    places: int = 0  # the cities the question names, a mask of data/places.txt


class QuestionParser:
    """Parses questions against one index's vocabulary (`terms`: term → document frequency)."""

    def __init__(
        self, terms: Mapping[str, int], speller: Speller, present_year: int, lx: Lexicon
    ) -> None:
        self._df = terms
        self._speller = speller
        self._present_year = present_year
        self._lx = lx
        self._parsed: OrderedDict[str, Question] = OrderedDict()

    def parse(self, question: str) -> Question:
        """Units, years and type of a question (cached: the same question is parsed once)."""
        parsed = self._parsed.get(question)
        if parsed is None:
            parsed = self._parse(question)
            self._parsed[question] = parsed
            if len(self._parsed) > PARSED_CACHE:
                self._parsed.popitem(last=False)
        return parsed

    def _parse(self, question: str) -> Question:
        question = the_question(question)
        percent = "%" in question
        question = four_digit_years(question, self._present_year)
        original = question
        question = self._speller.to_russian(question)
        # Asked once: the Kazakh-word rules below look at many of the question's words.
        kazakh = translator().is_kazakh(original, [w for w, _ in words(original, parts=False)])
        tokens = self._lx.tokens(question)
        kind, kind_positions = question_kind(question + (" %" if percent else ""), tokens)
        years = frozenset(int(t.word) for t in tokens if YEAR_TOKEN.match(t.word))
        units: list[Unit] = []
        grouped: dict[int, list[str]] = defaultdict(list)
        in_phrase: set[int] = set()  # words that are part of a several-word synonym phrase
        # «доходы бюджета»: a group of a shorter phrase the word is part of («доход») is
        # matched as weakly as the word alone
        span: dict[tuple[int, str], int] = {}
        longest: dict[int, int] = defaultdict(int)
        for group, first, last in self._lx.groups(tokens):
            for position in range(first, last + 1):
                grouped[position].append(group)
                span[position, group] = last - first
                longest[position] = max(longest[position], last - first)
                if last > first:
                    in_phrase.add(position)
        seen_groups: set[str] = set()
        unknown_name: str | None = None
        focus_positions = counted(tokens, kind, kind_positions)
        asked_positions = (
            which_noun(tokens) if kind is None else who_noun(tokens) if kind == "who" else set()
        )
        asked: list[int] = []
        months: list[tuple[int, int]] = []
        measured_positions = measured_noun(tokens)
        measured: list[int] = []
        # «каких мировых столиц»: the place noun and the adjectives before it describe the
        # places the answer names.
        place_positions = {
            position
            for which, noun in which_nouns(tokens)
            if noun is not None and noun.lemma in lemma_set("place_nouns.txt")
            for position in range(which.position + 1, noun.position + 1)
        }
        place_units: list[int] = []
        if kind == "count" and asks_amount(tokens, kind_positions):
            kind = "amount"  # «сколько выделяют»: nothing named is counted
        # «до перехода»: only «до» is dropped, the change itself stays a unit.
        earlier = earlier_words([t.lemma for t in tokens])
        kind_positions = kind_positions | earlier
        focus: list[int] = []
        group_unit: dict[str, int] = {}
        # «Сколько всего денег …», «сколько километров …»: how the answer is measured is the
        # question's type (its figure must fit it), not what it is about — unless the units
        # are the only things it names («Сколько км составит протяженность?»).
        measures: set[int] = set()
        counted_by_verb = False
        if kind in FIGURE_KINDS:
            content = [
                t
                for t in tokens
                if t.weight > WEIGHT_VERB
                and not YEAR_TOKEN.match(t.word)
                and t.position not in kind_positions
            ]
            measures = {t.position for t in content if t.lemma in lemma_set("measures.txt")}
            if len(measures) == len(content):
                measures = set()
                # «Сколько человек живёт в Алматы?»: only the verb says what is counted
                counted_by_verb = bool(content)
        for token in tokens:
            if (
                token.weight <= 0
                or YEAR_TOKEN.match(token.word)
                or token.position in kind_positions
            ):
                continue
            if token.position in measures:
                continue
            alternatives: list[tuple[str, float]] = []
            known = "l:" + token.lemma in self._df
            if known:
                alternatives.append(("l:" + token.lemma, CHANNEL_LEMMA))
            groups = grouped.get(token.position, [])
            if groups and not known and all(g in seen_groups for g in groups):
                # The rest of a phrase already counted as one unit (which now also stands
                # for this word if it is what the question counts).
                if token.position in focus_positions:
                    focus.append(group_unit[groups[0]])
                continue
            for phrase_group in groups:
                seen_groups.add(phrase_group)
                group_unit.setdefault(phrase_group, len(units))
                alternatives.append((phrase_group, CHANNEL_GROUP))
            # A stem that occurs in exactly as many facts as a stronger term already taken
            # almost surely occurs in the same facts: skip it (it could only score lower).
            taken = {self._df[t] for t, _ in alternatives if t in self._df}
            token_stem = stem(token.lemma)
            for term, channel in (
                ("s:" + (token_stem or ""), CHANNEL_STEM),
                ("t:" + (short_stem(token.lemma) or ""), CHANNEL_SHORT_STEM),
            ):
                if token_stem and term in self._df:
                    df = self._df[term]
                    if df not in taken:
                        alternatives.append((term, channel))
                        taken.add(df)
            if not known and len(token.word) >= FUZZY_MIN_LEN:
                alternatives.extend(self._speller.typo_alternatives(token))
            if not alternatives and "-" in token.word.strip("-"):
                # «айти-услуг»: the facts write it otherwise; its parts (the next tokens)
                # are units, and stand for it if it is what the question counts.
                if token.position in focus_positions:
                    parts = len([part for part in token.word.split("-") if part])
                    focus_positions |= set(range(token.position + 1, token.position + 1 + parts))
                continue
            if token.position in in_phrase:
                # «социальная поддержка» means the phrase: a fact with only «поддержка» (of
                # something else) matches it weakly, one with the phrase through the group.
                alternatives = [
                    (
                        term,
                        channel
                        if term.startswith("=")
                        and span[token.position, term] == longest[token.position]
                        else channel * PHRASE_PART,
                    )
                    for term, channel in alternatives
                ]
            weight = token.weight
            if (
                kind == "who"
                and weight == WEIGHT_VERB
                and alternatives
                and token.lemma not in word_set("light_verbs")
            ):
                # «Кто участвовал …?»: the answer is whoever did this; the verb is what the
                # question is about, not its glue (unless the noun after it says what was
                # done: «провёл встречу»).
                weight = WHO_VERB_WEIGHT
            if not alternatives and token.entity and not (kazakh and kazakh_leftover(token)):
                weight *= UNKNOWN_ENTITY_BOOST
                if named(original, token.word) or (
                    analyze(token.word).place and is_known_word(token.word)
                ):
                    unknown_name = unknown_name or token.word
            elif not alternatives and kazakh and kazakh_place(original, token):
                # «Шымкентте …?»: a place with a Kazakh case ending that no fact names
                weight *= UNKNOWN_ENTITY_BOOST
                unknown_name = unknown_name or token.word
            elif not alternatives and weight == WEIGHT_VERB and not counted_by_verb:
                # Verbs are the most freely paraphrased part of a question («ожидается»,
                # «приехало»): one the facts never use says little against a match —
                # unless it alone says what is counted («Сколько человек живёт …?»).
                weight *= UNKNOWN_VERB_SHARE
            elif not alternatives and weight == WEIGHT_VERB:
                weight = WEIGHT_CONTENT
            elif (
                not alternatives
                and analyze(token.word).pos in ADJECTIVES
                and token.lemma not in self._lx.months
            ):
                # «мировые мегаполисы», «ощутимые результаты»: a quality the facts word
                # otherwise; the thing it qualifies says more.
                weight *= UNKNOWN_MODIFIER_SHARE
            if token.position in focus_positions:
                focus.append(len(units))
            if token.position in asked_positions:
                asked.append(len(units))
            if token.lemma in self._lx.months:
                months.append((len(units), self._lx.months[token.lemma]))
            if token.position in measured_positions:
                measured.append(len(units))
            if token.position in place_positions:
                place_units.append(len(units))
            units.append(
                Unit(
                    label=token.word,
                    weight=weight,
                    alternatives=tuple(alternatives),
                    generic=token.weight <= WEIGHT_GENERIC,
                )
            )
        cues = {
            Cue.EARLIER: bool(earlier),
            Cue.WHOLE_YEAR: bool(years) and asks_whole_year([t.lemma for t in tokens]),
            Cue.ONE_THING: any(t.lemma in lemma_set("interrogatives.txt") for t in tokens),
            Cue.WHICH_THING: kind is None
            and (
                asks_which_things(tokens)
                or any(t.word in word_set("yes_no") or t.lemma in word_set("why") for t in tokens)
            ),
            Cue.PAST: any(analyze(t.word).past for t in tokens),
            Cue.PLACES: bool(place_positions),
            Cue.PEOPLE: any(
                t.lemma in lemma_set("people.txt") and analyze(t.word).pos == "NOUN"
                for t in tokens
            ),
            Cue.ALSO: bool({t.word for t in tokens} & word_set("also_asked")),
        }
        return Question(
            places=places_in(question) or HOME_PLACE,
            text=question,
            units=tuple(units),
            years=years,
            kind=QuestionKind(kind) if kind is not None else None,
            lemmas=frozenset(t.lemma for t in tokens),
            focus=tuple(sorted({f for f in focus if f < MAX_UNITS})),
            cues=frozenset(cue for cue, said in cues.items() if said),
            unknown_name=unknown_name,
            asked=tuple(a for a in asked if a < MAX_UNITS),
            months=tuple(m for m in months if m[0] < MAX_UNITS),
            measured=tuple(m for m in measured if m < MAX_UNITS),
            place_units=tuple(u for u in place_units if u < MAX_UNITS),
            stated=frozenset(f.value for f in find_figures(original) if f.kind not in TIME_KINDS),
            flow=Flow(flow) if (flow := flow_of(t.lemma for t in tokens)) else None,
        )
