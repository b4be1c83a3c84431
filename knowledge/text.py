"""Russian text → terms: normalisation, tokens, lemmas (pymorphy3), synonyms and lexicons.

Everything language-specific that is a list of words (stop words, synonyms, Kazakh and
English words) lives in data files under `knowledge/data/`, not in code; letter tables (the
transliteration in translate.py, the alphabet classes) are code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache, lru_cache, update_wrapper
from importlib import resources
from typing import TypeVar

import pymorphy3

# ъ and ь are folded together: «обьем», «субьект» are how people type them.
# Kazakh letters folded to the Russian ones they sound closest to, so «Қазақстан» meets
# «Казахстан» halfway (the rest is the lexicon's job) and Kazakh words can be looked up.
_FOLD = str.maketrans(
    {
        "ё": "е",
        "қ": "к",
        "ғ": "г",
        "ң": "н",
        "ү": "у",
        "ұ": "у",
        "һ": "х",
        "і": "и",
        "ә": "а",
        "ө": "о",
        "«": '"',
        "»": '"',
        "\u00a0": " ",
    }
)

# A word: letters/digits, joined by inner hyphens, slashes or dots-in-numbers («24/7», «1,9»
# is two tokens on purpose: figures are parsed elsewhere).
_WORD = re.compile(r"[0-9a-zа-я]+(?:[-/][0-9a-zа-я]+)*")

# Parts of speech that carry no subject matter (pymorphy3 tags).
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED", "NUMR", "APRO"})
VERB_POS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
_ENTITY_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn"})

# How much a word of each class says about what a question is about.
WEIGHT_CONTENT = 1.0  # nouns, adjectives, unknown words, Latin, numbers
WEIGHT_VERB = 0.45  # «приехало», «выделили»: mostly the glue of a question
WEIGHT_ADVERB = 0.3
WEIGHT_GENERIC = 0.25  # words of the domain that occur everywhere: «Алматы», «город»

STEM_MIN = 7  # lemmas at least this long also match on their first STEM_LEN letters
STEM_LEN = 6
COMPOUND_NAMED_REST = 6  # see `Lexicon.split_compound`
COMPOUND_REST_MIN = 4  # «госпрограмма» → «программа»; «медведь» is not «мед» + «ведь» (a particle)
SHORT_STEM_LEN = 5  # a looser stem («участвовать» ~ «участие»), a weaker match


# str.translate looks every character up in a dict; a `replace` per letter that occurs is
# several times faster on Cyrillic text (no output letter is itself folded again).
_FOLD_PAIRS = tuple((chr(code), str(plain)) for code, plain in _FOLD.items())


# Characters that only break search and storage: zero-width space, non-joiner and joiner, word
# joiner, BOM (zero-width no-break space), soft hyphen; and NUL, which PostgreSQL refuses.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text from outside (questions, uploads, anything stored): invisible characters and NUL
    removed, a lone UTF-16 surrogate (no valid text has one; SQLite cannot encode it) made
    U+FFFD; a pair of halves that belong together becomes the character they make."""
    text = _INVISIBLE_RE.sub("", text)
    if _SURROGATE_RE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def normalize(text: str) -> str:
    """Lower case, ё→е, Kazakh letters folded, typographic quotes and spaces made plain."""
    text = text.lower()
    for letter, plain in _FOLD_PAIRS:
        if letter in text:
            text = text.replace(letter, plain)
    return text


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


_SOFT_FOR_HARD = re.compile(r"(?<=[бвдзнстф])ь(?=[еёюя])")


@dataclass(frozen=True, slots=True)
class WordInfo:
    lemma: str
    readings: frozenset[str]  # every plausible lemma, for phrase look-ups
    pos: str  # pymorphy3 part of speech, "NUMB", "LATN" or "UNKN"
    entity: bool  # some reading is a place, a person's name or an organisation
    person: bool  # some reading is a first name, surname or patronymic
    place: bool = False  # some reading is a place name
    past: bool = False  # «встречался», «была»: the likeliest reading is a past-tense verb
    plural: bool = False  # «стран», «консулов»: the likeliest reading is a plural noun


ANALYZE_CACHE = 300_000  # words

_T = TypeVar("_T")


