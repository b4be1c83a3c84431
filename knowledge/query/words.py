"""The word lists of knowledge/data/ as the question rules read them: lemma phrases, lemma
sets, the question-type table and the small named lists of question_words.txt.

Why here: the rules stay pure functions of a question's tokens, and every Russian word they
look for lives in a data file, where it can be read and changed without reading code.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from ..text import data_lines, lexicon


@cache
def word_list(name: str, file: str = "question_words.txt") -> tuple[str, ...]:
    """The words of list `name` in a data file of named lists («name: word | word»), in
    file order (data/question_words.txt unless said)."""
    return _named_lists(file)[name]


@cache
def word_set(name: str) -> frozenset[str]:
    """`word_list` as a set."""
    return frozenset(word_list(name))


@cache
def _named_lists(file: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in data_lines(file):
        name, listed = line.split(":", 1)
        table[name.strip()] = tuple(w.strip() for w in listed.split("|") if w.strip())
    return table


@cache
def question_types() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """data/question_types.txt: (kind, its phrases as lemma sequences), in file order."""
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


@cache
def question_phrases() -> dict[str, tuple[tuple[int, str, tuple[str, ...]], ...]]:
    """`question_types` by the first word of each phrase: (place in the table, kind, phrase),
    in table order."""
    out: dict[str, list[tuple[int, str, tuple[str, ...]]]] = defaultdict(list)
    order = 0
    for kind, sequences in question_types():
        for seq in sequences:
            out[seq[0]].append((order, kind, seq))
            order += 1
    return {first: tuple(entries) for first, entries in out.items()}


@cache
def lemma_phrases(name: str) -> tuple[tuple[str, ...], ...]:
    """The phrases of a data file (one a line, «#» comments) as lemma sequences."""
    lx = lexicon()
    phrases = [tuple(t.lemma for t in lx.tokens(line)) for line in data_lines(name)]
    return tuple(p for p in phrases if p)


@cache
def lemma_set(*names: str) -> frozenset[str]:
    """Every lemma of the phrases of these data files."""
    return frozenset(lemma for name in names for phrase in lemma_phrases(name) for lemma in phrase)


def find_phrase(lemmas: list[str], name: str) -> tuple[int, int] | None:
    """(position, length) of the first phrase of data file `name` found in `lemmas`."""
    for phrase in lemma_phrases(name):
        n = len(phrase)
        for i in range(len(lemmas) - n + 1):
            if tuple(lemmas[i : i + n]) == phrase:
                return i, n
    return None
