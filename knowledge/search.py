"""The question path: an immutable in-memory index over facts and `FactIndex.match`.

How a question is scored against a fact:
- every content word of the question is a *unit* with a weight (its part of speech, whether
  it is a domain-generic word) and a rarity (BM25 idf of the best term it can match);
- a unit matches a fact through its lemma (1.0), a synonym group (0.9), a typo-tolerant
  neighbour in the vocabulary (≤ 0.85) or a shared derivational stem (0.6);
- the fact's score is the BM25-style sum over matched units, times factors for the question
  type (a «сколько» question wants a number, «когда» a date, «кто» a person) and for year
  agreement (a question about 2025 prefers facts about 2025);
- *coverage* — the share of the question's weighted rarity the fact explains — decides
  whether to answer at all: words the facts never mention («погода», «метро», «Астана»)
  leave it low, and words that occur everywhere («Алматы», «город», «аким») never reach it
  alone.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from .facts import TIME_KINDS, Fact, split_sentences
from .figures import Figure, find_figures
from .scoring import SLACK, Partial, Scores, UnitWays, Way, dense, exact
from .terms import context_lists, fact_terms, share_segments
from .text import (
    KAZAKH_ENDINGS,
    VERB_POS,
    WEIGHT_CONTENT,
    WEIGHT_GENERIC,
    WEIGHT_VERB,
    Lexicon,
    Token,
    analyze,
    cyrillic_from_latin,
    data_lines,
    is_known_word,
    latin_key,
    lexicon,
    normalize,
    short_stem,
    stem,
    translator,
    words,
)

K1 = 1.2
B = 0.5
CHANNEL_LEMMA = 1.0
CHANNEL_GROUP = 0.9
CHANNEL_FUZZY = 0.85
CHANNEL_STEM = 0.6
CHANNEL_SHORT_STEM = 0.4
YEAR_WEIGHT = 0.5  # a year in the question, as a unit of coverage (see `_score`)
CHANNEL_CONTEXT = 0.4  # a word of the previous sentence: «В сфере туризма …. За 9 месяцев …»
# A word of the article's first sentence, which says what the whole article reports: «На
# встрече … с консулами …» for «Какой транспорт предлагали на встрече с консулами?». As
# strong as the sentence before: 0.34 to 0.42 scored alike on the tune questions, 0.3 lower.
CHANNEL_LEAD = CHANNEL_CONTEXT
LEAD_CONTEXT_MAX = 2_000  # facts one word may reach this way; a word in more leads says little
PHRASE_PART = 0.5  # a word of a synonym phrase matched alone (see `_parse`)
FUZZY_CUTOFF = 82  # rapidfuzz ratio; below it a word is unknown rather than a typo
FUZZY_MIN_LEN = 5
LATIN_CUTOFF = 84  # rapidfuzz ratio between Latin spellings of a word
UNKNOWN_VERB_SHARE = 0.5
UNKNOWN_MODIFIER_SHARE = 0.5
WHO_VERB_WEIGHT = WEIGHT_CONTENT  # see `_parse`
UNKNOWN_ENTITY_BOOST = 2.0  # an unknown place or name («Астана») is what the question is about
# Calibrated on the tune half of tests/eval/questions.jsonl (python -m knowledge eval).
MIN_COVERAGE = 0.5
# «Кто аким Алматы?»: words found everywhere only, but every one of them found (through its
# synonym group at least), in a fact naming a person.
WHO_ALL_FOUND = CHANNEL_GROUP
MIN_EVIDENCE = 0.85  # non-generic words matched, each counted by its weight and channel
MIN_DIGEST = 3  # a digest shorter than this is filled up with facts without figures
MAX_UNITS = 64  # words of one question that are scored (a bit each)
SCORE_CACHE = 8  # (question, threshold) scorings kept: one ask ranks up to three times
# Below this many postings in all a question's posting lists, they are simply added up.
DENSE_POSTINGS = 8_000
WAYS_CACHE = 4096  # units (word, weight) whose ways to facts are kept
CANDIDATES = 16  # facts that get the full (figure-level) scoring after the array pass
SAME_THING = 0.8  # facts within this share of the best score may compete on recency
ARTICLE_DATE = "article-date"  # a note: «когда?» is answered by the article's date
ASKED_BEFORE = "asked-before"  # a note: the thing asked is named in the sentence before
NO_HOLDER = "no-holder"  # a note: the role asked about is named, but no person holding it
# «руководителя представительства Министерства иностранных дел … в городе Алматы Исламбек
# Раимов»: a name this many words after its role still holds it.
HOLDER_SPAN = 12
ARTICLE_DATE_COVERAGE = 0.95  # every word of the question found: the same event
REPORTED = 0.9  # «когда?» by the article's date: below a sentence that names the date itself
STATED_FIGURE = 1.0  # a figure the question itself states is not its answer (see _choose_figure)
PLACES_LISTED = 2  # places a sentence names to answer «какие страны …?» (see _results)
PLACES_BONUS = 1.5
# «Какую ещё задачу, кроме цифровизации, …?»: one thing more is asked, which a sentence
# adding to what was said before names («… также …», «кроме того, …»).
ALSO_BONUS = 1.5
_ALSO = re.compile(r"(?<!\w)(?:также|тоже|кроме того|помимо этого|ещ[её])(?!\w)", re.IGNORECASE)
_ALSO_ASKED = frozenset({"еще", "кроме", "помимо", "также", "тоже"})
WHICH_MISSING = 0.6  # a «какой X?» fact without X in its own sentence (see _results)
# «К чему призвал участников встречи глава города?»: a question that names no figure shows
# one only when it stands this close (in words) to what the question asks about.
FIGURE_NEAR = 6
MIN_FIT = 0.5  # a figure question needs a figure fitting at least this well (see _fits)
MEASURED_SPAN = 4  # «350 км горных троп»: the counted word stands this close after a length
MEASURED_ANCHOR = 3.0  # how much more the amount asked about («каков охват») draws the figure
MEASURES_OTHER = 0.3  # the fit of a figure that counts or measures something else
FIGURE_KINDS = frozenset(
    {"percent", "change", "when", "money", "area", "length", "count", "amount"}
)

_YEAR = re.compile(r"^(19[5-9]\d|20\d\d|2100)$")
_LATIN = re.compile(r"[a-z]")
_ENGLISH_SOFT_C = re.compile(r"c(?=[eiy])")
_ENGLISH_FINAL_Y = re.compile(r"(?<=[^aeiou])y$")
# «в 25м», «за 23-й год», «к 30 году», «в 25» at the end: a year written with two digits.
_SHORT_YEAR = re.compile(
    r"(?P<prep>(?<!\w)(?:в|во|за|к|до))\s+(?P<yy>[12]\d|3[0-9])"
    r"(?:-?(?:м|й|ом|го|ого|ый)(?!\w)|(?=\s+год)|(?=\s*[?!.]*\s*$))"
    # «турпоток 25го»: with a case ending a two-digit number is a year even without «в».
    r"|(?<![\w,.])(?P<yy_alone>[12]\d|3[0-9])-?(?:ом|го|ого)(?!\w)",
    re.IGNORECASE,
)


# «2025-го», «в 2023-м»: a case ending on a year is no word of the question.
_YEAR_ENDING = re.compile(r"(?<!\w)((?:19|20)\d\d)-?(?:м|й|ом|го|ого|ый|е|х|ых)(?!\w)", re.I)

# «до конца десятилетия»: the last year of the decade the articles speak in.
_DECADE_END = re.compile(
    r"(?P<prep>(?<!\w)(?:до|к))\s+конц[ау]\s+(?:(?:этого|текущего|нынешнего)\s+)?десятилетия",
    re.IGNORECASE,
)


# «в прошлом году», «в следующем году»: a year counted from the one the newest article is
# written in (as «до конца десятилетия»): the facts' present, which a fresh article moves on.
_RELATIVE_YEAR = re.compile(
    r"(?<!\w)(?P<which>позапрошл\w*|прошл\w*|прошедш\w*|минувш\w*|эт(?:ом|от)|текущ\w*|"
    r"нынешн\w*|следующ\w*|будущ\w*|грядущ\w*)\s+год(?:у|а|ом)?(?!\w)",
    re.IGNORECASE,
)
_YEAR_SHIFT = {
    "поза": -2,
    "прош": -1,
    "мину": -1,
    "этом": 0,
    "этот": 0,
    "теку": 0,
    "ныне": 0,
    "след": 1,
    "буду": 1,
    "гряд": 1,
}


def _full_year(m: re.Match[str]) -> str:
    if m["yy_alone"]:
        return f"20{m['yy_alone']}"
    return f"{m['prep']} 20{m['yy']}"


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float  # higher is better; comparable within one index
    figure: Figure | None  # the figure in the fact that answers the question, if any
    why: tuple[str, ...] = ()  # matched terms and rules, for debugging and eval


@dataclass(frozen=True)
class Unit:
    """One content word (or synonym phrase) of the question and the terms it may match."""

    label: str
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (term, channel weight)
    generic: bool


@dataclass(frozen=True)
class _Details:
    """Where words and figures stand in one fact: needed only for the best few candidates."""

    positions: dict[str, tuple[int, ...]]  # term → token positions
    figure_positions: tuple[int, ...]  # token position of each figure in fact.figures


# A fully scored candidate in `rank`: final score, fact number, figure, (position in the
# scores, notes, matched labels) for its explanation, matched units.
_Ranked = tuple[
    float, int, Figure | None, tuple[int, tuple[str, ...], tuple[str, ...]], frozenset[int]
]


@dataclass(frozen=True, slots=True)
class _Carriers:
    """The question's terms as the words that carry them (see FactIndex._carriers)."""

    words: dict[int, list[str]]  # word number → terms
    phrases: dict[int, str]  # term number → synonym-group term


@dataclass(frozen=True)
class Question:
    text: str
    units: tuple[Unit, ...]
    years: frozenset[int]
    kind: str | None  # question type from data/question_types.txt
    lemmas: frozenset[str] = field(default_factory=frozenset)
    # «Сколько рабочих мест …»: the units naming what is counted; a fact that does not
    # mention them counts something else.
    focus: tuple[int, ...] = ()
    earlier: bool = False  # asks about the time before a change (data/earlier.txt)
    whole_year: bool = False  # «за весь 2025 год»: part of the year is no answer
    # «… в Астане?», «… занимает Шымкент?»: a place or a name the facts never mention (a
    # capitalised word inside the question, or a place the dictionary knows). The facts are
    # about other places and people, so a figure they give is not an answer, however well
    # the other words match.
    unknown_name: str | None = None
    # «какие консулы …», «что сказал …» (data/interrogatives.txt): one thing is asked, so two
    # words are not a bare topic to sum up in a digest.
    asks: bool = False
    # «Какие хабы есть …?», «Будет ли скоростной транспорт?», «Почему …?»: a list of things
    # is asked, whether something is so, or why; a figure of the sentence would be shown as
    # if it were the answer.
    which_thing: bool = False
    # «Сколько стоят 190 проектов?»: amounts the question states are known to the asker; the
    # answer is another figure of the sentence.
    stated: frozenset[float] = frozenset()
    past: bool = False  # «Когда аким встречался …?»: a verb in the past tense
    asked: tuple[int, ...] = ()  # «В интервью какой газете …?»: the units of the thing asked
    months: tuple[tuple[int, int], ...] = ()  # (unit, month 1..12): «на январском совещании»
    # «Каков охват …?»: the amount asked about; the figure next to it in the sentence is it.
    measured: tuple[int, ...] = ()
    asks_places: bool = False  # «Какие страны …?» (data/place_nouns.txt)
    place_units: tuple[int, ...] = ()  # the units of «страны» in «Какие страны …?»
    people: bool = False  # a noun for people: «Какая часть работающих алматинцев …?»
    also: bool = False  # «Какую ещё задачу …?», «кроме …»: one thing more
    flow: str | None = None  # «spend» or «earn» (data/money_spent.txt, money_earned.txt)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A question ready for scoring: its units' ways to facts (see knowledge/scoring.py)."""

    q: Question
    rarity: list[float]  # per unit (the first MAX_UNITS)
    total: float  # the units' weighted rarity: coverage is a share of it
    units: tuple[UnitWays, ...]


