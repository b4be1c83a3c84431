"""Facts → compact arrays of words and terms, the raw material of `FactIndex`.

Each distinct word is analysed once per build (lemma, weight, the terms it carries), so
indexing a fact is a dictionary look-up per word rather than a pymorphy3 parse and a `Token`
per word; the rest is array arithmetic. What stays in memory per fact is a run of word
numbers in one shared array rather than dicts and tuples of Python objects: at 100,000
facts that is tens of seconds and hundreds of megabytes less.

The terms are those a question is matched through (see knowledge/query/parse.py):
- "l:<lemma>" for every content word;
- "s:<stem>" and "t:<short stem>" for long lemmas (derivational neighbours);
- "=<n>", a synonym group (`Lexicon.groups`), at the position of the phrase's first word.
  A one-word phrase depends on the word alone and is one of the word's terms; only phrases
  of several words are looked for in each sentence.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .facts import Fact
from .text import WEIGHT_GENERIC, Lexicon, analyze, is_known_word, short_stem, stem, words

_Phrase = tuple[tuple[str, ...], str]  # (lemmas, group term), as in Lexicon.phrases
POSTING_SLICE = 1 << 12  # facts whose (term, fact) pairs are sorted at once


@dataclass(frozen=True, slots=True)
class _Word:
    number: int
    terms: tuple[int, ...]  # term numbers a content word carries; () for function words
    readings: frozenset[str]
    person: bool  # a first name, surname or patronymic (not one of lexicon.not_names)
    role: bool  # people named by their role (data/roles.txt): «представители», «депутаты»
    place: str | None  # the lemma of a place name found not everywhere («Париж», «КНР»)
    phrases: tuple[_Phrase, ...]  # phrases of several words it may begin, longest first


@dataclass(frozen=True, slots=True, eq=False)
class FactTerms:
    """The words of every fact, and what the index needs to know about them.

    Fact i's words are `words[offsets[i]:offsets[i + 1]]` (word numbers, a token position
    each); word w carries the terms `word_terms[w]`. Phrases of several words are extra
    occurrences: fact i's are `phrase_terms[phrase_offsets[i]:…]` at `phrase_positions`.
    """

    names: tuple[str, ...]  # term number → term
    word_terms: tuple[tuple[int, ...], ...]  # word number → its term numbers
    offsets: np.ndarray  # int64, facts + 1
    words: np.ndarray  # int32: word number of each token
    phrase_offsets: np.ndarray  # int64, facts + 1
    phrase_terms: np.ndarray  # int32
    phrase_positions: np.ndarray  # int32
    figure_offsets: np.ndarray  # int64, facts + 1
    figure_positions: np.ndarray  # int32: token position of each figure in fact.figures
    lengths: np.ndarray  # float32: content words per fact
    has_person: np.ndarray  # bool: a capitalised name-like word («Дархан Сатыбалды»)
    places: np.ndarray  # uint8: how many places a fact names («Нью-Йорка, Москвы и Парижа»)
    surface: dict[str, str]  # content word → its lemma, in order of first use
    function_words: frozenset[str]  # «для», «только»: for reading Russian typed in Latin

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(offsets by term number, fact numbers, term frequencies): term t occurs in facts
        `ids[offsets[t]:offsets[t + 1]]`, in fact order, `counts[…]` times each.

        Built a slice of facts at a time, twice: once to count each term's postings, once
        to put them in place. Nothing but the result is ever as large as all the postings.
        """
        n = len(self.lengths)
        terms = len(self.names)
        fact_bits = max(n - 1, 1).bit_length()
        counts = np.array([len(t) for t in self.word_terms], dtype=np.int64)
        flat = np.fromiter(
            (t for terms_ in self.word_terms for t in terms_),
            dtype=np.int64,
            count=counts.sum(),
        )
        word_terms = (counts, flat, np.cumsum(counts) - counts)
        # A term occurs in a fact at most once per word or phrase.
        per_fact = np.diff(self.offsets) + np.diff(self.phrase_offsets)
        most = max(int(per_fact.max(initial=1)), 1)
        slices = [(a, min(a + POSTING_SLICE, n)) for a in range(0, n, POSTING_SLICE)]
        df = np.zeros(terms, dtype=np.int64)
        for a, b in slices:
            keys, _ = self._pairs(a, b, fact_bits, word_terms)
            df += np.bincount(keys >> fact_bits, minlength=terms)
        offsets = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        ids = np.empty(int(offsets[-1]), dtype=np.int32)
        tfs = np.empty(int(offsets[-1]), dtype=np.min_scalar_type(most))
        cursor = offsets[:-1].copy()
        for a, b in slices:
            # Each slice's pairs, sorted by term then fact, go after the earlier slices'.
            keys, occurrences = self._pairs(a, b, fact_bits, word_terms)
            term = keys >> fact_bits
            first = np.searchsorted(term, term)  # each pair's place within its term's run
            at = cursor[term] + (np.arange(len(term)) - first)
            ids[at] = keys & ((1 << fact_bits) - 1)
            tfs[at] = occurrences
            cursor += np.bincount(term, minlength=terms)
        return offsets, ids, tfs

    def _pairs(
        self,
        first: int,
        last: int,
        fact_bits: int,
        word_terms: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """(term << fact_bits | fact, occurrences) of each term in facts first … last - 1.
        `word_terms`: each word's number of terms, all words' terms, where each word's begin."""
        counts, flat, begin = word_terms
        words = self.words[self.offsets[first] : self.offsets[last]]
        per_token = counts[words]
        # Token k's terms are flat[begin[w] : begin[w] + per_token[k]] for its word w.
        within = np.arange(per_token.sum(), dtype=np.int64)
        within -= np.repeat(np.cumsum(per_token) - per_token, per_token)
        keys = flat[np.repeat(begin[words], per_token) + within] << fact_bits
        tokens_per_fact = np.diff(self.offsets[first : last + 1])
        keys |= np.repeat(
            np.repeat(np.arange(first, last, dtype=np.int64), tokens_per_fact), per_token
        )
        p_first, p_last = self.phrase_offsets[first], self.phrase_offsets[last]
        phrases = self.phrase_terms[p_first:p_last].astype(np.int64) << fact_bits
        phrases |= np.repeat(
            np.arange(first, last, dtype=np.int64), np.diff(self.phrase_offsets[first : last + 1])
        )
        return _unique_counts(np.concatenate([keys, phrases]))


@dataclass(frozen=True, slots=True, eq=False)
class Shared:
    """Segments of arrays, each distinct one kept once (see `share_segments`)."""

    segment_of: list[int]  # term → its segment in `offsets` (-1: an empty one)
    offsets: np.ndarray  # int64: segment k is [offsets[k]:offsets[k + 1]] of `arrays`
    arrays: list[np.ndarray]

    def span(self, term: int) -> tuple[int, int]:
        k = self.segment_of[term]
        return (0, 0) if k < 0 else (int(self.offsets[k]), int(self.offsets[k + 1]))


def share_segments(offsets: np.ndarray, arrays: Sequence[np.ndarray]) -> Shared:
    """Segments `[offsets[t]:offsets[t + 1]]` (one per term) that are equal in all `arrays`,
    kept once.

    Many terms occur in exactly the same facts the same number of times (a lemma and its
    stem, a word and its one-word synonym group): at 100,000 facts more than half of all
    postings repeat another term's.
    """
    df = np.diff(offsets).tolist()
    starts_in = offsets.tolist()
    # Candidates by length and a few sampled values, then compared in full.
    first_of: dict[tuple[object, ...], list[int]] = {}
    segment_of = [-1] * len(df)
    kept: list[int] = []
    for term, length in enumerate(df):
        if not length:
            continue
        a = starts_in[term]
        b = a + length
        key = (length, *(x[p].item() for x in arrays for p in (a, (a + b) // 2, b - 1)))
        for other in first_of.setdefault(key, []):
            c = starts_in[other]
            if all(np.array_equal(x[a:b], x[c : c + length]) for x in arrays):
                segment_of[term] = segment_of[other]
                break
        else:
            first_of[key].append(term)
            segment_of[term] = len(kept)
            kept.append(term)
    lengths = [df[t] for t in kept]
    new_offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
    shared = [np.empty(int(new_offsets[-1]), dtype=x.dtype) for x in arrays]
    for t, at in zip(kept, new_offsets[:-1].tolist(), strict=True):
        a, length = starts_in[t], df[t]
        for new, old in zip(shared, arrays, strict=True):
            new[at : at + length] = old[a : a + length]
    return Shared(segment_of, new_offsets, shared)


def context_lists(
    offsets: np.ndarray, ids: np.ndarray, same_article: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each posting list k (`ids[offsets[k]:offsets[k + 1]]`, facts ascending) with
    `wanted[k]`: the facts whose previous sentence in the same article is in the list and
    which are not in it themselves. (offsets per list, fact numbers, int32)."""
    n = len(same_article)
    lists = np.diff(offsets)
    follows = ids + 1
    carried = np.repeat(wanted, lists)
    carried &= follows < n
    carried[carried] = same_article[follows[carried]]
    # The next fact has the term itself when the list's next entry is that fact.
    has_next = np.zeros(len(ids), dtype=bool)
    has_next[:-1] = ids[1:] == follows[:-1]
    has_next[offsets[1:][lists > 0] - 1] = False  # the last entry of each list
    carried &= ~has_next
    # Context entries before each list's first entry = the list's context offset.
    context_offsets = np.searchsorted(np.flatnonzero(carried), offsets).astype(np.int64)
    return context_offsets, follows[carried].astype(np.int32)


def _unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and how often each occurs (np.unique, which is much slower
    than a sort on some NumPy versions)."""
    ordered = np.sort(keys)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


class _Words(dict[str, _Word]):
    """Word → its analysis; a word not seen before in this build is analysed on look-up."""

    def __init__(self, lx: Lexicon) -> None:
        super().__init__()
        self._lx = lx
        self.ids: dict[str, int] = {}
        self.surface: dict[str, str] = {}
        self.function_words: set[str] = set()
        self.all: list[_Word] = []
        # The forms of one word carry the same terms: one tuple for all of them.
        self._terms: dict[tuple[int, ...], tuple[int, ...]] = {}

    def term(self, term: str) -> int:
        number = self.ids.get(term)
        if number is None:
            number = self.ids[term] = len(self.ids)
        return number

    def __missing__(self, word: str) -> _Word:
        lx = self._lx
        info = analyze(word)
        weight = lx.weight(word, info)
        terms: list[int] = []
        phrases: list[_Phrase] = []
        if weight > 0:
            self.surface[word] = info.lemma
            # The dictionary form too: a typo of «система» is nearer «система» than any form
            # the facts happen to use («системы»).
            self.surface.setdefault(info.lemma, info.lemma)
            terms.append(self.term("l:" + info.lemma))
            lemma_stem = stem(info.lemma)
            if lemma_stem:
                terms.append(self.term("s:" + lemma_stem))
                terms.append(self.term("t:" + (short_stem(info.lemma) or "")))
            candidates = lx.phrases_from(info.readings)
            # A one-word phrase always matches its own word (it was found by its reading).
            single = list(dict.fromkeys(g for lemmas, g in candidates if len(lemmas) == 1))
            terms.extend(self.term(g) for g in single)
            phrases = [c for c in candidates if len(c[0]) > 1 and c[1] not in single]
        elif is_known_word(word):
            self.function_words.add(word)
        known = _Word(
            number=len(self.all),
            terms=self._terms.setdefault(tuple(terms), tuple(terms)),
            readings=info.readings,
            person=info.person and info.lemma not in lx.not_names,
            role=info.lemma in lx.roles,
            place=info.lemma if info.place and weight > WEIGHT_GENERIC else None,
            phrases=tuple(phrases),
        )
        self.all.append(known)
        self[word] = known
        return known


def fact_terms(facts: Sequence[Fact], lx: Lexicon) -> FactTerms:
    """Analyse `facts` (in this order) into `FactTerms`."""
    n = len(facts)
    known = _Words(lx)
    token_words = array("i")
    offsets = array("q", [0])
    phrase_terms = array("i")
    phrase_positions = array("i")
    phrase_offsets = array("q", [0])
    figure_positions = array("i")
    figure_offsets = array("q", [0])
    has_person = np.zeros(n, dtype=bool)
    places = np.zeros(n, dtype=np.uint8)
    for number, fact in enumerate(facts):
        found = words(fact.text)
        analysed = [known[word] for word, _ in found]
        token_words.extend([w.number for w in analysed])
        offsets.append(len(token_words))
        if any(w.role for w in analysed):
            has_person[number] = True
        elif any(w.person for w in analysed):
            text = fact.text
            has_person[number] = any(
                w.person and text[start : start + 1].isupper()
                for w, (_, start) in zip(analysed, found, strict=True)
            )
        if any(w.place for w in analysed):
            # A hyphenated word's parts follow it, inside it: «Нью-Йорка» is one place.
            whole_end = 0
            named: set[str] = set()
            for w, (word, start) in zip(analysed, found, strict=True):
                if start >= whole_end:
                    whole_end = start + len(word)
                    if w.place:
                        named.add(w.place)
            places[number] = min(len(named), 255)
        if any(w.phrases for w in analysed):
            content = [(w, p) for p, w in enumerate(analysed) if w.terms]
            groups = lx.groups_of(
                [(w.readings, p) for w, p in content], [w.phrases for w, _ in content]
            )
            for group, first, _last in groups:
                phrase_terms.append(known.term(group))
                phrase_positions.append(first)
        phrase_offsets.append(len(phrase_terms))
        if fact.figures:
            starts = [start for _, start in found]
            figure_positions.extend(bisect_left(starts, f.start) for f in fact.figures)
        figure_offsets.append(len(figure_positions))
    words_array = _array(token_words, np.uint16 if len(known.all) <= 1 << 16 else np.int32)
    offsets_array = _array(offsets, np.int64)
    # Content words per fact: a running count of them, taken at each fact's end.
    is_content = np.array([bool(w.terms) for w in known.all], dtype=bool)
    running = np.cumsum(is_content[words_array], dtype=np.int32)
    if len(running):
        ends = np.where(offsets_array > 0, running[np.maximum(offsets_array - 1, 0)], 0)
        lengths = np.diff(ends).astype(np.float32)
    else:
        lengths = np.zeros(n, dtype=np.float32)
    word_terms = _mend_typos(known)  # may add terms: before the names are taken
    return FactTerms(
        names=tuple(known.ids),
        word_terms=word_terms,
        offsets=offsets_array,
        # Word numbers in two bytes when there are few words (a tenth of the index at 100,000
        # facts): the type only has to hold them.
        words=words_array,
        phrase_offsets=_array(phrase_offsets, np.int64),
        phrase_terms=_array(phrase_terms, np.int32),
        phrase_positions=_array(phrase_positions, np.int32),
        figure_offsets=_array(figure_offsets, np.int64),
        figure_positions=_array(figure_positions, np.int32),
        lengths=lengths,
        has_person=has_person,
        places=places,
        surface=known.surface,
        function_words=frozenset(known.function_words),
    )


_CYRILLIC_WORD = re.compile(r"[а-я]+")
TYPO_MIN_LEN = 6
# Longer words are not mended: the one-typo neighbours of a word of n letters are about 66·n
# strings of n letters (n² memory: 1,000 letters took 200 MB). Russian words stay well under.
TYPO_MAX_LEN = 40
_RUSSIAN_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюя"


def _mend_typos(known: _Words) -> tuple[tuple[int, ...], ...]:
    """Terms of each word; a word of the articles that the dictionary does not know and that
    is one typo (a letter missing, extra, wrong or swapped) from exactly one dictionary word
    the articles also use («совщание» → «совещание») carries that word's terms too."""
    terms = [w.terms for w in known.all]
    vocabulary = set(known.surface) | set(known.surface.values())
    for word, entry in list(known.items()):
        if (
            not entry.terms
            or not TYPO_MIN_LEN <= len(word) <= TYPO_MAX_LEN
            or not _CYRILLIC_WORD.fullmatch(word)
            or is_known_word(word)
        ):
            continue
        meant = {
            analyze(c).lemma for c in _one_typo_away(word) if c in vocabulary and is_known_word(c)
        }
        if len(meant) == 1:
            (lemma,) = meant
            if lemma != analyze(word).lemma:
                terms[entry.number] = tuple(dict.fromkeys(entry.terms + known[lemma].terms))
    return tuple(terms)


def _one_typo_away(word: str) -> set[str]:
    """Words one letter missing, extra, wrong or swapped with its neighbour from `word`."""
    out: set[str] = set()
    for i in range(len(word) + 1):
        for letter in _RUSSIAN_LETTERS:
            out.add(word[:i] + letter + word[i:])
            if i < len(word):
                out.add(word[:i] + letter + word[i + 1 :])
        if i < len(word):
            out.add(word[:i] + word[i + 1 :])
        if i < len(word) - 1:
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    out.discard(word)
    return out


def _array(values: array[int], dtype: type[np.integer]) -> np.ndarray:
    """The values (array.array of C ints or longs) as a numpy array of `dtype`."""
    if not len(values):
        return np.zeros(0, dtype)
    own = np.int64 if values.itemsize == 8 else np.int32
    return np.frombuffer(values, dtype=own).astype(dtype)
