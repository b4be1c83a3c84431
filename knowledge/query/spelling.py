"""The question in the words the facts use: English and Kazakh through their lexicons,
Russian typed in Latin letters through a Latin spelling of the vocabulary, typos through the
closest word of the same first letter.

A `Speller` is built with the index (it needs the facts' vocabulary) and never changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import lru_cache, partial

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from ..text import Lexicon, Token, analyze, is_known_word, stem, words
from ..translate import KAZAKH_ENDINGS, cyrillic_from_latin, latin_key, translator
from .channels import CHANNEL_FUZZY, CHANNEL_STEM
from .words import question_types

FUZZY_CUTOFF = 82  # rapidfuzz ratio; below it a word is unknown rather than a typo
FUZZY_MIN_LEN = 5
CLOSEST_CACHE = 4096  # words remembered per look-up table (see Speller._closest)
LATIN_CUTOFF = 84  # rapidfuzz ratio between Latin spellings of a word
LATIN = re.compile(r"[a-z]")
_ENGLISH_SOFT_C = re.compile(r"c(?=[eiy])")
_ENGLISH_FINAL_Y = re.compile(r"(?<=[^aeiou])y$")


class Speller:
    """Spelling look-ups over the facts' vocabulary (`surface`: normalised word → lemma)."""

    def __init__(
        self,
        surface: Mapping[str, str],
        function_words: Collection[str],
        terms: Collection[str],
        lx: Lexicon,
    ) -> None:
        self._surface = surface
        self._terms = terms  # every index term: «l:» + lemma is a word the facts use
        self._lx = lx
        # Words for typo look-ups, by first letter: typos rarely change the first letter,
        # and a bucket is a small fraction of the vocabulary.
        question_words = {w for _, seqs in question_types() for seq in seqs for w in seq}
        # (The lexicon's and question words are kept apart from the facts': a set of all of
        # them would copy the facts' 100,000 words, ~4 MB.)
        self._spelling_extra = frozenset({*lx.known_words, *question_words} - self._surface.keys())
        spelling = {*self._surface, *self._spelling_extra}
        self._vocabulary = buckets(self._surface)
        self._spelling_buckets = buckets(spelling)
        # Russian typed in Latin letters meets the vocabulary through one plain spelling.
        self._latin: dict[str, str] = {}
        for word in sorted(spelling | set(function_words)):
            if not LATIN.search(word):
                self._latin.setdefault(latin_key(word), word)
        del spelling
        self._latin_buckets = buckets(self._latin)
        # …and names the facts write in Latin letters meet their Cyrillic spelling
        # («Туркистан» → «Turkistan», «Фараби» → «Farabi»).
        self._latin_words: dict[str, str] = {}
        for word in sorted(self._surface):
            if LATIN.search(word) and len(word) >= FUZZY_MIN_LEN - 1:
                self._latin_words.setdefault(latin_key(word), word)
        self._latin_word_buckets = buckets(self._latin_words)
        # The closest word of a bucket, remembered: a look-up reads a whole bucket (thousands
        # of words at 100,000 facts), and the same unknown words come back in many questions
        # («сколько» is not a word of the facts, «погода» not a word of the city's plans).
        self._closest: dict[str, Callable[[str], tuple[str, float] | None]] = {
            name: lru_cache(maxsize=CLOSEST_CACHE)(partial(closest, buckets=table, cutoff=cut))
            for name, table, cut in (
                ("spelling", self._spelling_buckets, FUZZY_CUTOFF),
                ("vocabulary", self._vocabulary, FUZZY_CUTOFF),
                ("latin", self._latin_buckets, LATIN_CUTOFF),
                ("latin words", self._latin_word_buckets, LATIN_CUTOFF),
            )
        }

    def to_russian(self, question: str) -> str:
        """The question in Russian words: English and Kazakh through their lexicons, Russian
        typed in Latin letters through the Latin spelling of the vocabulary."""
        tokens = [w for w, _ in words(question, parts=False)]
        tr = translator()
        if tr.is_english(tokens):
            # Words the glossary lacks may be names the facts write in Cyrillic («Dosayev»).
            return " ".join(
                (self._fact_word_in_latin(w) or w)
                if LATIN.search(w) and w not in self._surface
                else w
                for w in tr.english_to_russian(tokens)
            )
        if tr.is_kazakh(question, tokens):
            return " ".join(self._without_kazakh_ending(w) for w in tr.kazakh_to_russian(tokens))
        if any(LATIN.search(t) and t not in self._surface for t in tokens):
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
                and "l:" + analyze(word).lemma not in self._terms
            ):
                word, corrected = " ".join(parts), True
            elif (
                len(word) >= FUZZY_MIN_LEN - 1
                and word not in self._surface
                and not LATIN.search(word)
                and (latin := self._latin_word(word)) is not None
            ):
                word, corrected = latin, True
            elif (
                len(word) >= FUZZY_MIN_LEN - 1
                and word not in self._surface
                and word not in self._spelling_extra
                and not LATIN.search(word)
                and not is_known_word(word)
            ):
                best = self._closest["spelling"](word)
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
        return "l:" + lemma in self._terms or lemma in self._lx.phrases

    def _latin_word(self, word: str) -> str | None:
        """The facts' Latin-letter word that this Cyrillic word spells, if any."""
        key = latin_key(word)
        if key in self._latin_words:
            return self._latin_words[key]
        best = self._closest["latin words"](key)
        return self._latin_words[best[0]] if best is not None else None

    def _from_latin(self, word: str) -> str:
        if not LATIN.search(word) or word in self._surface:
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
                best = self._closest["latin"](key)
                if best is not None:
                    return self._latin[best[0]]
        return None

    def typo_alternatives(self, token: Token) -> list[tuple[str, float]]:
        best = self._closest["vocabulary"](token.word)
        if best is None:
            return []
        lemma = self._surface[best[0]]
        similarity = best[1] / 100
        out = [("l:" + lemma, CHANNEL_FUZZY * similarity)]
        lemma_stem = stem(lemma)
        if lemma_stem:
            out.append(("s:" + lemma_stem, CHANNEL_STEM * similarity))
        return out


