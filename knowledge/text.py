"""Russian text → terms: normalisation, tokens, lemmas (pymorphy3), synonyms and lexicons.

Everything language-specific that is a list (stop words, synonyms, Kazakh and English words,
transliteration) lives in data files under `knowledge/data/`, not in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

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
_VERB_POS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
_ENTITY_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn"})

# How much a word of each class says about what a question is about.
WEIGHT_CONTENT = 1.0  # nouns, adjectives, unknown words, Latin, numbers
WEIGHT_VERB = 0.45  # «приехало», «выделили»: mostly the glue of a question
WEIGHT_ADVERB = 0.3
WEIGHT_GENERIC = 0.25  # words of the domain that occur everywhere: «Алматы», «город»

STEM_MIN = 7  # lemmas at least this long also match on their first STEM_LEN letters
STEM_LEN = 6
SHORT_STEM_LEN = 5  # a looser stem («участвовать» ~ «участие»), a weaker match


def normalize(text: str) -> str:
    """Lower case, ё→е, Kazakh letters folded, typographic quotes and spaces made plain."""
    return text.lower().translate(_FOLD)


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@dataclass(frozen=True)
class WordInfo:
    lemma: str
    pos: str  # pymorphy3 part of speech, "NUMB", "LATN" or "UNKN"
    entity: bool  # some reading is a place, a person's name or an organisation
    person: bool  # some reading is a first name, surname or patronymic


@lru_cache(maxsize=300_000)
def analyze(word: str) -> WordInfo:
    """Lemma and class of one normalised word (cached: words repeat a lot)."""
    if word.isdigit():
        return WordInfo(word, "NUMB", False, False)
    parses = _morph().parse(word)
    best = parses[0]
    tags: set[str] = set()
    for parse in parses[:4]:
        tags |= set(str(parse.tag).replace(" ", ",").split(","))
    pos = str(best.tag.POS or str(best.tag).split(",")[0])
    if "Apro" in best.tag:  # «какой», «каков», «весь»: pronoun-like adjectives
        pos = "APRO"
    return WordInfo(
        lemma=best.normal_form.replace("ё", "е"),
        pos=pos,
        entity=bool(tags & _ENTITY_TAGS),
        person=bool(tags & {"Name", "Surn", "Patr"}),
    )


def words(text: str) -> list[tuple[str, int]]:
    """Normalised words of `text` with their offsets; hyphenated words also give their parts.

    Normalisation keeps the length of the text, so offsets point into the original.
    """
    out: list[tuple[str, int]] = []
    for found in _WORD.finditer(normalize(text)):
        raw, start = found.group(), found.start()
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


def _data_lines(name: str) -> list[str]:
    text = resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Token:
    word: str  # normalised surface form
    lemma: str
    weight: float  # how much it says about the subject; 0 for function words
    entity: bool
    person: bool
    position: int
    start: int  # offset in the original text


class Lexicon:
    """Stop words, domain-generic words and synonym groups, read from `knowledge/data/`."""

    def __init__(self) -> None:
        self.stop = frozenset(normalize(w) for w in _data_lines("stopwords.txt"))
        self.generic = frozenset(normalize(w) for w in _data_lines("generic.txt"))
        self.not_names = frozenset(normalize(w) for w in _data_lines("not_names.txt"))
        # Synonym groups: each line is one group of phrases separated by «|». A phrase is
        # matched as a sequence of lemmas (function words skipped) in facts and questions
        # alike, and both sides then carry the group's term, so either wording finds the other.
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for number, line in enumerate(_data_lines("synonyms.txt")):
            group = f"={number}"
            for phrase in line.split("|"):
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
                    weight=self._weight(word, info),
                    entity=info.entity,
                    person=info.person and info.lemma not in self.not_names,
                    position=position,
                    start=start,
                )
            )
        return out

    def _weight(self, word: str, info: WordInfo) -> float:
        if word in self.stop or info.lemma in self.stop or info.pos in _FUNCTION_POS:
            return 0.0
        if info.lemma in self.generic or word in self.generic:
            return WEIGHT_GENERIC
        if info.pos in _VERB_POS:
            return WEIGHT_VERB
        if info.pos == "ADVB":
            return WEIGHT_ADVERB
        return WEIGHT_CONTENT

    def groups(self, tokens: list[Token]) -> list[tuple[str, int, int]]:
        """Synonym-group terms found in `tokens`: (term, first position, last position)."""
        content = [t for t in tokens if t.weight > 0]
        found: list[tuple[str, int, int]] = []
        for i, token in enumerate(content):
            for lemmas, group in self.phrases.get(token.lemma, ()):
                window = content[i : i + len(lemmas)]
                if tuple(t.lemma for t in window) == lemmas:
                    found.append((group, window[0].position, window[-1].position))
                    break
        return found


@cache
def lexicon() -> Lexicon:
    """The shared lexicon (read once)."""
    return Lexicon()
