"""The compact fact analysis (knowledge/terms.py) against the plain one it replaces: every
term, position, length and person flag must be what Lexicon.tokens and Lexicon.groups say.
"""

import re
from collections import Counter, defaultdict

import numpy as np

from knowledge import FactIndex
from knowledge.text import Token, analyze, is_known_word, lexicon, short_stem, stem


def _distance(a: str, b: str) -> int:
    """Edits (a letter missing, extra or wrong, two neighbours swapped) from `a` to `b`."""
    rows = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(
                rows[i - 1][j] + 1,
                rows[i][j - 1] + 1,
                rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def _typos(texts: list[str]) -> dict[str, str]:
    """Words of the texts the dictionary does not know, one edit from exactly one dictionary
    word of the texts (by lemma): that word's lemma."""
    lx = lexicon()
    content = [t for text in texts for t in lx.tokens(text) if t.weight > 0]
    vocabulary = {t.word for t in content} | {t.lemma for t in content}
    known = [v for v in vocabulary if is_known_word(v)]
    out = {}
    for token in content:
        word = token.word
        if len(word) < 6 or not re.fullmatch("[а-я]+", word) or is_known_word(word):
            continue
        meant = {analyze(v).lemma for v in known if _distance(word, v) == 1}
        if len(meant) == 1 and meant != {analyze(word).lemma}:
            out[word] = meant.pop()
    return out


def _plain(text: str, typos: dict[str, str]) -> tuple[dict[str, list[int]], int, bool]:
    """term → positions, content words and person flag, straight from the tokens."""
    lx = lexicon()
    tokens = lx.tokens(text)
    terms: dict[int, set[str]] = defaultdict(set)

    def word_terms(token: Token, position: int) -> None:
        terms[position].add("l:" + token.lemma)
        token_stem = stem(token.lemma)
        if token_stem:
            terms[position].add("s:" + token_stem)
            terms[position].add("t:" + (short_stem(token.lemma) or ""))

    for token in tokens:
        if token.weight <= 0:
            continue
        word_terms(token, token.position)
        if token.word in typos:  # and what it means: «совщание» is «совещание»
            (meant,) = lx.tokens(typos[token.word])
            word_terms(meant, token.position)
            terms[token.position].update(g for g, _, _ in lx.groups([meant]))
    positions: dict[str, list[int]] = defaultdict(list)
    for position, found in terms.items():
        for term in found:
            positions[term].append(position)
    for group, first, _last in lx.groups(tokens):
        if group not in terms[first]:
            positions[group].append(first)
    length = sum(1 for t in tokens if t.weight > 0)
    person = any(t.lemma in lx.roles for t in tokens) or any(
        t.person and text[t.start : t.start + 1].isupper() for t in tokens
    )
    return positions, length, person


def test_terms_positions_and_flags_are_those_of_the_tokens(seed_index: FactIndex) -> None:
    index = seed_index
    typos = _typos([fact.text for fact in index.facts])
    assert typos == {"совщание": "совещание", "казакстан": "казахстан"}
    for number, fact in enumerate(index.facts):
        positions, length, person = _plain(fact.text, typos)
        details = index.postings.detail(number, index.postings.carriers(positions))
        assert {t: sorted(p) for t, p in details.positions.items()} == {
            t: sorted(p) for t, p in positions.items()
        }, fact.text
        assert bool(index.postings.has_person[number]) == person, fact.text
        tokens = lexicon().tokens(fact.text)
        expected_figures = tuple(
            next((t.position for t in tokens if t.start >= f.start), len(tokens))
            for f in fact.figures
        )
        assert details.figure_positions == expected_figures, fact.text
        assert length > 0 or not positions


def test_postings_hold_each_fact_with_its_term_frequency(seed_index: FactIndex) -> None:
    index = seed_index
    expected: dict[str, list[tuple[int, int]]] = defaultdict(list)
    typos = _typos([fact.text for fact in index.facts])
    for number, fact in enumerate(index.facts):
        counts = Counter({t: len(p) for t, p in _plain(fact.text, typos)[0].items()})
        for term, count in counts.items():
            expected[term].append((number, count))
    assert set(index.postings.term_id) == set(expected)
    for term, pairs in expected.items():
        posting = index.postings.posting(term)
        assert posting is not None
        ids, _ = posting
        assert ids.tolist() == [n for n, _ in pairs], term
        assert index.postings.df[term] == len(pairs)


def test_context_holds_the_previous_sentences_terms(seed_index: FactIndex) -> None:
    index = seed_index
    facts = index.facts
    expected: dict[str, list[int]] = defaultdict(list)
    previous: set[str] = set()
    typos = _typos([fact.text for fact in facts])
    for number, fact in enumerate(facts):
        terms = set(_plain(fact.text, typos)[0])
        if number and facts[number - 1].article_id == fact.article_id:
            for term in previous - terms:
                expected[term].append(number)
        previous = terms
    for term in index.postings.term_id:
        # Only exact lemmas and synonym groups are ever looked up in the context.
        if term.startswith(("l:", "=")):
            found = index.postings.context_of(term)
            assert (found.tolist() if found is not None else []) == expected.get(term, []), term
    assert all(
        a <= b
        for a, b in zip(index.postings.posting_start, index.postings.posting_end, strict=True)
    )


def test_best_figure_fit_per_question_kind(seed_index: FactIndex) -> None:
    from knowledge.choose import fits as _fits
    from knowledge.query.parse import FIGURE_KINDS

    for kind in FIGURE_KINDS:
        plain = np.array(
            [
                max((_fits(kind, f) for f in fact.figures), default=0.0)
                for fact in seed_index.facts
            ],
            dtype=np.float32,
        )
        assert np.array_equal(seed_index.postings.fit[kind], plain), kind