def _word_cache(maxsize: int) -> Callable[[Callable[[str], _T]], Callable[[str], _T]]:
    """`lru_cache(maxsize)` for a function of one word, in a plain dict that forgets its
    oldest entry when full. An lru_cache entry costs ~110 bytes, a dict's ~40: at 100,000
    facts of news the index build leaves ~105,000 analysed words and ~98,000 dictionary
    look-ups cached (the words questions use), ~14 MB less this way."""

    def wrap(function: Callable[[str], _T]) -> Callable[[str], _T]:
        table: dict[str, _T] = {}
        missing = object()

        def cached(word: str) -> _T:
            value = table.get(word, missing)
            if value is missing:
                value = function(word)
                if len(table) >= maxsize:
                    with suppress(KeyError, RuntimeError, StopIteration):  # other threads
                        del table[next(iter(table))]
                table[word] = value
            return value  # type: ignore[return-value]

        return update_wrapper(cached, function)

    return wrap


@_word_cache(ANALYZE_CACHE)
def analyze(word: str) -> WordInfo:
    """Lemma and class of one normalised word (cached: words repeat a lot)."""
    if word.isdigit():
        return WordInfo(word, frozenset({word}), "NUMB", False, False)
    # «обьем», «субьект»: ь typed for ъ is among the most common misspellings.
    if "ь" in word and not _morph().word_is_known(word):
        hard = _SOFT_FOR_HARD.sub("ъ", word)
        if hard != word and _morph().word_is_known(hard):
            word = hard
    parses = _morph().parse(word)
    best = parses[0]
    tags: set[str] = set()
    for parse in parses[:4]:
        if parse is best or parse.score >= 0.05:
            tags |= set(str(parse.tag).replace(" ", ",").split(","))
    pos = sys.intern(str(best.tag.POS or str(best.tag).split(",")[0]))
    if "Apro" in best.tag:  # «какой», «каков», «весь»: pronoun-like adjectives
        pos = "APRO"
    elif "Anum" in best.tag:  # «первые три квартала», «второй этап»: ordinal numbers
        pos = "ANUM"
    lemma = best.normal_form
    # «малого», «среднего»: pymorphy3 prefers the nouns «малое», «среднее» for some forms and
    # the adjectives for others; one lemma for all forms needs the adjective reading.
    if best.tag.POS == "NOUN" and lemma.endswith(_adjective_endings()):
        adjective = next((p for p in parses if p.tag.POS == "ADJF" and p.score >= 0.05), None)
        if adjective is not None:
            lemma, pos = adjective.normal_form, "ADJF"
    readings = {p.normal_form.replace("ё", "е") for p in parses[:4] if p.score >= 0.05}
    return _shared(
        WordInfo(
            lemma=lemma.replace("ё", "е"),
            readings=frozenset(readings | {lemma.replace("ё", "е")}),
            pos=pos,
            entity=bool(tags & _ENTITY_TAGS),
            person=bool(tags & {"Name", "Surn", "Patr"}),
            place="Geox" in tags,
            past=best.tag.POS == "VERB" and best.tag.tense == "past",
            plural=best.tag.POS == "NOUN" and best.tag.number == "plur",
        )
    )


# Analyses of the forms of one word are mostly equal («система», «системы», «системе»):
# `analyze` keeps each distinct one once (at 100,000 facts of news, 105,000 cached words
# share about a third as many analyses: tens of MB). Bounded like the cache it serves.
_SHARED_INFOS: dict[WordInfo, WordInfo] = {}


def _shared(info: WordInfo) -> WordInfo:
    shared = _SHARED_INFOS.get(info)
    if shared is not None:
        return shared
    if len(_SHARED_INFOS) >= ANALYZE_CACHE:
        _SHARED_INFOS.clear()
    _SHARED_INFOS[info] = info
    return info


@_word_cache(100_000)
def is_known_word(word: str) -> bool:
    """Is the word in the Russian dictionary (not merely guessed by pymorphy3)?"""
    return bool(_morph().word_is_known(word))


def words(text: str, *, parts: bool = True) -> list[tuple[str, int]]:
    """Normalised words of `text` with their offsets; hyphenated words also give their parts.

    Normalisation keeps the length of the text, so offsets point into the original.
    """
    normal = normalize(text)
    found = [(m.group(), m.start()) for m in _WORD.finditer(normal)]
    if not parts or "-" not in normal:
        return found
    out: list[tuple[str, int]] = []
    for raw, start in found:
        out.append((raw, start))
        if "-" in raw and not raw.replace("-", "").isdigit():
            offset = start
            for part in raw.split("-"):
                if part:
                    out.append((part, offset))
                offset += len(part) + 1
    return out


def stem(lemma: str) -> str | None:
    """A crude derivational stem: «образование»/«образовательный» → «образо»."""
    if len(lemma) >= STEM_MIN and lemma.isalpha():
        return lemma[:STEM_LEN]
    return None


def short_stem(lemma: str) -> str | None:
    """A looser stem for longer words: «участвовать»/«участие» → «участ»."""
    if len(lemma) >= STEM_MIN and lemma.isalpha():
        return lemma[:SHORT_STEM_LEN]
    return None