@dataclass(frozen=True)
class Topic:
    name: str
    terms: frozenset[str]  # one-word lemmas and synonym groups
    phrases: tuple[frozenset[str], ...]  # several words that must all occur
    questions: tuple[str, ...]


@cache
def _topics() -> tuple[Topic, ...]:
    text = resources.files("knowledge").joinpath("data", "topics.json").read_text("utf-8")
    lx = lexicon()
    topics = []
    for name, entry in json.loads(text).items():
        if name.startswith("_"):
            continue
        terms: set[str] = set()
        phrases: list[frozenset[str]] = []
        for phrase in entry["words"]:
            tokens = lx.tokens(phrase)
            content = [t for t in tokens if t.weight > 0]
            if len(content) == 1:
                terms.add("l:" + content[0].lemma)
            elif content:
                phrases.append(frozenset("l:" + t.lemma for t in content))
        topics.append(Topic(name, frozenset(terms), tuple(phrases), tuple(entry["questions"])))
    return tuple(topics)


@cache
def _question_types() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    lx = lexicon()
    table = []
    for line in data_lines("question_types.txt"):
        kind, phrases = line.split(":", 1)
        sequences: list[tuple[str, ...]] = []
        for phrase in phrases.split("|"):
            phrase = phrase.strip()
            if phrase == "%":
                sequences.append(("%",))
                continue
            seq = tuple(t.lemma for t in lx.tokens(phrase))
            if seq:
                sequences.append(seq)
        table.append((kind.strip(), tuple(sequences)))
    return tuple(table)


def question_kind(question: str, tokens: list[Token]) -> tuple[str | None, frozenset[int]]:
    """The type of answer a question wants (data/question_types.txt), and the positions of
    the words that say so: those words ask *what kind* of answer, not *about what*."""
    lemmas = [t.lemma for t in tokens] + (["%"] if "%" in question else [])
    # The first phrase of the table (in file order) found anywhere, at its first place:
    # only the phrases beginning with one of the question's words are tried.
    by_first = _question_phrases()
    found: tuple[int, int, str, int] | None = None
    for i, lemma in enumerate(lemmas):
        for order, kind, seq in by_first.get(lemma, ()):
            if found is not None and (order, i) >= found[:2]:
                break
            if seq == _DATE_PHRASE and (
                [t.word for t in tokens[i : i + 2]] != ["какого", "числа"] or _says_change(tokens)
            ):
                # «какое число туристов» asks a number; only «какого числа» a date, and not
                # «до какого числа сократилось …»: the level something fell or rose to
                continue
            if _relative(question, tokens, i):
                continue  # «Кто был акимом, когда …»: «когда» opens a clause, asks nothing
            if seq in _AMONG and i > 0 and tokens[i - 1].word in ("в", "во"):
                continue  # «входит в число …», «в числе задач»: among, not how many
            if seq[0] == "рассказать" and not tokens[i].word.startswith("расскаж"):
                continue  # «Какое издание рассказало о …?» reports; «расскажи о …» asks
            if tuple(lemmas[i : i + len(seq)]) == seq:
                found = (order, i, kind, len(seq))
                break
    if found is None:
        for which, noun in _which_nouns(tokens):
            if (
                noun is not None
                and which.word not in _WHICH_HOW
                and _names_a_role(noun)
                and not analyze(noun.word).plural
            ):
                # «Какой аким встречался с консулами?»: which person held the role («Какие
                # депутаты …?» asks which body, not whose names)
                return "who", frozenset({which.position})
        return None, frozenset()
    _, i, kind, n = found
    # «Насколько велик вклад …?», «Насколько высока доля …?»: how large a level is, not how
    # much it changed (a comparative, «насколько больше», is no adjective here).
    how_large = [
        j
        for j, token in enumerate(tokens[:-1])
        if token.lemma == "насколько" and analyze(tokens[j + 1].word).pos in ("ADJF", "ADJS")
    ]
    if kind == "change" and n == 1 and i in how_large:
        kind, n = "amount", 2
    settled, positions = settled_kind(tokens, kind, i, n)
    if settled is None or not how_large:
        return settled, positions
    return settled, positions | {j + k for j in how_large for k in (0, 1)}


def settled_kind(
    tokens: list[Token], kind: str, at: int, size: int
) -> tuple[str | None, frozenset[int]]:
    """The kind the table's phrase (`size` words at `at`) says, unless the question asks a
    reason or which things."""
    if any(t.lemma in _WHY for t in tokens):
        return None, frozenset()  # «Почему сократилось число …?»: a reason, not a number
    if (
        any(t.word == "как" for t in tokens)
        and any(t.lemma in _DESCRIBE for t in tokens)
        and (tokens[at].lemma in _DESCRIBE or analyze(tokens[at].word).pos == "NOUN")
    ):
        # «Как охарактеризовали динамику …?», «Как оценили проект?»: a description is
        # asked; «динамика», «оценить» only look like a change or a sum.
        return None, frozenset()
    if (kind in _TOPIC_KINDS or (kind == "count" and analyze(tokens[at].word).pos == "NOUN")) and (
        _asks_which_thing(tokens, _question_phrases())
        or _asks_what_was_done(tokens, at)
        or _asks_what_was_discussed(tokens, at)
        or _asks_what_for(tokens)
    ):
        # «Какие вопросы финансирования обсуждались?», «Что потребовали усилить в части
        # бюджета?», «Какое финансирование обсуждали?»: the question asks which things, or
        # what was done or said, and «финансирование» is what they are about, not a sum.
        return None, frozenset()
    return kind, frozenset(range(at, at + size))


def _relative(question: str, tokens: list[Token], i: int) -> bool:
    """Does the word at `i` open a clause about the noun before the comma before it («центр,
    где …», «акимом, когда …»)? After «Скажите, …» it still asks."""
    if i == 0 or i >= len(tokens) or not question[: tokens[i].start].rstrip().endswith(","):
        return False
    if analyze(tokens[i].word).pos == "NOUN":
        # «Каков, согласно статье, объем …?»: a noun opens no clause, unless «который»
        # follows it («…рынка, долю которого …»)
        return i + 1 < len(tokens) and tokens[i + 1].lemma == "который"
    return analyze(tokens[i - 1].word).pos in ("NOUN", "ADJF", "PRTF")


_DATE_PHRASE = ("какой", "число")
_AMONG = frozenset({("число",), ("количество",)})


def _says_change(tokens: list[Token]) -> bool:
    """A verb or noun of growth or decline (the synonym groups of «вырасти», «снизиться»)."""
    lx = lexicon()
    changes = lx.word_groups("вырасти") | lx.word_groups("снизиться")
    return any(changes & lx.word_groups(t.lemma) for t in tokens)


# Kinds that a topic noun alone can set («бюджет», «площадь»; a count by «население»,
# «число», not by «сколько»): a «какой» + another noun question about that topic asks
# which things, not how much («От каких настроений хотят отучить население?»).
_TOPIC_KINDS = frozenset({"money", "area", "length"})


def _asks_which_thing(
    tokens: list[Token], by_first: dict[str, tuple[tuple[int, str, tuple[str, ...]], ...]]
) -> bool:
    """«Какие вопросы …», «какие ценные бумаги …»: «какой» before a noun (adjectives between
    allowed) that names no kind of figure and no amount."""
    for which, noun in _which_nouns(tokens):
        if which.word not in _WHICH_HOW and noun is not None:
            info = analyze(noun.word)
            return info.pos == "NOUN" and noun.lemma not in by_first and _names_a_thing(noun)
    return False


def _asks_what_was_done(tokens: list[Token], topic: int) -> bool:
    """«Что потребовали усилить в части бюджета?»: a question opening with «что» that has a
    verb asks a thing or an action, when a noun (`topic`, its position), not a verb such as
    «потратили», made it look like a question for a sum."""
    if not tokens or tokens[0].word != "что" or analyze(tokens[topic].word).pos != "NOUN":
        return False
    return any(analyze(t.word).pos in _VERBS for t in tokens[1:])


def _asks_what_for(tokens: list[Token]) -> bool:
    """«На что направлены инициативы?», «Над чем ужесточить контроль, чтобы деньги …?»: a
    question opening with a preposition and «что» asks a thing, even about money."""
    return (
        len(tokens) > 1
        and analyze(tokens[0].word).pos == "PREP"
        and tokens[1].word in ("что", "чем", "чего", "чему")
    )


_HOW_MUCH = frozenset({"сколько", "скока", "скоко", "сколь", "насколько"})


def _asks_what_was_discussed(tokens: list[Token], topic: int) -> bool:
    """«Какое финансирование обсуждали?»: a noun (`topic`, its position) and a verb of
    discussing (the synonym group of «обсудить»): what was said about it is asked."""
    if analyze(tokens[topic].word).pos != "NOUN" or any(t.lemma in _HOW_MUCH for t in tokens):
        return False
    discussing = lexicon().word_groups("обсудить")
    return any(discussing & lexicon().word_groups(t.lemma) for t in tokens)


_VERBS = frozenset({"VERB", "INFN", "PRTS"})  # «что поручено …»: a short participle too


def _which_nouns(tokens: list[Token]) -> list[tuple[Token, Token | None]]:
    """Each «какой» with the word it asks about: the first after it that is no adjective
    («какие экологические задачи» → «задачи»), or None when none follows."""
    pairs: list[tuple[Token, Token | None]] = []
    for i, token in enumerate(tokens):
        if token.lemma == "какой":
            following = (t for t in tokens[i + 1 :] if analyze(t.word).pos not in _ADJECTIVES)
            pairs.append((token, next(following, None)))
    return pairs


_SENTENCE_BREAK = re.compile(r"[.!?…]\s+\S")


def _the_question(message: str) -> str:
    """«Как много туристов …? Пригодится для урока.»: of a message of several sentences,
    the ones that ask (end with «?»); the rest says why one asks, not what."""
    if "?" not in message or not _SENTENCE_BREAK.search(message):
        return message
    sentences = split_sentences(message)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return " ".join(asking) if asking and len(asking) < len(sentences) else message


def _measured_noun(tokens: list[Token]) -> set[int]:
    """«Каков охват …?», «какой объём …?»: the position of the amount asked about."""
    for i, token in enumerate(tokens[:-1]):
        if token.lemma in ("какой", "каковой"):
            following = tokens[i + 1]
            if analyze(following.word).readings & _lemma_set("quantities.txt"):
                return {following.position}
    return set()


def _names_a_thing(token: Token) -> bool:
    """A noun (an unknown word counts: «хаб») that names no amount («охват», «вклад»:
    data/quantities.txt)."""
    info = analyze(token.word)
    return info.pos in ("NOUN", "UNKN", "LATN") and not info.readings & _lemma_set(
        "quantities.txt"
    )


def _which_noun(tokens: list[Token]) -> set[int]:
    """Position of the thing a «какой» asks about («какой газете», «какие консулы»)."""
    for _, noun in _which_nouns(tokens):
        if noun is not None and _names_a_thing(noun) and noun.weight > WEIGHT_GENERIC:
            return {noun.position}
    return set()


def _who_noun(tokens: list[Token]) -> set[int]:
    """Position of the role a «кто» asks about: «Кто был акимом …?», «Кто сейчас аким?»."""
    asks = [t for t in tokens if t.lemma == "кто" or t.word in ("зовут", "звать")]
    # «Кто был акимом …?», «Как зовут … консула?»; else «Какой аким …?»
    for token in asks or [t for t in tokens if t.lemma == "какой"]:
        i = token.position
        for following in tokens[i + 1 :]:
            info = analyze(following.word)
            if following.lemma in _WHO_LINKS or info.pos in _ADJECTIVES:
                continue
            return {following.position} if info.pos == "NOUN" else set()
    return set()


