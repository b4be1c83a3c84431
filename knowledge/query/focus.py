"""Which words of a question say what it is about, as pure functions of its tokens.

What a «сколько» question counts, which thing a «какой» asks, the role a «кто» asks about,
the amount a «каков» measures, the years it asks about as a whole, which way money goes:
positions in the token list, turned into units by knowledge/query/parse.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..text import (
    VERB_POS,
    WEIGHT_GENERIC,
    Token,
    analyze,
    is_known_word,
    normalize,
    words,
)
from ..translate import KAZAKH_ENDINGS
from ..years import YEAR_TOKEN
from .classify import ADJECTIVES, names_a_thing, which_nouns
from .words import find_phrase, lemma_set, word_set


def measured_noun(tokens: list[Token]) -> set[int]:
    """«Каков охват …?», «какой объём …?»: the position of the amount asked about."""
    for i, token in enumerate(tokens[:-1]):
        if token.lemma in word_set("which_amount"):
            following = tokens[i + 1]
            if analyze(following.word).readings & lemma_set("quantities.txt"):
                return {following.position}
    return set()


def which_noun(tokens: list[Token]) -> set[int]:
    """Position of the thing a «какой» asks about («какой газете», «какие консулы»)."""
    for _, noun in which_nouns(tokens):
        if noun is not None and names_a_thing(noun) and noun.weight > WEIGHT_GENERIC:
            return {noun.position}
    return set()


def who_noun(tokens: list[Token]) -> set[int]:
    """Position of the role a «кто» asks about: «Кто был акимом …?», «Кто сейчас аким?»."""
    asks = [t for t in tokens if t.lemma in word_set("who") or t.word in word_set("who_names")]
    # «Кто был акимом …?», «Как зовут … консула?»; else «Какой аким …?»
    for token in asks or [t for t in tokens if t.lemma in word_set("which")]:
        i = token.position
        for following in tokens[i + 1 :]:
            info = analyze(following.word)
            if following.lemma in word_set("who_links") or info.pos in ADJECTIVES:
                continue
            return {following.position} if info.pos == "NOUN" else set()
    return set()


# Verbs whose noun says what was done («провести встречу», «сделать заявление»).


def asks_whole_year(lemmas: list[str]) -> bool:
    """«За весь 2025 год», «по итогам 2025 года» (data/whole_year.txt)."""
    without_years = [lemma for lemma in lemmas if not YEAR_TOKEN.match(lemma)]
    return find_phrase(without_years, "whole_year.txt") is not None


def kazakh_leftover(token: Token) -> bool:
    """In a Kazakh question, a word the lexicon does not translate is no Russian name,
    whatever pymorphy3 guesses from its ending («жүзеге», «елдегі»): it gets no unknown-name
    boost."""
    return not is_known_word(token.word)


def kazakh_place(question: str, token: Token) -> bool:
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


def named(question: str, word: str) -> bool:
    """Is `word` written with a capital letter inside the question (a name, as the asker
    sees it)? The first word is capitalised anyway."""
    return any(
        w == word and question[start].isupper() for w, start in words(question, parts=False)[1:]
    )


def earlier_words(lemmas: list[str]) -> frozenset[int]:
    """Positions of words asking about the time before a change («раньше», «до перехода»).
    Like question words, they say which figure to give, not what the question is about."""
    found = find_phrase(lemmas, "earlier.txt")
    if found is None:
        return frozenset()
    i, n = found
    return frozenset(range(i, i + n)) if n == 1 else frozenset({i})


def counted(tokens: list[Token], kind: str | None, kind_positions: frozenset[int]) -> set[int]:
    """Positions of what a «сколько» question counts: the first noun after the question
    words with the adjectives before it («сколько иностранных туристов»). Units of measure
    («сколько гектаров», «сколько человек») name no thing and count as nothing."""
    if not kind_positions:
        return set()
    # «Сколько стоит билет …?»: what is priced, as what is counted.
    priced = kind == "money" and tokens[max(kind_positions)].lemma in word_set("price")
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
            if adjectives and token.word not in word_set("conjunctions"):
                break  # the adjectives describe no noun of this phrase
            after_preposition = pos == "PREP" or (after_preposition and pos in ADJECTIVES)
            continue
        if pos in ADJECTIVES:
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
        and token.lemma not in lemma_set("measures.txt")
        and not YEAR_TOKEN.match(token.word)
    )


def flow_of(lemmas: Iterable[str]) -> str | None:
    """«spend» or «earn», when the words say one way only (data/money_spent.txt,
    money_earned.txt)."""
    said = set(lemmas)
    spent = bool(said & lemma_set("money_spent.txt"))
    earned = bool(said & lemma_set("money_earned.txt"))
    if spent == earned:
        return None
    return "spend" if spent else "earn"


def asks_amount(tokens: list[Token], kind_positions: frozenset[int]) -> bool:
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
        if token.weight <= WEIGHT_GENERIC or YEAR_TOKEN.match(token.word):
            continue
        return analyze(token.word).pos in VERB_POS
    before = tokens[: min(kind_positions)]
    # «на образование сколько?»: what the amount is for, not what is counted.
    if before and before[0].word in word_set("purpose_prepositions"):
        return True
    return not any(t.weight > WEIGHT_GENERIC for t in before)