def data_lines(name: str) -> list[str]:
    """The lines of data file `knowledge/data/<name>`, «#» comments and blank lines left out."""
    text = resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def data_table(name: str) -> list[tuple[str, ...]]:
    """The lines of data file `name` split at «|»: one row of cells a line."""
    return [tuple(cell.strip() for cell in line.split("|")) for line in data_lines(name)]


@cache
def data_lists(name: str) -> dict[str, tuple[str, ...]]:
    """Data file `name` of «list name: a | b | …» lines, as list name → its items in order."""
    lists: dict[str, tuple[str, ...]] = {}
    for line in data_lines(name):
        key, _, items = line.partition(":")
        lists[key.strip()] = tuple(item.strip() for item in items.split("|") if item.strip())
    return lists


@cache
def _adjective_endings() -> tuple[str, ...]:
    """data/adjective_endings.txt: how an adjective's dictionary form ends."""
    return tuple(data_lines("adjective_endings.txt"))


@cache
def months() -> tuple[tuple[str, ...], ...]:
    """data/months.txt: per month in order, (genitive, short form, stem)."""
    return tuple(data_table("months.txt"))


@dataclass(frozen=True)
class Token:
    word: str  # normalised surface form
    lemma: str
    readings: frozenset[str]  # every plausible lemma
    weight: float  # how much it says about the subject; 0 for function words
    entity: bool
    person: bool
    position: int
    start: int  # offset in the original text