# Verbs whose noun says what was done («провести встречу», «сделать заявление»).
_LIGHT_VERBS = frozenset({"провести", "проводить", "сделать", "делать", "дать", "давать"})
_WHO_LINKS = frozenset({"быть", "являться", "стать", "сейчас", "теперь", "же"})


def _names_a_role(token: Token) -> bool:
    """«аким», «консул», «руководитель»: a noun for whoever holds a post (data/roles.txt and
    the akim's synonym group)."""
    lx = lexicon()
    return token.lemma in _lemma_set("roles.txt") or bool(
        lx.word_groups(token.lemma) & lx.word_groups("аким")
    )


def _asks_which_things(tokens: list[Token]) -> bool:
    """«Какие хабы …», «какой центр …»: «какой» before a noun asks which things — unless
    the noun names an amount («какой охват», «какой вклад»)."""
    for which, noun in _which_nouns(tokens):
        if which.word not in _WHICH_HOW and noun is not None:
            return _names_a_thing(noun)
    return False


_ADJECTIVES = ("ADJF", "PRTF")
_WHICH_HOW = frozenset({"каком"})  # «в каком году», «в каком месте»: when and where


@cache
def _question_phrases() -> dict[str, tuple[tuple[int, str, tuple[str, ...]], ...]]:
    """`_question_types` by the first word of each phrase: (place in the table, kind, phrase),
    in table order."""
    out: dict[str, list[tuple[int, str, tuple[str, ...]]]] = defaultdict(list)
    order = 0
    for kind, sequences in _question_types():
        for seq in sequences:
            out[seq[0]].append((order, kind, seq))
            order += 1
    return {first: tuple(entries) for first, entries in out.items()}


@cache
def _lemma_phrases(name: str) -> tuple[tuple[str, ...], ...]:
    """The phrases of a data file (one a line, «#» comments) as lemma sequences."""
    lx = lexicon()
    phrases = [tuple(t.lemma for t in lx.tokens(line)) for line in data_lines(name)]
    return tuple(p for p in phrases if p)


@cache
def _lemma_set(*names: str) -> frozenset[str]:
    """Every lemma of the phrases of these data files."""
    return frozenset(
        lemma for name in names for phrase in _lemma_phrases(name) for lemma in phrase
    )


def _find_phrase(lemmas: list[str], name: str) -> tuple[int, int] | None:
    """(position, length) of the first phrase of data file `name` found in `lemmas`."""
    for phrase in _lemma_phrases(name):
        n = len(phrase)
        for i in range(len(lemmas) - n + 1):
            if tuple(lemmas[i : i + n]) == phrase:
                return i, n
    return None


def _asks_whole_year(lemmas: list[str]) -> bool:
    """«За весь 2025 год», «по итогам 2025 года» (data/whole_year.txt)."""
    without_years = [lemma for lemma in lemmas if not _YEAR.match(lemma)]
    return _find_phrase(without_years, "whole_year.txt") is not None


def _kazakh_leftover(token: Token) -> bool:
    """In a Kazakh question, a word the lexicon does not translate is no Russian name,
    whatever pymorphy3 guesses from its ending («жүзеге», «елдегі»): it gets no unknown-name
    boost."""
    return not is_known_word(token.word)


def _kazakh_place(question: str, token: Token) -> bool:
    """«Шымкентте», «Астанадағы»: in a Kazakh question, a capitalised word with a case ending
    whose stem is no Russian common word — a place name."""
    ending = next((e for e in KAZAKH_ENDINGS if token.word.endswith(e)), None)
    if ending is None or len(token.word) - len(ending) < 4:
        return False
    stem_ = token.word[: -len(ending)]
    if is_known_word(stem_) and not analyze(stem_).place:
        return False
    spelt = [w for w in re.findall(r"\w+", question) if normalize(w) == token.word]
    return bool(spelt) and spelt[0][:1].isupper()


def _named(question: str, word: str) -> bool:
    """Is `word` written with a capital letter inside the question (a name, as the asker
    sees it)? The first word is capitalised anyway."""
    return any(
        w == word and question[start].isupper() for w, start in words(question, parts=False)[1:]
    )


def _earlier_words(lemmas: list[str]) -> frozenset[int]:
    """Positions of words asking about the time before a change («раньше», «до перехода»).
    Like question words, they say which figure to give, not what the question is about."""
    found = _find_phrase(lemmas, "earlier.txt")
    if found is None:
        return frozenset()
    i, n = found
    return frozenset(range(i, i + n)) if n == 1 else frozenset({i})


def _counted(tokens: list[Token], kind: str | None, kind_positions: frozenset[int]) -> set[int]:
    """Positions of what a «сколько» question counts: the first noun after the question
    words with the adjectives before it («сколько иностранных туристов»). Units of measure
    («сколько гектаров», «сколько человек») name no thing and count as nothing."""
    if not kind_positions:
        return set()
    # «Сколько стоит билет …?»: what is priced, as what is counted.
    priced = kind == "money" and tokens[max(kind_positions)].lemma in _PRICE_WORDS
    if kind != "count" and not priced:
        return set()
    start = max(kind_positions) + 1
    adjectives: set[int] = set()
    after_preposition = False
    for token in tokens[start:]:
        pos = analyze(token.word).pos
        # Function words and words found everywhere («в Алматы») are never what is counted,
        # nor a noun a preposition governs («сколько в Алмате …»).
        if token.weight <= WEIGHT_GENERIC or after_preposition:
            if adjectives and token.word not in ("и", "или"):
                break  # the adjectives describe no noun of this phrase
            after_preposition = pos == "PREP" or (after_preposition and pos in _ADJECTIVES)
            continue
        if pos in _ADJECTIVES:
            adjectives.add(token.position)
            continue
        if _names_counted(token, pos):
            return adjectives | {token.position}
        break
    # «туристов скока …»: what is counted may come first.
    before = min(kind_positions) - 1
    if (
        before >= 0
        and _names_counted(tokens[before], analyze(tokens[before].word).pos)
        and (before == 0 or analyze(tokens[before - 1].word).pos != "PREP")
    ):
        return {before}
    return set()


def _names_counted(token: Token, pos: str) -> bool:
    """A noun that may be what a «сколько» question counts (no unit of measure, no year)."""
    return (
        pos == "NOUN"
        and token.weight > WEIGHT_GENERIC
        and token.lemma not in _lemma_set("measures.txt")
        and not _YEAR.match(token.word)
    )


def _flow_of(lemmas: Iterable[str]) -> str | None:
    """«spend» or «earn», when the words say one way only (data/money_spent.txt,
    money_earned.txt)."""
    said = set(lemmas)
    spent = bool(said & _lemma_set("money_spent.txt"))
    earned = bool(said & _lemma_set("money_earned.txt"))
    if spent == earned:
        return None
    return "spend" if spent else "earn"


def _flow_before(text: str, figure: Figure) -> str | None:
    """Which way the sum goes, by the few words before it («принося экономике … более 300
    млрд»)."""
    before = words(text[: figure.start], parts=False)[-MEASURED_SPAN:]
    return _flow_of(r for word, _ in before for r in analyze(word).readings)


def _people_after(text: str, figure: Figure) -> bool:
    """Is the figure a share of people: a word for people among the few after it?"""
    after = words(text[figure.end :], parts=False)[:MEASURED_SPAN]
    return any(analyze(word).readings & _lemma_set("people.txt", "roles.txt") for word, _ in after)


def _counts_things(q: Question) -> bool:
    """«Сколько стран …», «сколько консулов …»: things counted one by one, which a share
    does not answer. Not so a share of people («сколько людей занято …», data/people.txt)
    or of a whole («сколько рынка …»: the singular)."""
    labels = [q.units[u].label for u in q.focus]
    infos = [analyze(w) for w in labels]
    return any(i.pos == "NOUN" and i.plural for i in infos) and not any(
        i.readings & _lemma_set("people.txt", "roles.txt") for i in infos
    )


# «Почему …?», «Что стало причиной …?»: a reason is asked, which no figure is.
_WHY = frozenset({"почему", "зачем", "причина", "отчего"})
# «Как охарактеризовали …?», «Как оценили …?»: a description is asked (see settled_kind).
_DESCRIBE = frozenset(
    {
        "охарактеризовать",
        "характеризовать",
        "характеризоваться",
        "описать",
        "описывать",
        "описываться",
        "оценить",
        "оценивать",
        "оцениваться",
    }
)

_PRICE_WORDS = frozenset({"стоить", "стоять", "стоимость", "обойтись"})


def _asks_amount(tokens: list[Token], kind_positions: frozenset[int]) -> bool:
    """«Сколько выделяют на …», «на соцпомощь скока ушло»: the question word is followed by
    a verb or by nothing, so it names nothing counted and any quantity may answer."""
    if not kind_positions:
        return False
    after = max(kind_positions) + 1
    for token in tokens[after:]:
        if token.position == after and token.weight > 0 and analyze(token.word).pos == "NOUN":
            # «Какое количество горожан получило …»: a thing found everywhere is still
            # what is counted (though no fact need name it).
            return False
        if token.weight <= WEIGHT_GENERIC or _YEAR.match(token.word):
            continue
        return analyze(token.word).pos in VERB_POS
    before = tokens[: min(kind_positions)]
    # «на образование сколько?»: what the amount is for, not what is counted.
    if before and before[0].word in ("на", "для"):
        return True
    return not any(t.weight > WEIGHT_GENERIC for t in before)


def _fits(kind: str | None, figure: Figure) -> float:
    """How well a figure of this kind answers a question of that kind (0 … 1)."""
    return _kind_fits(kind, figure.kind, figure.comparison)


@cache
def _kind_fits(kind: str | None, figure_kind: str, comparison: str | None) -> float:
    if kind is None or kind in ("define", "who", "where"):
        if figure_kind in TIME_KINDS:
            return 0.3
        # Without «на сколько» a question asks for the level, not the change.
        return 0.4 if comparison == "change" else 0.6
    if kind == "when":
        return 1.0 if figure_kind in TIME_KINDS else 0.0
    if figure_kind in TIME_KINDS:
        return 0.0
    if kind == "percent":
        return 1.0 if figure_kind == "percent" else 0.0
    if kind == "change":
        if comparison == "change":
            return 1.0
        return 0.6 if comparison in ("from", "to") else 0.2
    if kind == "money":
        return 1.0 if figure_kind == "money" else 0.2
    if kind in ("area", "length"):
        return 1.0 if figure_kind == kind else 0.1
    if figure_kind == "percent":
        # «Сколько … занято» may be answered by a share, never by a change («на 8%»).
        return 0.2 if comparison == "change" else 0.5
    if kind == "amount":
        # «Сколько выделяют?»: how much of whatever the fact measures.
        return 0.9 if figure_kind in ("count", "number", "money", "length", "area") else 0.15
    # "count": how many of something
    return {"count": 1.0, "number": 0.8, "money": 0.3, "length": 0.6, "area": 0.6}.get(
        figure_kind, 0.15
    )