# Letters in this many bins (code point mod BINS: the Cyrillic and the Latin alphabets
# each fall in bins of their own), a bit each, for the bound in `closest`.
BINS = 64


class Bucket:
    """The words of one first letter (sorted), with their lengths and the letters they use
    (a bit per bin)."""

    __slots__ = ("lengths", "letters", "words")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.lengths = np.array([len(w) for w in words], dtype=np.int32)
        self.letters = _letters(words)

    def reaching(self, word: str, cutoff: float) -> list[str]:
        """The words, in order, whose ratio to `word` may reach `cutoff`: the ratio is
        1 − edits / (n + m) in insertions and deletions, and there are no fewer edits than
        the lengths differ by, nor than the bins of letters one word uses and the other not."""
        most = (1 - cutoff / 100) * (len(word) + self.lengths) + 1e-9
        return self._within(word, most, most)

    def one_edit(self, word: str) -> list[str]:
        """The words, in order, that one edit (OSA: a letter inserted, deleted, changed or
        two swapped) may make `word`: a length one apart and two bins of letters at most."""
        return self._within(word, 1, 2)

    def _within(
        self, word: str, lengths: np.ndarray | float, bins: np.ndarray | float
    ) -> list[str]:
        apart = np.abs(self.lengths - len(word))
        differ = np.bitwise_count(self.letters ^ _letters([word])[0])
        at = np.flatnonzero((apart <= lengths) & (differ <= bins))
        return [self.words[i] for i in at.tolist()]


def _letters(words: list[str]) -> np.ndarray:
    """Per word (none empty), a bit for each bin its letters fall in."""
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
    bits = np.left_shift(np.uint64(1), (codes % BINS).astype(np.uint64))
    starts = np.cumsum([0] + [len(w) for w in words[:-1]])
    return np.bitwise_or.reduceat(bits, starts)


def buckets(vocabulary: Iterable[str]) -> dict[str, Bucket]:
    by_letter: dict[str, list[str]] = defaultdict(list)
    # Sorted: rapidfuzz takes the first of equally close words, and a set's order changes
    # with Python's hash seed, so the same typo would be read differently from run to run.
    for word in sorted(vocabulary):
        if word:
            by_letter[word[0]].append(word)
    return {letter: Bucket(words) for letter, words in by_letter.items()}


def closest(word: str, buckets: dict[str, Bucket], cutoff: float) -> tuple[str, float] | None:
    """The closest word with the same first letter (rapidfuzz ratio ≥ cutoff), if any; or
    else one that differs only by two neighbouring letters swapped («услгу» → «услуг»), the
    commonest slip of the fingers, which the ratio counts as two edits (80 for five letters).

    Only the words that can reach the cutoff are compared (`Bucket.reaching`: at 100,000
    facts a letter's bucket holds thousands). The words left keep their order, so the first
    of equally close words is the same as over the whole bucket.
    """
    bucket = buckets.get(word[:1])
    if bucket is None:
        return None
    reach = bucket.reaching(word, cutoff)
    best = process.extractOne(word, reach, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best:
        return best[0], best[1]
    near = bucket.one_edit(word)
    for candidate, _, _ in process.extract(
        word, near, scorer=OSA.distance, score_cutoff=1, limit=8
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