class Lexicon:
    """Stop words, domain-generic words and synonym groups, read from `knowledge/data/`."""

    def __init__(self) -> None:
        self.stop = frozenset(normalize(w) for w in data_lines("stopwords.txt"))
        self.generic = frozenset(normalize(w) for w in data_lines("generic.txt"))
        self.not_names = frozenset(normalize(w) for w in data_lines("not_names.txt"))
        # month lemma («январь», «январский») → its number
        self.months = {
            normalize(word): number
            for number, line in enumerate(data_lines("calendar.txt"), start=1)
            for word in line.split()
        }
        self.calendar = frozenset(self.months)
        self.roles = frozenset(normalize(w) for w in data_lines("roles.txt"))
        self.prepositions: dict[str, list[tuple[str, ...]]] = {}
        for line in data_lines("prepositions.txt"):
            preposition = tuple(normalize(line).split())
            self.prepositions.setdefault(preposition[0], []).append(preposition)
        # Longest beginning first: «техно» before «тех».
        pairs = [tuple(line.split()) for line in data_lines("compounds.txt")]
        self.compounds = tuple(sorted(((b, a) for b, a in pairs), key=lambda p: -len(p[0])))
        # A cheap first look: every beginning has at least three letters.
        if any(len(b) < 3 for b, _ in self.compounds):
            raise ValueError("compounds.txt: a beginning shorter than three letters")
        self._compound_starts = frozenset(b[:3] for b, _ in self.compounds)
        # Every Russian word the lexicon itself knows, for reading Russian typed in Latin.
        self.known_words: set[str] = set(self.stop) | set(self.generic)
        # Synonym groups: each line is one group of phrases separated by «|». A phrase is
        # matched as a sequence of lemmas (function words skipped) in facts and questions
        # alike, and both sides then carry the group's term, so either wording finds the other.
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for number, line in enumerate(data_lines("synonyms.txt")):
            group = f"={number}"
            for phrase in line.split("|"):
                self.known_words.update(w for w, _ in words(phrase))
                lemmas = tuple(t.lemma for t in self.tokens(phrase) if t.weight > 0)
                if lemmas:
                    self.phrases.setdefault(lemmas[0], []).append((lemmas, group))
        for candidates in self.phrases.values():
            candidates.sort(key=lambda c: -len(c[0]))  # longest phrase first

    def tokens(self, text: str) -> list[Token]:
        """Tokens of `text` with lemma and weight (function and stop words weigh 0)."""
        out = []
        for position, (word, start) in enumerate(words(text)):
            info = analyze(word)
            out.append(
                Token(
                    word=word,
                    lemma=info.lemma,
                    readings=info.readings,
                    weight=self.weight(word, info),
                    entity=info.entity,
                    person=info.person and info.lemma not in self.not_names,
                    position=position,
                    start=start,
                )
            )
        self._weigh_prepositions(out)
        return out

    def _weigh_prepositions(self, tokens: list[Token]) -> None:
        """«в связи с», «в рамках»: the noun of a several-word preposition weighs as an adverb."""
        words_ = [t.word for t in tokens]
        for first, word in enumerate(words_):
            for phrase in self.prepositions.get(word, ()):
                if tuple(words_[first : first + len(phrase)]) == phrase:
                    for position in range(first, first + len(phrase)):
                        token = tokens[position]
                        if token.weight > WEIGHT_ADVERB:
                            tokens[position] = replace(token, weight=WEIGHT_ADVERB)

    def weight(self, word: str, info: WordInfo) -> float:
        """How much a word says about the subject (see the WEIGHT_* constants)."""
        if word in self.stop or info.lemma in self.stop or info.pos in _FUNCTION_POS:
            return 0.0
        if info.lemma in self.generic or word in self.generic:
            return WEIGHT_GENERIC
        if info.pos in VERB_POS:
            if not is_known_word(word) and any(
                lemmas == (info.lemma,) for lemmas, _ in self.phrases.get(info.lemma, ())
            ):
                return WEIGHT_CONTENT  # «айти»: a word of the synonym table that pymorphy3
                # only guesses, from an ending like a verb's («идти»)
            return WEIGHT_VERB
        if info.pos in ("ADVB", "ANUM", "COMP") or info.lemma in self.calendar:  # how, which, when
            return WEIGHT_ADVERB
        return WEIGHT_CONTENT

    def split_compound(self, word: str) -> tuple[str, str] | None:
        """«инвестпроектов» → («инвестиционный», «проектов»): a stump compound (data/compounds.txt)
        as the adjective and the noun it is made of; None for any other word."""
        if word[:3] not in self._compound_starts:
            return None
        for beginning, adjective in self.compounds:
            rest = word[len(beginning) :]
            if (
                word.startswith(beginning)
                and len(rest) >= COMPOUND_REST_MIN
                and is_known_word(rest)
                and analyze(rest).pos == "NOUN"
            ):
                # «Горохов», «Обломов»: a name, not a compound — unless the rest is a long
                # word of its own («медобъектов»: pymorphy3 guesses a surname from «-ов»)
                if analyze(word).entity and len(rest) < COMPOUND_NAMED_REST:
                    return None
                return adjective, rest
        return None

    def word_groups(self, lemma: str) -> frozenset[str]:
        """The synonym groups that list this lemma as a phrase of its own."""
        return frozenset(g for lemmas, g in self.phrases.get(lemma, ()) if lemmas == (lemma,))

    def groups(self, tokens: list[Token]) -> list[tuple[str, int, int]]:
        """Synonym-group terms found in `tokens`: (term, first position, last position)."""
        return self.groups_of([(t.readings, t.position) for t in tokens if t.weight > 0])

    def phrases_from(self, readings: frozenset[str]) -> list[tuple[tuple[str, ...], str]]:
        """Synonym phrases a word with these readings may begin, longest first."""
        candidates = [c for r in readings for c in self.phrases.get(r, ())]
        candidates.sort(key=lambda c: -len(c[0]))
        return candidates

    def groups_of(
        self,
        content: Sequence[tuple[frozenset[str], int]],
        starts: Sequence[Sequence[tuple[tuple[str, ...], str]]] | None = None,
    ) -> list[tuple[str, int, int]]:
        """`groups` over the content words only, as (readings, position); `starts`, if
        given, holds `phrases_from` of each (the indexer computes it once per word)."""
        found: list[tuple[str, int, int]] = []
        for i, (readings, _) in enumerate(content):
            candidates = starts[i] if starts is not None else self.phrases_from(readings)
            if not candidates:
                continue
            seen: set[str] = set()
            # A word may belong to several groups («работать»: employment and «functioning»).
            for lemmas, group in candidates:
                window = content[i : i + len(lemmas)]
                if (
                    group not in seen
                    and len(window) == len(lemmas)
                    and all(lemma in w[0] for lemma, w in zip(lemmas, window, strict=True))
                ):
                    seen.add(group)
                    found.append((group, window[0][1], window[-1][1]))
        return found


@cache
def lexicon() -> Lexicon:
    """The shared lexicon (read once)."""
    return Lexicon()


@lru_cache(maxsize=4_096)
def agree_with_number(word: str, count: int) -> str:
    """«статья», 5 → «статей»: the noun in the form a count asks for (pymorphy3's
    make_agree_with_number); a word the dictionary cannot inflect is kept."""
    parses = _morph().parse(word)
    # «раз» is also the genitive plural of «раза»: the word as given is a nominative.
    parse = next((p for p in parses if {"NOUN", "nomn", "sing"} in p.tag), parses[0])
    agreed = parse.make_agree_with_number(abs(count))
    return agreed.word if agreed is not None else word