class FactIndex:
    """Built once per store generation; never touches the database.

    Scoring runs over numpy arrays: one posting array per term (fact numbers and their BM25
    term-frequency factor), so a question costs a few array operations per word, whatever
    the number of facts. Only the best few candidates get the slower, figure-level scoring.
    """

    def __init__(self, facts: tuple[Fact, ...], generation: int, lx: Lexicon) -> None:
        self.facts = facts
        self.generation = generation
        self._lx = lx
        n = len(facts)
        self._n = n
        analysed = fact_terms(facts, lx)
        self._surface = analysed.surface  # normalised word → its lemma, for typo look-up
        self._has_person = analysed.has_person
        # Facts naming several places: they answer «Какие страны/города …?» (see _plan).
        self._listing_places = np.flatnonzero(analysed.places >= PLACES_LISTED).astype(np.int32)
        # Where each term stands in each fact: for the figure-level scoring of candidates.
        self._word_offsets = analysed.offsets
        self._words = analysed.words
        self._word_terms = analysed.word_terms
        term_words: dict[int, list[int]] = defaultdict(list)
        for word_number, word_terms in enumerate(analysed.word_terms):
            for term in word_terms:
                term_words[term].append(word_number)
        self._term_words = {t: tuple(w) for t, w in term_words.items()}
        self._phrase_offsets = analysed.phrase_offsets
        self._phrase_terms = analysed.phrase_terms
        self._phrase_positions = analysed.phrase_positions
        self._figure_offsets = analysed.figure_offsets
        self._figure_positions = analysed.figure_positions
        self._term_id = {term: number for number, term in enumerate(analysed.names)}
        lengths = analysed.lengths
        avg_len = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / (avg_len or 1.0))
        # One posting list per term, all in shared arrays: fact numbers and the BM25
        # term-frequency factor, term t at [starts[t]:ends[t]]. Lists equal to another
        # term's are kept once (and a unit's ways over the same list are one way).
        offsets, ids, counts = analysed.postings()
        df = np.diff(offsets).tolist()
        shared = share_segments(offsets, (ids, counts))
        del offsets, ids, counts
        self._posting_ids, counts = shared.arrays
        spans = [shared.span(t) for t in range(len(df))]
        self._posting_start = [a for a, _ in spans]
        self._posting_end = [b for _, b in spans]
        self._posting_tf = np.empty(len(counts), dtype=np.float32)
        for start in range(0, len(counts), 1 << 20):  # a slice at a time: less at the peak
            tfs = counts[start : start + (1 << 20)].astype(np.float32)
            part = self._posting_ids[start : start + (1 << 20)]
            self._posting_tf[start : start + len(tfs)] = tfs * (K1 + 1) / (tfs + norm[part])
        # The largest term-frequency factor of each term: a bound for skipping facts.
        self._max_tf = [
            float(self._posting_tf[a:b].max()) if b > a else 0.0
            for a, b in zip(self._posting_start, self._posting_end, strict=True)
        ]
        self._df = dict(zip(analysed.names, df, strict=True))
        self._idf = {
            term: math.log(1 + (n - d + 0.5) / (d + 0.5))
            for term, d in zip(analysed.names, df, strict=True)
        }
        self._topic_names = tuple(topic.name for topic in _topics())
        self._topic_of = self._topic_numbers(counts)
        del counts
        # Each fact also weakly carries the words of the sentence before it in its
        # article: «В сфере туризма … . За девять месяцев 2025 года количество …».
        # Only exact lemmas and synonym groups are looked up there (see _plan).
        same_article = np.array(
            [i > 0 and facts[i - 1].article_id == f.article_id for i, f in enumerate(facts)],
            dtype=bool,
        )
        # Each fact also more weakly carries the words of its article's first sentence.
        self._is_lead = ~same_article
        leads = np.flatnonzero(self._is_lead)
        self._article_end = np.append(leads[1:], n).astype(np.int64)[
            np.searchsorted(leads, np.arange(n), side="right") - 1
        ]
        carried = [t.startswith(("l:", "=")) for t in analysed.names]
        wanted = np.zeros(len(shared.offsets) - 1, dtype=bool)
        for term, segment in enumerate(shared.segment_of):
            if carried[term] and segment >= 0:
                wanted[segment] = True
        context_offsets, self._context_ids = context_lists(
            shared.offsets, self._posting_ids, same_article, wanted
        )
        self._context_start = [0] * len(df)
        self._context_end = [0] * len(df)
        for term, segment in enumerate(shared.segment_of):
            if carried[term] and segment >= 0:
                self._context_start[term] = int(context_offsets[segment])
                self._context_end[term] = int(context_offsets[segment + 1])
        # A word the facts never use is as telling as the rarest word they do use.
        self._idf_unknown = math.log(1 + (n - 0.5) / 1.5) if n else 1.0
        self._date = np.array(
            [f.article_date.toordinal() if f.article_date else 0 for f in facts], dtype=np.int64
        )
        self._undated_of_year: dict[int, np.ndarray] = {}  # see `_plan`
        self._number_of: dict[str, int] | None = None  # fact id → number (see topic_of)
        # What the figure- and year-rules need, per fact, as arrays.
        # How well each fact's best figure fits each kind of question: a figure's fit depends
        # only on its kind and comparison, so each figure is looked up once, as a number.
        sorts: dict[tuple[str, str | None], int] = {}
        figure_sorts = np.array(
            [
                sorts.setdefault((f.kind, f.comparison), len(sorts))
                for fact in facts
                for f in fact.figures
            ],
            dtype=np.int64,
        )
        figure_counts = np.array([len(fact.figures) for fact in facts], dtype=np.int64)
        with_figures = figure_counts > 0
        starts = (np.cumsum(figure_counts) - figure_counts)[with_figures]
        self._fit = {}
        for kind in FIGURE_KINDS:
            table = np.array([_kind_fits(kind, *sort) for sort in sorts] or [0.0])
            fit = np.zeros(n, dtype=np.float64)
            if len(figure_sorts):
                fit[with_figures] = np.maximum.reduceat(table[figure_sorts], starts)
            self._fit[kind] = fit.astype(np.float32)
        year_ids: dict[int, list[int]] = defaultdict(list)
        period_ids: dict[int, list[int]] = defaultdict(list)  # a date or period in the year
        has_years = np.zeros(n, dtype=bool)
        for number, fact in enumerate(facts):
            for year in fact.years:
                year_ids[year].append(number)
                has_years[number] = True
            for period_year in {f.year for f in fact.figures if f.kind in TIME_KINDS}:
                if period_year is not None:
                    period_ids[period_year].append(number)
        self._year_ids = {y: np.asarray(ids, dtype=np.int32) for y, ids in year_ids.items()}
        # Facts by month (see `_plan`): [0] of an article written in it, or naming a date in
        # it or a part of a year; [1] only the latter.
        month_ids: tuple[dict[int, list[int]], dict[int, list[int]]] = (
            defaultdict(list),
            defaultdict(list),
        )
        for number, fact in enumerate(facts):
            named: set[int] = set()
            for f in fact.figures:
                if f.kind == "month" and f.month:
                    named.add(f.month)
                elif f.kind == "period":
                    named.update(range(1, 13))
            written = {fact.article_date.month} if fact.article_date else set()
            for month in named | written:
                month_ids[0][month].append(number)
            for month in named:
                month_ids[1][month].append(number)
        self._month_ids = tuple(
            {m: np.asarray(ids, dtype=np.int64) for m, ids in by_month.items()}
            for by_month in month_ids
        )
        self._period_ids = {y: np.asarray(i, dtype=np.int32) for y, i in period_ids.items()}
        self._has_years = has_years
        self._article_year = np.array(
            [f.article_date.year if f.article_date else 0 for f in facts], dtype=np.int32
        )
        self._article_month = np.array(
            [f.article_date.month if f.article_date else 0 for f in facts], dtype=np.int8
        )
        # The year the newest article was written: what «this decade» means to the facts.
        self._present_year = int(self._article_year.max()) if n else 0
        # Words for typo look-ups, by first letter: typos rarely change the first letter,
        # and a bucket is a small fraction of the vocabulary.
        question_words = {w for _, seqs in _question_types() for seq in seqs for w in seq}
        self._spelling = {*self._surface, *lx.known_words, *question_words}
        self._vocabulary = _buckets(self._surface)
        self._spelling_buckets = _buckets(self._spelling)
        # Russian typed in Latin letters meets the vocabulary through one plain spelling.
        self._latin: dict[str, str] = {}
        for word in sorted(self._spelling | analysed.function_words):
            if not _LATIN.search(word):
                self._latin.setdefault(latin_key(word), word)
        self._latin_buckets = _buckets(self._latin)
        # …and names the facts write in Latin letters meet their Cyrillic spelling
        # («Туркистан» → «Turkistan», «Фараби» → «Farabi»).
        self._latin_words: dict[str, str] = {}
        for word in sorted(self._surface):
            if _LATIN.search(word) and len(word) >= FUZZY_MIN_LEN - 1:
                self._latin_words.setdefault(latin_key(word), word)
        self._latin_word_buckets = _buckets(self._latin_words)
        self._parsed: OrderedDict[str, Question] = OrderedDict()
        self._scores: OrderedDict[tuple[str, bool], tuple[_Plan, Scores]] = OrderedDict()
        self._ranked_cache: OrderedDict[tuple[str, bool], tuple[list[_Ranked], Scores]] = (
            OrderedDict()
        )
        self._ways_cache: OrderedDict[tuple[object, ...], UnitWays] = OrderedDict()
        self._where = np.full(n, -1, dtype=np.int32)
        self._where_lock = threading.Lock()
        self._topics: dict[str, list[Fact]] | None = None
        self._suggestions: dict[str, tuple[str, ...]] | None = None

    @classmethod
    def build(cls, facts: Iterable[Fact], *, generation: int = 0) -> FactIndex:
        """Index `facts` (lemmas, stems, synonym groups) for `match`."""
        return cls(tuple(facts), generation, lexicon())

    def __len__(self) -> int:
        return self._n

    # -- indexing -------------------------------------------------------------------------

    def _posting(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Fact numbers and BM25 term-frequency factors of a term (views, not copies)."""
        number = self._term_id.get(term)
        if number is None:
            return None
        start, end = self._posting_start[number], self._posting_end[number]
        return self._posting_ids[start:end], self._posting_tf[start:end]

    def _context_of(self, term: str) -> np.ndarray | None:
        """Facts whose previous sentence (not they themselves) has the term."""
        number = self._term_id.get(term)
        if number is None:
            return None
        start, end = self._context_start[number], self._context_end[number]
        return self._context_ids[start:end] if end > start else None

    def _carriers(self, terms: Iterable[str]) -> _Carriers:
        """Which words (by number) carry which of `terms`, and which of them are phrases."""
        words: dict[int, list[str]] = defaultdict(list)
        phrases: dict[int, str] = {}
        for term in dict.fromkeys(terms):
            number = self._term_id.get(term)
            if number is None:
                continue
            if term.startswith("="):
                phrases[number] = term
            for word in self._term_words.get(number, ()):
                words[word].append(term)
        return _Carriers(dict(words), phrases)

    def _detail(self, number: int, carriers: _Carriers) -> _Details:
        """Where the terms of `carriers` and the figures stand in fact `number`."""
        positions: dict[str, list[int]] = defaultdict(list)
        start, end = self._word_offsets[number], self._word_offsets[number + 1]
        words = carriers.words
        for position, word in enumerate(self._words[start:end].tolist()):
            if word in words:
                for term in words[word]:
                    positions[term].append(position)
        start, end = self._phrase_offsets[number], self._phrase_offsets[number + 1]
        if end > start and carriers.phrases:
            for term, position in zip(
                self._phrase_terms[start:end].tolist(),
                self._phrase_positions[start:end].tolist(),
                strict=True,
            ):
                if term in carriers.phrases:
                    positions[carriers.phrases[term]].append(position)
        start, end = self._figure_offsets[number], self._figure_offsets[number + 1]
        figure_positions = tuple(self._figure_positions[start:end].tolist())
        return _Details({t: tuple(p) for t, p in positions.items()}, figure_positions)

    def _topic_numbers(self, counts: np.ndarray) -> np.ndarray:
        """Per fact, the number of its topic in `_topics()` (-1: none): the topic with most
        hits, a word counting once per occurrence and a whole phrase twice; the first
        topic on a tie."""
        topics = _topics()
        hits = np.zeros((len(topics), self._n), dtype=np.int32)
        for number, topic in enumerate(topics):
            for term in topic.terms:
                if term in self._term_id:
                    t = self._term_id[term]
                    start, end = self._posting_start[t], self._posting_end[t]
                    hits[number, self._posting_ids[start:end]] += counts[start:end].astype(
                        np.int32
                    )
            for phrase in topic.phrases:
                found = np.zeros(self._n, dtype=np.int32)
                for term in phrase:
                    posting = self._posting(term)
                    if posting is not None:
                        found[posting[0]] += 1
                hits[number] += 2 * (found == len(phrase))
        if not topics or not self._n:
            return np.full(self._n, -1, dtype=np.int16)
        best = np.argmax(hits, axis=0).astype(np.int16)
        best[hits.max(axis=0) <= 0] = -1
        return best

    # -- questions ------------------------------------------------------------------------

    def to_russian(self, question: str) -> str:
        """The question in Russian words: English and Kazakh through their lexicons, Russian
        typed in Latin letters through the Latin spelling of the vocabulary."""
        tokens = [w for w, _ in words(question, parts=False)]
        tr = translator()
        if tr.is_english(tokens):
            # Words the glossary lacks may be names the facts write in Cyrillic («Dosayev»).
            return " ".join(
                (self._fact_word_in_latin(w) or w)
                if _LATIN.search(w) and w not in self._surface
                else w
                for w in tr.english_to_russian(tokens)
            )
        if tr.is_kazakh(question, tokens):
            return " ".join(self._without_kazakh_ending(w) for w in tr.kazakh_to_russian(tokens))
        if any(_LATIN.search(t) and t not in self._surface for t in tokens):
            return " ".join(self._from_latin(t) for t in tokens)
        return self._spell(question, tokens)

    def _spell(self, question: str, tokens: list[str]) -> str:
        """Correct words that neither Russian nor the facts know («сколко» → «сколько»),
        so that misspelt question words still tell the question type."""
        corrected = False
        out = []
        for word in tokens:
            if (
                word not in self._surface
                and (parts := self._lx.split_compound(word)) is not None
                and self._knows(parts[1])
                and "l:" + analyze(word).lemma not in self._idf
            ):
                word, corrected = " ".join(parts), True
            elif (
                len(word) >= FUZZY_MIN_LEN - 1
                and word not in self._surface
                and not _LATIN.search(word)
                and (latin := self._latin_word(word)) is not None
            ):
                word, corrected = latin, True
            elif (
                len(word) >= FUZZY_MIN_LEN - 1
                and word not in self._spelling
                and not _LATIN.search(word)
                and not is_known_word(word)
            ):
                best = _closest(word, self._spelling_buckets, FUZZY_CUTOFF)
                if best is not None:
                    word, corrected = best[0], True
            out.append(word)
        return " ".join(out) if corrected else question

    def _without_kazakh_ending(self, word: str) -> str:
        """«сатыбалдымен» → «сатыбалды»: a word the facts do not know whose stem, its Kazakh
        case ending taken off, they do."""
        if self._knows(word):
            return word
        for ending in KAZAKH_ENDINGS:
            stem_ = word[: -len(ending)]
            if word.endswith(ending) and len(stem_) >= 4 and self._knows(stem_):
                return stem_
        return word

    def _knows(self, word: str) -> bool:
        """Whether the facts or the synonym table use this word (as any of its forms)."""
        lemma = analyze(word).lemma
        return "l:" + lemma in self._idf or lemma in self._lx.phrases

    def _latin_word(self, word: str) -> str | None:
        """The facts' Latin-letter word that this Cyrillic word spells, if any."""
        key = latin_key(word)
        if key in self._latin_words:
            return self._latin_words[key]
        best = _closest(key, self._latin_word_buckets, LATIN_CUTOFF)
        return self._latin_words[best[0]] if best is not None else None

    def _from_latin(self, word: str) -> str:
        if not _LATIN.search(word) or word in self._surface:
            return word
        # Not a word the facts use: spelled in Cyrillic it can still be read as a verb or a
        # preposition, and so weigh what such words weigh.
        return self._fact_word_in_latin(word) or cyrillic_from_latin(word)

    def _fact_word_in_latin(self, word: str) -> str | None:
        """The facts' Cyrillic word that this Latin word spells («dosayev» → «досаев»)."""
        # «city» in «Smart City»: an English spelling of a word the facts write in Cyrillic
        # («сити»), where «c» before e, i, y sounds «s», not «ц», and a final «y» is «и».
        english = _ENGLISH_FINAL_Y.sub("i", _ENGLISH_SOFT_C.sub("s", word))
        for spelling in dict.fromkeys((word, english)):
            key = latin_key(spelling)
            if key in self._latin:
                return self._latin[key]
            if len(key) >= FUZZY_MIN_LEN - 1:
                best = _closest(key, self._latin_buckets, LATIN_CUTOFF)
                if best is not None:
                    return self._latin[best[0]]
        return None

    def parse_question(self, question: str) -> Question:
        """Units, years and type of a question (cached: the same question is parsed once)."""
        parsed = self._parsed.get(question)
        if parsed is None:
            parsed = self._parse(question)
            self._parsed[question] = parsed
            if len(self._parsed) > 1024:
                self._parsed.popitem(last=False)
        return parsed

    def _parse(self, question: str) -> Question:
        question = _the_question(question)
        percent = "%" in question
        question = _SHORT_YEAR.sub(_full_year, _YEAR_ENDING.sub(r"\1", question))
        if self._present_year:
            decade_end = (self._present_year // 10 + 1) * 10
            question = _DECADE_END.sub(lambda m: f"{m['prep']} {decade_end}", question)
            question = _RELATIVE_YEAR.sub(
                lambda m: f" {self._present_year + _YEAR_SHIFT[m['which'].lower()[:4]]} ", question
            )
        original = question
        question = self.to_russian(question)
        # Asked once: the Kazakh-word rules below look at many of the question's words.
        kazakh = translator().is_kazakh(original, [w for w, _ in words(original, parts=False)])
        tokens = self._lx.tokens(question)
        kind, kind_positions = question_kind(question + (" %" if percent else ""), tokens)
        years = frozenset(int(t.word) for t in tokens if _YEAR.match(t.word))
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
        focus_positions = _counted(tokens, kind, kind_positions)
        asked_positions = (
            _which_noun(tokens) if kind is None else _who_noun(tokens) if kind == "who" else set()
        )
        asked: list[int] = []
        months: list[tuple[int, int]] = []
        measured_positions = _measured_noun(tokens)
        measured: list[int] = []
        # «каких мировых столиц»: the place noun and the adjectives before it describe the
        # places the answer names.
        place_positions = {
            position
            for which, noun in _which_nouns(tokens)
            if noun is not None and noun.lemma in _lemma_set("place_nouns.txt")
            for position in range(which.position + 1, noun.position + 1)
        }
        place_units: list[int] = []
        if kind == "count" and _asks_amount(tokens, kind_positions):
            kind = "amount"  # «сколько выделяют»: nothing named is counted
        # «до перехода»: only «до» is dropped, the change itself stays a unit.
        earlier = _earlier_words([t.lemma for t in tokens])
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
                and not _YEAR.match(t.word)
                and t.position not in kind_positions
            ]
            measures = {t.position for t in content if t.lemma in _lemma_set("measures.txt")}
            if len(measures) == len(content):
                measures = set()
                # «Сколько человек живёт в Алматы?»: only the verb says what is counted
                counted_by_verb = bool(content)
        for token in tokens:
            if token.weight <= 0 or _YEAR.match(token.word) or token.position in kind_positions:
                continue
            if token.position in measures:
                continue
            alternatives: list[tuple[str, float]] = []
            known = "l:" + token.lemma in self._idf
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
                alternatives.extend(self._typo_alternatives(token))
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
                and token.lemma not in _LIGHT_VERBS
            ):
                # «Кто участвовал …?»: the answer is whoever did this; the verb is what the
                # question is about, not its glue (unless the noun after it says what was
                # done: «провёл встречу»).
                weight = WHO_VERB_WEIGHT
            if not alternatives and token.entity and not (kazakh and _kazakh_leftover(token)):
                weight *= UNKNOWN_ENTITY_BOOST
                if _named(original, token.word) or (
                    analyze(token.word).place and is_known_word(token.word)
                ):
                    unknown_name = unknown_name or token.word
            elif not alternatives and kazakh and _kazakh_place(original, token):
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
                and analyze(token.word).pos in _ADJECTIVES
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
        return Question(
            text=question,
            units=tuple(units),
            years=years,
            kind=kind,
            lemmas=frozenset(t.lemma for t in tokens),
            focus=tuple(sorted({f for f in focus if f < MAX_UNITS})),
            earlier=bool(earlier),
            whole_year=bool(years) and _asks_whole_year([t.lemma for t in tokens]),
            unknown_name=unknown_name,
            asks=any(t.lemma in _lemma_set("interrogatives.txt") for t in tokens),
            which_thing=kind is None
            and (
                _asks_which_things(tokens)
                or any(t.word == "ли" or t.lemma in _WHY for t in tokens)
            ),
            past=any(analyze(t.word).past for t in tokens),
            asked=tuple(a for a in asked if a < MAX_UNITS),
            months=tuple(m for m in months if m[0] < MAX_UNITS),
            measured=tuple(m for m in measured if m < MAX_UNITS),
            asks_places=bool(place_positions),
            place_units=tuple(u for u in place_units if u < MAX_UNITS),
            stated=frozenset(f.value for f in find_figures(original) if f.kind not in TIME_KINDS),
            also=bool({t.word for t in tokens} & _ALSO_ASKED),
            flow=_flow_of(t.lemma for t in tokens),
            people=any(
                t.lemma in _lemma_set("people.txt") and analyze(t.word).pos == "NOUN"
                for t in tokens
            ),
        )

    def _typo_alternatives(self, token: Token) -> list[tuple[str, float]]:
        best = _closest(token.word, self._vocabulary, FUZZY_CUTOFF)
        if best is None:
            return []
        lemma = self._surface[best[0]]
        similarity = best[1] / 100
        out = [("l:" + lemma, CHANNEL_FUZZY * similarity)]
        lemma_stem = stem(lemma)
        if lemma_stem:
            out.append(("s:" + lemma_stem, CHANNEL_STEM * similarity))
        return out

    def _unit_rarity(self, unit: Unit) -> float:
        known = [self._idf[t] for t, _ in unit.alternatives if t in self._idf]
        return max(known) if known else self._idf_unknown

    # -- matching -------------------------------------------------------------------------

    def match(self, question: str, *, limit: int = 3) -> list[Match]:
        """Best facts for `question`, best first; an empty list means "not found"."""
        return self.rank(question, limit=limit, threshold=True)

    def _plan(self, question: str) -> _Plan | None:
        """The question's units with their ways to facts, strongest way first."""
        q = self.parse_question(question)
        if not q.units or not self._n:
            return None
        units = q.units[:MAX_UNITS]
        rarity = [self._unit_rarity(u) for u in units]
        total = sum(u.weight * r for u, r in zip(units, rarity, strict=True)) or 1.0
        planned = [
            self._unit_ways(unit, unit_rarity)
            for unit, unit_rarity in zip(units, rarity, strict=True)
        ]
        # A month is covered (not scored) by a fact that names a date in it or a part of a
        # year («с января по сентябрь» for «за девять месяцев») and, when it is the only
        # month asked, by one of an article written in it («на январском совещании»).
        # After the month's own words.
        by_month = self._month_ids[0 if len(q.months) == 1 else 1]
        for number, month in q.months:
            in_month = by_month.get(month)
            if in_month is not None:
                unit_ways = planned[number]
                month_way = Way(0.0, in_month, None, 0.0, 1.0, 0.0)
                planned[number] = UnitWays(
                    unit_ways.weight,
                    unit_ways.rarity,
                    unit_ways.generic,
                    (*unit_ways.ways, month_way),
                )
        # «Какие страны …?», «по примеру каких городов …?»: a fact naming several places
        # names what the place noun asks for (coverage only; PLACES_BONUS ranks them).
        if len(self._listing_places):
            for number in q.place_units:
                unit_ways = planned[number]
                listing_way = Way(0.0, self._listing_places, None, 0.0, CHANNEL_GROUP, 0.0)
                planned[number] = UnitWays(
                    unit_ways.weight,
                    unit_ways.rarity,
                    unit_ways.generic,
                    (*unit_ways.ways, listing_way),
                )
        # A year is part of what the question asks: a fact about that year covers it, one
        # from an article of that year without a year of its own covers it halfway. As a
        # unit that adds coverage only (no score, no evidence), after the words' units.
        years = []
        for year in sorted(q.years):
            about = self._year_ids.get(year, np.zeros(0, dtype=np.int32))
            df = len(about)
            year_rarity = YEAR_WEIGHT * math.log(1 + (self._n - df + 0.5) / (df + 0.5))
            total += year_rarity
            present = self._undated_of_year.get(year)
            if present is None:  # once per year: a pass over every fact
                present = np.flatnonzero((self._article_year == year) & ~self._has_years)
                self._undated_of_year[year] = present
            year_ways = tuple(
                Way(channel, ids.astype(np.int64), None, 0.0, channel, 0.0)
                for channel, ids in ((1.0, np.sort(about)), (0.5, present))
                if len(ids)
            )
            years.append(UnitWays(1.0, year_rarity, True, year_ways))
        if len(planned) + len(years) > 64:
            years = []  # one bit per unit: the words come first
        return _Plan(q, rarity, total, (*planned, *years))

    def _unit_ways(self, unit: Unit, unit_rarity: float) -> UnitWays:
        """A unit's ways to facts (cached: the same words come back in many questions)."""
        key = (unit.alternatives, unit.weight, unit.generic)
        cached = self._ways_cache.get(key)
        if cached is not None:
            self._ways_cache.move_to_end(key)
            return cached
        # Each fact takes the unit's strongest way of matching: try the ways strongest
        # first, and let each fact take only the first that reaches it.
        # (way, which list it reads: a way over the very same list as a stronger one
        # reaches no fact that one has not reached already, and is left out)
        ways: list[tuple[Way, tuple[str, int]]] = []
        for term, channel in unit.alternatives:
            idf = self._idf.get(term)
            if idf is None:
                continue
            number = self._term_id[term]
            start, end = self._posting_start[number], self._posting_end[number]
            value = channel * idf
            way = Way(
                nominal=value,
                ids=self._posting_ids[start:end],
                tf=self._posting_tf[start:end],
                value=value,
                channel=channel,
                bound=value * self._max_tf[number],
            )
            ways.append((way, ("posting", start)))
            # The previous sentence's and the lead's words help a specific word only, and
            # only through its exact lemma or synonym group: a pass over a long array costs.
            # (A typo's lemma, at most CHANNEL_FUZZY, never qualifies: the context
            # index holds only lemmas and groups.)
            if unit.generic or channel < 0.9:
                continue
            lead = self._lead_context(self._posting_ids[start:end])
            start, end = self._context_start[number], self._context_end[number]
            if end > start:
                weak = channel * CHANNEL_CONTEXT
                context = self._context_ids[start:end]
                way = Way(weak * idf, context, None, weak * idf, weak, weak * idf)
                ways.append((way, ("context", start)))
            if lead is not None:
                weak = channel * CHANNEL_LEAD
                way = Way(weak * idf, lead, None, weak * idf, weak, weak * idf)
                ways.append((way, ("lead", number)))
        ways.sort(key=lambda entry: -entry[0].nominal)
        seen: set[tuple[str, int]] = set()
        distinct = []
        for way, read in ways:
            if read not in seen:
                seen.add(read)
                distinct.append(way)
        unit_ways = UnitWays(unit.weight, unit_rarity, unit.generic, tuple(distinct))
        self._ways_cache[key] = unit_ways
        if len(self._ways_cache) > WAYS_CACHE:
            self._ways_cache.popitem(last=False)
        return unit_ways

    def _lead_context(self, ids: np.ndarray) -> np.ndarray | None:
        """The facts after the article leads among `ids` in the same articles (ascending), or
        None when there are none or too many (see LEAD_CONTEXT_MAX)."""
        leads = ids[self._is_lead[ids]]
        if not len(leads):
            return None
        first = leads + 1
        sizes = self._article_end[leads] - first
        total = int(sizes.sum())
        if not total or total > LEAD_CONTEXT_MAX:
            return None
        # ranges [first, end) one after another: each id is its range's first + a step
        steps = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return (np.repeat(first, sizes) + steps).astype(np.int32)

    def _score(self, question: str, threshold: bool) -> tuple[_Plan, Scores] | None:
        """Score, coverage, evidence and matched units (a bit per unit) of every fact that
        may be among the CANDIDATES best of `rank` — and of few others.

        Cached for the last few questions: one `ask` ranks for a digest, an answer and
        perhaps suggestions.
        """
        key = (question, threshold)
        cached = self._scores.get(key)
        if cached is not None:
            return cached
        plan = self._plan(question)
        if plan is None:
            return None
        if sum(unit.cost for unit in plan.units) <= DENSE_POSTINGS:
            scored = (plan, dense(plan.units, plan.total, self._n))
            self._scores[key] = scored
            if len(self._scores) > SCORE_CACHE:
                self._scores.popitem(last=False)
            return scored
        contenders = self._contenders(plan, threshold)
        # Scratch space for `exact`: the index's own, unless another thread is using it.
        if self._where_lock.acquire(blocking=False):
            try:
                scores = exact(plan.units, plan.total, contenders, self._where)
            finally:
                self._where_lock.release()
        else:
            scores = exact(plan.units, plan.total, contenders, np.full(self._n, -1, np.int32))
        scored = (plan, scores)
        self._scores[key] = scored
        if len(self._scores) > SCORE_CACHE:
            self._scores.popitem(last=False)
        return scored

    def _contenders(self, plan: _Plan, threshold: bool) -> np.ndarray:
        """Facts that may be among `rank`'s CANDIDATES best (ascending): a superset of them,
        ties included, found from bounds without a pass over every unit's postings.

        The strongest ways of some units are added up over their postings (`Partial`); a
        fact none of them reaches is left out when the ways left out together cannot make it
        eligible (threshold) or lift it to the score of the CANDIDATES best facts found so
        far (a lower bound of the final CANDIDATES-th score). Of the facts reached, those
        that cannot make it even if every way left out matched are left out too.
        """
        q, units, total = plan.q, plan.units, plan.total
        who = q.kind == "who"
        most_factor = self._most_rough_factor(q)
        # upto[u]: unit u's first ways added up; rest[u]: the most its other ways may add.
        upto = [0] * len(units)
        rest = [u.rest(0, total) for u in units]

        def ineligible(s_rest: float, c_rest: float, e_rest: float) -> bool:
            c, e = c_rest * (1 + SLACK), e_rest * (1 + SLACK)
            return c < MIN_COVERAGE or (e < MIN_EVIDENCE and (not who or c < WHO_ALL_FOUND))

        def most_rough(s_rest: float, c_rest: float) -> float:
            return s_rest * (0.5 + c_rest) * most_factor * (1 + SLACK)

        partial = Partial(self._n, total)
        if threshold:
            # All ways, then leave out the longest last way of a unit while the facts reached
            # by none of the others still cannot be eligible.
            upto = [len(u.ways) for u in units]
            rest = [(0.0, 0.0, 0.0)] * len(units)
            sums = [0.0, 0.0, 0.0]
            while True:
                best: tuple[int, int, tuple[float, float, float]] | None = None
                for i, unit in enumerate(units):
                    if not upto[i] or (
                        best is not None and len(unit.ways[upto[i] - 1].ids) <= best[1]
                    ):
                        continue
                    more = unit.rest(upto[i] - 1, total)
                    trial = [sums[k] - rest[i][k] + more[k] for k in range(3)]
                    if ineligible(*trial):
                        best = (i, len(unit.ways[upto[i] - 1].ids), more)
                if best is None:
                    break
                i, _, more = best
                sums = [sums[k] - rest[i][k] + more[k] for k in range(3)]
                upto[i] -= 1
                rest[i] = more
            if not any(upto):
                return np.zeros(0, dtype=np.int64)
            for unit, count in zip(units, upto, strict=True):
                if count:
                    partial.add(unit, count)
        while True:
            reached = partial.values()
            factor, allowed = self._rough_factors(reached.ids, q)
            floor = self._floor(reached, factor, allowed, q, threshold)
            s_rest = sum(r[0] for r in rest)
            c_rest = sum(r[1] for r in rest)
            if threshold or most_rough(s_rest, c_rest) < floor:
                break
            left_out = [i for i, u in enumerate(units) if upto[i] < len(u.ways)]
            if not left_out:
                break
            # The unit left out that may matter most (the cheapest of equals): add it all,
            # and look again.
            i = max(left_out, key=lambda u: (rest[u][0], -units[u].cost))
            partial.add(units[i])
            upto[i], rest[i] = len(units[i].ways), (0.0, 0.0, 0.0)
        s_rest = sum(r[0] for r in rest)
        c_rest = sum(r[1] for r in rest)
        e_rest = sum(r[2] for r in rest)
        most = (reached.score + s_rest) * (0.5 + reached.coverage + c_rest) * factor
        keep = most * (1 + SLACK) >= floor
        if threshold:
            c_most = (reached.coverage + c_rest) * (1 + SLACK)
            may = (c_most >= MIN_COVERAGE) & (
                (reached.evidence + e_rest) * (1 + SLACK) >= MIN_EVIDENCE
            )
            if who:
                may |= (c_most >= WHO_ALL_FOUND) & self._has_person[reached.ids]
            keep &= may & allowed
        return reached.ids[keep]

    def _floor(
        self,
        reached: Scores,
        factor: np.ndarray,
        allowed: np.ndarray,
        q: Question,
        threshold: bool,
    ) -> float:
        """A lower bound of the CANDIDATES-th best rough score in `rank` (-inf: none yet)."""
        sure = reached.score > 0
        if threshold:
            surely = (reached.coverage >= MIN_COVERAGE * (1 + SLACK)) & (
                reached.evidence >= MIN_EVIDENCE * (1 + SLACK)
            )
            if q.kind == "who":
                surely |= (reached.coverage >= WHO_ALL_FOUND * (1 + SLACK)) & self._has_person[
                    reached.ids
                ]
            sure &= surely & allowed
        if np.count_nonzero(sure) < CANDIDATES:
            return -math.inf
        least = reached.score[sure] * (0.5 + reached.coverage[sure]) * factor[sure]
        kth = np.partition(least, len(least) - CANDIDATES)[len(least) - CANDIDATES]
        return float(kth) * (1 - SLACK)

    @staticmethod
    def _most_rough_factor(q: Question) -> float:
        """The largest factor `_rough_factors` may give any fact for this question."""
        factor = 1.0
        if q.kind == "who":
            factor *= 1.4
        elif q.kind in FIGURE_KINDS:
            factor *= 1.2
        if q.years:
            factor *= 1.3
        return factor

    def rank(self, question: str, *, limit: int = 3, threshold: bool = True) -> list[Match]:
        """Like `match`; with threshold=False it also returns weak candidates (suggestions)."""
        return [match for _, match in self._ranked(question, limit, threshold)]

    def _ranked(self, question: str, limit: int, threshold: bool) -> list[tuple[int, Match]]:
        """`rank` with each match's fact number."""
        ranked = self._results(question, threshold)
        if ranked is None:
            return []
        results, s = ranked
        return [
            (n, Match(fact=self.facts[n], score=round(f, 4), figure=figure, why=_why(s, *why)))
            for f, n, figure, why, _ in results[:limit]
        ]

    def _results(self, question: str, threshold: bool) -> tuple[list[_Ranked], Scores] | None:
        """Every fully scored candidate, best first (cached: `digest` and `match` rank the
        same question, and only the number of matches taken differs)."""
        key = (question, threshold)
        cached = self._ranked_cache.get(key)
        if cached is not None:
            return cached
        if threshold and self.parse_question(question).unknown_name:
            return None  # «… в Шымкенте?»: see Question.unknown_name
        scored = self._score(question, threshold)
        if scored is None:
            return None
        plan, s = scored
        q, rarity = plan.q, plan.rarity
        if threshold:
            # «Кто аким Алматы?»: only generic words, all found, in a fact naming a person.
            eligible = (s.coverage >= MIN_COVERAGE) & (s.evidence >= MIN_EVIDENCE)
            if q.kind == "who":
                eligible |= (s.coverage >= WHO_ALL_FOUND) & self._has_person[s.ids]
            # «Сколько рабочих мест …»: a fact without what is counted counts something else.
            for unit_number in q.focus:
                eligible &= (s.bits & np.uint64(1 << unit_number)) != 0
            local = np.flatnonzero(eligible & (s.score > 0))
        else:
            local = np.flatnonzero(s.score > 0)
        # Rules that do not depend on which figure is chosen run over arrays, and a cheap
        # first ranking keeps the detailed pass to a few facts.
        rough_factor, allowed = self._rough_factors(s.ids[local], q)
        if threshold:
            local, rough_factor = local[allowed], rough_factor[allowed]
        if len(local) > CANDIDATES:
            rough = s.score[local] * (0.5 + s.coverage[local]) * rough_factor
            local = local[_best(rough, CANDIDATES)]
        results: list[_Ranked] = []
        carriers = self._carriers(t for unit in q.units for t, _ in unit.alternatives)
        for i in local.tolist():
            number = int(s.ids[i])
            matched_bits = int(s.bits[i])
            matched = {u: t for u, t in enumerate(q.units) if matched_bits >> u & 1}
            # «какой X?» looks at where the words stand anyway (see _names): once per fact.
            details = self._detail(number, carriers) if q.asked else None
            figure, fit = self._choose_figure(number, q, matched, rarity, carriers, details)
            factor, notes = self._factors(number, q, figure, fit)
            listing = q.asks_places and self._places_named(number, q) >= PLACES_LISTED
            if (
                details is not None
                and not listing
                and not self._names(q, q.asked, details)
                and not self._names_in_latin(number, q)
            ):
                # «В интервью какой газете …?»: a sentence without the thing asked about
                # cannot name it — unless the sentence before does (see ASKED_BEFORE), or it
                # names something in Latin letters («…, сообщает Zakon.kz»).
                factor *= WHICH_MISSING
                if all(matched_bits >> u & 1 for u in q.asked):
                    notes.append(ASKED_BEFORE)
            if (
                q.kind == "who"
                and details is not None
                and not self._names_holder(number, q, details)
            ):
                # «Кто генеральный консул Франции?»: the sentence names the role, but nobody
                # who holds it («… генеральные консулы КНР, Ирана, Турции, Франции»).
                notes.append(NO_HOLDER)
            if listing:
                factor *= PLACES_BONUS  # «Какие страны …?»: a sentence naming several
            if q.also and _ALSO.search(self.facts[number].text):
                factor *= ALSO_BONUS  # «Какую ещё задачу …?»: «В числе задач также …»
            final = float(s.score[i]) * factor * (0.5 + float(s.coverage[i]))
            if threshold and not self._confident(notes):
                continue
            if threshold and ARTICLE_DATE in notes and s.coverage[i] < ARTICLE_DATE_COVERAGE:
                continue  # the sentence may report another event than the one asked about
            # The explanation is written out only for the matches returned (see below).
            why = (i, tuple(notes), tuple(unit.label for unit in matched.values()))
            results.append((final, number, figure, why, frozenset(matched)))
        results.sort(key=lambda r: (-r[0], r[1]))
        ranked = (self._prefer_newest(results), s)
        self._ranked_cache[key] = ranked
        if len(self._ranked_cache) > SCORE_CACHE:
            self._ranked_cache.popitem(last=False)
        return ranked

    def _rough_factors(self, ids: np.ndarray, q: Question) -> tuple[np.ndarray, np.ndarray]:
        """The type and year factors of `_factors` for many facts at once, judged by each
        fact's best-fitting figure, and which facts those rules allow at all."""
        factor = np.ones(len(ids), dtype=np.float32)
        allowed = np.ones(len(ids), dtype=bool)
        if q.kind == "who":
            factor *= np.where(self._has_person[ids], 1.4, 0.6)
        elif q.kind in FIGURE_KINDS:
            fit = self._fit[q.kind][ids]
            fits = fit >= MIN_FIT
            if q.kind == "when" and q.past:  # see _factors
                reported = (self._article_year[ids] > 0) & (fit == 0)
                factor *= np.where(fits, 0.8 + 0.4 * fit, np.where(reported, REPORTED, 0.55))
                allowed &= fits | reported
            else:
                factor *= np.where(fits, 0.8 + 0.4 * fit, 0.55)
                allowed &= fits
        if q.years:
            # Facts about one of the years: looked up in each year's (sorted) fact list.
            agrees = np.zeros(len(ids), dtype=bool)
            for year in q.years:
                about = self._year_ids.get(year)
                if about is not None and len(about) and len(ids):
                    at = np.minimum(np.searchsorted(about, ids), len(about) - 1)
                    agrees |= about[at] == ids
            has_years = self._has_years[ids]
            article_year = np.isin(self._article_year[ids], list(q.years))
            dated = article_year & np.isin(
                self._article_month[ids], [month for _, month in q.months]
            )  # see _factors
            factor *= np.where(
                agrees,
                1.3,
                np.where(has_years & ~dated, 0.5, np.where(article_year, 0.9, 0.7)),
            )
            allowed &= agrees | ((~has_years | dated) & article_year)
        return factor, allowed

    @staticmethod
    def _confident(notes: list[str]) -> bool:
        # A question that names a year is answered only by a fact about that year, or by an
        # undated-figure fact from an article of that year (it speaks of its present).
        # «Сколько…», «когда…», «на сколько процентов…» want a figure of that kind.
        return not {
            "year-mismatch",
            "year-unknown",
            "no-figure-of-kind",
            "part-of-year",
            NO_HOLDER,
        } & set(notes)

    def _factors(
        self, number: int, q: Question, figure: Figure | None, fit: float
    ) -> tuple[float, list[str]]:
        factor = 1.0
        notes: list[str] = []
        kind = q.kind
        if kind == "who":
            factor *= 1.4 if self._has_person[number] else 0.6
        elif kind in FIGURE_KINDS:
            if kind == "when" and figure is None and q.past and self._reported_event(number):
                # «Когда аким встречался с активом?»: the sentence reports the event and names
                # no date; the article's date is when it was reported (said so in the answer).
                factor *= REPORTED
                notes.append(ARTICLE_DATE)
            elif figure is None or fit < MIN_FIT:
                factor *= 0.55
                notes.append("no-figure-of-kind")
            else:
                factor *= 0.8 + 0.4 * fit
        if q.years:
            fact = self.facts[number]
            fact_years = set(fact.years)
            date = fact.article_date
            if q.whole_year and any(
                f.kind == "period" and f.year in q.years for f in fact.figures
            ):
                notes.append("part-of-year")  # «за девять месяцев 2025 года»
            # «… говорил в сентябре 2025 года»: the month and year the article was written
            # in date what the question asks about, whatever years the sentence names.
            dated = (
                date is not None
                and date.year in q.years
                and date.month in {month for _, month in q.months}
            )
            if fact_years & q.years:
                factor *= 1.3
                notes.append("year-agrees")
            elif fact_years and not dated:
                factor *= 0.5
                notes.append("year-mismatch")
            elif date is not None and date.year in q.years:
                factor *= 0.9
            else:
                factor *= 0.7
                notes.append("year-unknown")
        return factor, notes

    def _places_named(self, number: int, q: Question) -> int:
        """Places the fact names that the question does not (words found everywhere, such
        as «Алматы», left out)."""
        places: set[str] = set()
        for word, _ in words(self.facts[number].text, parts=False):
            info = analyze(word)
            if (
                info.place
                and info.lemma not in q.lemmas
                and self._lx.weight(word, info) > WEIGHT_GENERIC
            ):
                places.add(info.lemma)
        return len(places)

    def _names_holder(self, number: int, q: Question, details: _Details) -> bool:
        """Does a person's name follow the role asked about, before the next comma («акима
        Алматы Ерболата Досаева с …»)? Of several mentions of the role, the one nearest the
        question's other words is the one asked about. True when the role is not named."""
        positions = details.positions
        roles = sorted(
            p
            for u in q.asked
            for term, _ in q.units[u].alternatives
            for p in positions.get(term, ())
        )
        if not roles:
            return True
        others = [
            [p for term, _ in unit.alternatives for p in positions.get(term, ())]
            for u, unit in enumerate(q.units)
            if u not in q.asked and not unit.generic
        ]
        others = [o for o in others if o]
        if others:
            roles = [min(roles, key=lambda r: sum(min(abs(r - p) for p in o) for o in others))]
        text = self.facts[number].text
        found = words(text)
        for role in roles:
            after = found[role][1] + len(found[role][0])
            stop = text.find(",", after)
            for word, start in found[role + 1 : role + 1 + HOLDER_SPAN]:
                if stop != -1 and start > stop:
                    break
                if analyze(word).person and text[start : start + 1].isupper():
                    return True
        return False

    def _names_in_latin(self, number: int, q: Question) -> bool:
        """Does the fact name something in Latin letters that the question does not?"""
        text = self.facts[number].text
        if not _LATIN.search(text.lower()):
            return False
        asked = q.text.lower()
        return any(
            _LATIN.search(word) and word not in asked for word, _ in words(text, parts=False)
        )

    @staticmethod
    def _names(q: Question, units: tuple[int, ...], details: _Details) -> bool:
        """Does the sentence itself (not the one before it) carry every one of these units?"""
        positions = details.positions
        return all(any(term in positions for term, _ in q.units[u].alternatives) for u in units)

    def _reported_event(self, number: int) -> bool:
        """A sentence naming no date or period, in an article that has a date."""
        return bool(self._article_year[number] > 0 and self._fit["when"][number] == 0)

    def _choose_figure(
        self,
        number: int,
        q: Question,
        matched: dict[int, Unit],
        rarity: list[float],
        carriers: _Carriers,
        details: _Details | None = None,
    ) -> tuple[Figure | None, float]:
        """The figure in the fact that answers the question, and how well it fits its type.

        Each candidate is judged by its kind against the question type, by how close it
        stands to the question's words in the sentence (rarer words count more), by year
        agreement and by its unit («туристов» in the question, «иностранных туристов» in
        the figure).
        """
        fact = self.facts[number]
        if not fact.figures or q.kind in ("who", "where", "define") or q.which_thing:
            return None, 0.0
        details = details or self._detail(number, carriers)
        anchors: list[tuple[list[int], float]] = []
        for unit_number, unit in matched.items():
            positions = [
                p for term, _ in unit.alternatives for p in details.positions.get(term, ())
            ]
            if positions:
                weight = unit.weight * rarity[unit_number]
                if unit_number in q.measured:
                    weight *= MEASURED_ANCHOR  # «Каков охват …?»: the figure by «охват»
                anchors.append((positions, weight))
        anchor_mass = sum(w for _, w in anchors) or 1.0
        # «Сколько троп …?» may be answered in kilometres of them («350 км горных троп»), but
        # only by a length or area followed by what is counted.
        counted_at = [
            p
            for unit_number in q.focus
            if unit_number in matched
            for term, _ in q.units[unit_number].alternatives
            for p in details.positions.get(term, ())
        ]
        best: tuple[float, Figure | None, float] = (0.0, None, 0.0)
        # A date answers «когда»; other questions get an amount when the sentence has one.
        skip_times = q.kind != "when" and bool(fact.amounts)
        for figure, position in zip(fact.figures, details.figure_positions, strict=True):
            fit = _fits(q.kind, figure)
            if fit <= 0 or (skip_times and figure.kind in TIME_KINDS):
                continue
            if q.kind == "count" and figure.kind == "percent" and q.focus and _counts_things(q):
                fit = min(fit, MEASURES_OTHER)  # «сколько стран …?» is not answered by a share
            elif (
                figure.kind == "percent"
                and (
                    (q.kind == "count" and q.lemmas & _lemma_set("people.txt"))
                    or (q.kind == "percent" and q.people)
                )
                and not _people_after(fact.text, figure)
            ):
                # «Сколько человек участвовало …?», «Какая часть работающих алматинцев …?»: a
                # share of people («до 90% трудоспособного населения»), not of something else
                # («26,2% … доходов бюджета», «около 18% от общего числа субъектов»)
                fit = min(fit, MEASURES_OTHER)
            elif (
                figure.kind == "money"
                and q.flow is not None
                and _flow_before(fact.text, figure) not in (None, q.flow)
            ):
                # «Сколько вложат в горный кластер?» is not what it will bring in («принося
                # экономике города более 300 млрд тенге»)
                fit = min(fit, MEASURES_OTHER)
            elif q.kind == "count" and q.focus and not counted_at:
                # What is counted stands only in the sentence before («… с консулами. Глава
                # города отметил … 26,2%»): this sentence's figures count something else.
                fit = min(fit, MEASURES_OTHER)
            elif (
                q.kind == "count"
                and figure.kind in ("length", "area")
                and counted_at
                and not any(0 < p - position <= MEASURED_SPAN for p in counted_at)
            ):
                fit = min(fit, MEASURES_OTHER)
            closeness = sum(
                w / (1 + min(abs(position - p) for p in positions)) for positions, w in anchors
            )
            value = fit + closeness / anchor_mass
            if q.years and figure.year in q.years:
                value += 0.6
            if figure.value in q.stated:
                value -= STATED_FIGURE
            if figure.unit and _unit_lemmas(figure.unit) & q.lemmas:
                value += 0.4
            if figure.comparison == "to" and not q.years and not q.earlier:
                value += 0.3  # «с 21 тыс. … до 10 тыс.»: the newer figure is the answer
            if figure.comparison == "from" and q.earlier:
                value += 0.6  # «… раньше», «до перехода на …»: the older one
            if (
                q.kind is None
                and anchors
                and min(abs(position - p) for positions, _ in anchors for p in positions)
                > FIGURE_NEAR
            ):
                continue  # a figure of another part of the sentence (see FIGURE_NEAR)
            if value > best[0]:
                best = (value, figure, fit)
        return best[1], best[2]

    def _prefer_newest(self, results: list[_Ranked]) -> list[_Ranked]:
        """Among facts that answer the same thing equally well, the newest comes first."""
        if len(results) < 2:
            return results
        top_score, top_matched = results[0][0], results[0][4]
        same = [r for r in results if r[0] >= SAME_THING * top_score and r[4] == top_matched]
        if len(same) < 2:
            return results
        newest = max(same, key=lambda r: (int(self._date[r[1]]), r[0]))
        if newest is results[0]:
            return results
        return [newest] + [r for r in results if r is not newest]

    # -- topics and suggestions -----------------------------------------------------------

    def preceding(self, fact: Fact) -> Fact | None:
        """The sentence before, in the same article, if it is a fact of this index."""
        number = self._fact_number(fact)
        if not number:
            return None
        before = self.facts[number - 1]
        same = before.article_id == fact.article_id and before.position == fact.position - 1
        return before if same else None

    def following(self, fact: Fact) -> Fact | None:
        """The next sentence of the same article, if it is a fact of this index."""
        number = self._fact_number(fact)
        if number is None or number + 1 >= self._n:
            return None
        after = self.facts[number + 1]
        same = after.article_id == fact.article_id and after.position == fact.position + 1
        return after if same else None

    def topic_of(self, fact: Fact) -> str | None:
        """The topic a fact belongs to (data/topics.json), if any."""
        return self._topic_name(self._fact_number(fact))

    def _fact_number(self, fact: Fact) -> int | None:
        if self._number_of is None:  # built on first use: 100,000 facts make 5 MB
            self._number_of = {f.id: number for number, f in enumerate(self.facts)}
        return self._number_of.get(fact.id)

    def _topic_name(self, number: int | None) -> str | None:
        if number is None or self._topic_of[number] < 0:
            return None
        return self._topic_names[self._topic_of[number]]

    def topics(self) -> dict[str, list[Fact]]:
        """Topic → its facts, newest article first (facts with a figure before those
        without: a topic page shows figures); topics with most facts first."""
        if self._topics is None:
            # Newest article first, then in fact order; then grouped by topic.
            order = np.lexsort((np.arange(self._n), -self._date))
            by_topic: dict[str, list[int]] = {}
            for number in order[self._topic_of[order] >= 0].tolist():
                by_topic.setdefault(self._topic_names[self._topic_of[number]], []).append(number)
            ordered = sorted(by_topic.items(), key=lambda item: (-len(item[1]), item[0]))
            # Facts with a figure first (a topic page shows figures), each part newest first.
            self._topics = {
                topic: [
                    self.facts[n] for n in sorted(numbers, key=lambda n: not self.facts[n].amounts)
                ]
                for topic, numbers in ordered
            }
        return self._topics

    def _answerable(self) -> dict[str, tuple[str, ...]]:
        """Each topic's suggested questions that these facts really answer."""
        if self._suggestions is None:
            self._suggestions = {
                topic.name: tuple(q for q in topic.questions if self.match(q, limit=1))
                for topic in _topics()
            }
        return self._suggestions

    def suggestions(self, question: str = "", *, limit: int = 3) -> tuple[str, ...]:
        """Questions the facts answer: two on the topic nearest to `question`, then others."""
        answerable = self._answerable()
        order = list(self.topics())
        nearest = self._ranked(question, 1, False) if question.strip() else []
        first = self._topic_name(nearest[0][0]) if nearest else None
        asked = question.strip().lower()
        out: list[str] = []

        def offer(topic: str | None, count: int) -> None:
            for candidate in answerable.get(topic or "", ())[:count]:
                if candidate.lower() != asked and candidate not in out and len(out) < limit:
                    out.append(candidate)

        offer(first, 2)
        for topic in order:
            if topic != first:
                offer(topic, 1)
        return tuple(out)

    def examples(self, *, limit: int = 3) -> tuple[str, ...]:
        """Example questions for a newcomer: one from each of the biggest topics."""
        return self.suggestions("", limit=limit)

    # -- answers made of several facts ----------------------------------------------------

    def digest(self, question: str, *, limit: int = 5) -> list[Match]:
        """Several facts for a question about a topic or a period, best first; [] otherwise.

        «Что известно про туризм?», «туризм» → the best facts on the topic; «Какие планы до
        2030 года?» → the facts about that year. A digest needs at least two facts.
        """
        q = self.parse_question(question)
        specific = [u for u in q.units if not u.generic]
        bare_topic = q.kind is None and not q.years and not q.asks and 0 < len(specific) <= 2
        if q.kind != "digest" and not bare_topic:
            return []
        if specific:
            found = self.rank(question, limit=max(limit * 4, 20))
        else:
            # Beyond `limit` facts with an amount nothing below changes (nor len(found) >= 2).
            found = self._about_years(q.years, enough=max(limit, 2))
        if len(found) < 2:
            return []
        # Facts with a figure say more: sentences without one only fill a short digest.
        with_figure = [m for m in found if m.figure is not None]
        without = [m for m in found if m.figure is None]
        return (with_figure + without[: max(0, MIN_DIGEST - len(with_figure))])[:limit]

    def _about_years(self, years: frozenset[int], enough: int) -> list[Match]:
        """Facts with a date or period in one of `years`, in fact order, until `enough` of
        them have an amount (only the facts about those years are looked at)."""
        lists = [self._period_ids[y] for y in years if y in self._period_ids]
        numbers = np.unique(np.concatenate(lists)).tolist() if lists else []
        out = []
        with_amount = 0
        for number in numbers:
            fact = self.facts[number]
            times = [f for f in fact.figures if f.kind in TIME_KINDS and f.year in years]
            if times:
                amounts = fact.amounts
                figure = amounts[0] if amounts else None
                out.append(Match(fact, 1.0, figure, ("period", times[0].text)))
                with_amount += figure is not None
                if with_amount >= enough:
                    break
        return out


def _best(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` largest values, ties taken from the lowest positions, in order.

    Candidates are in fact order, so equal facts (the same sentence in several articles) are
    chosen by their place in the store, not by whatever `argpartition` happens to keep: the
    choice then stays the same when the candidate pass skips facts that cannot win.
    """
    kth = np.partition(values, len(values) - k)[len(values) - k]
    above = np.flatnonzero(values > kth)
    tied = np.flatnonzero(values == kth)[: k - len(above)]
    return np.sort(np.concatenate([above, tied]))


def _why(s: Scores, i: int, notes: tuple[str, ...], labels: tuple[str, ...]) -> tuple[str, ...]:
    """Matched terms and rules of a match, for debugging and eval."""
    return (
        f"coverage={s.coverage[i]:.2f}",
        f"evidence={s.evidence[i]:.2f}",
        *notes,
        *("~" + label for label in labels),
    )


def _buckets(vocabulary: Iterable[str]) -> dict[str, list[str]]:
    buckets: dict[str, list[str]] = defaultdict(list)
    # Sorted: rapidfuzz takes the first of equally close words, and a set's order changes
    # with Python's hash seed, so the same typo would be read differently from run to run.
    for word in sorted(vocabulary):
        if word:
            buckets[word[0]].append(word)
    return dict(buckets)


def _closest(word: str, buckets: dict[str, list[str]], cutoff: float) -> tuple[str, float] | None:
    """The closest word with the same first letter (rapidfuzz ratio ≥ cutoff), if any; or
    else one that differs only by two neighbouring letters swapped («услгу» → «услуг»), the
    commonest slip of the fingers, which the ratio counts as two edits (80 for five letters).
    """
    bucket = buckets.get(word[:1], ())
    best = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best:
        return best[0], best[1]
    for candidate, _, _ in process.extract(
        word, bucket, scorer=OSA.distance, score_cutoff=1, limit=8
    ):
        if Levenshtein.distance(word, candidate) == 2:  # one swap, not one changed letter
            return candidate, cutoff
        if _sounds_alike(word, candidate):
            return candidate, cutoff
    return None


# Consonants written alike by ear: «услук» for «услуг», «вопроз» for «вопрос».
_VOICING = {frozenset(pair) for pair in ("бп", "вф", "гк", "дт", "жш", "зс")}


def _sounds_alike(word: str, candidate: str) -> bool:
    """Do the words differ only in one consonant written by ear («услук» → «услуг»)?"""
    if len(word) != len(candidate):
        return False
    differ = [(a, b) for a, b in zip(word, candidate, strict=True) if a != b]
    return len(differ) == 1 and frozenset(differ[0]) in _VOICING


@lru_cache(maxsize=20_000)
def _unit_lemmas(unit: str) -> frozenset[str]:
    return frozenset(t.lemma for t in lexicon().tokens(unit) if t.weight > 0)
