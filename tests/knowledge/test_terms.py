"""The compact fact analysis (knowledge/terms.py) against the plain one it replaces: every
term, position, length and person flag must be what Lexicon.tokens and Lexicon.groups say.
"""

from collections import Counter, defaultdict

import numpy as np

from knowledge import FactIndex
from knowledge.text import lexicon, short_stem, stem


def _plain(text: str) -> tuple[dict[str, list[int]], int, bool]:
    """term → positions, content words and person flag, straight from the tokens."""
    lx = lexicon()
    tokens = lx.tokens(text)
    positions: dict[str, list[int]] = defaultdict(list)
    for token in tokens:
        if token.weight <= 0:
            continue
        positions["l:" + token.lemma].append(token.position)
        token_stem = stem(token.lemma)
        if token_stem:
            positions["s:" + token_stem].append(token.position)
            positions["t:" + (short_stem(token.lemma) or "")].append(token.position)
    for group, first, _last in lx.groups(tokens):
        positions[group].append(first)
    length = sum(1 for t in tokens if t.weight > 0)
    person = any(t.lemma in lx.roles for t in tokens) or any(
        t.person and text[t.start : t.start + 1].isupper() for t in tokens
    )
    return positions, length, person


def test_terms_positions_and_flags_are_those_of_the_tokens(seed_index: FactIndex) -> None:
    index = seed_index
    for number, fact in enumerate(index.facts):
        positions, length, person = _plain(fact.text)
        details = index._detail(number, index._carriers(positions))
        assert {t: sorted(p) for t, p in details.positions.items()} == {
            t: sorted(p) for t, p in positions.items()
        }, fact.text
        assert bool(index._has_person[number]) == person, fact.text
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
    for number, fact in enumerate(index.facts):
        counts = Counter({t: len(p) for t, p in _plain(fact.text)[0].items()})
        for term, count in counts.items():
            expected[term].append((number, count))
    assert set(index._term_id) == set(expected)
    for term, pairs in expected.items():
        posting = index._posting(term)
        assert posting is not None
        ids, _ = posting
        assert ids.tolist() == [n for n, _ in pairs], term
        assert index._df[term] == len(pairs)


def test_context_holds_the_previous_sentences_terms(seed_index: FactIndex) -> None:
    index = seed_index
    facts = index.facts
    expected: dict[str, list[int]] = defaultdict(list)
    previous: set[str] = set()
    for number, fact in enumerate(facts):
        terms = set(_plain(fact.text)[0])
        if number and facts[number - 1].article_id == fact.article_id:
            for term in previous - terms:
                expected[term].append(number)
        previous = terms
    for term in index._term_id:
        # Only exact lemmas and synonym groups are ever looked up in the context.
        if term.startswith(("l:", "=")):
            found = index._context_of(term)
            assert (found.tolist() if found is not None else []) == expected.get(term, []), term
    assert all(a <= b for a, b in zip(index._posting_start, index._posting_end, strict=True))


def test_best_figure_fit_per_question_kind(seed_index: FactIndex) -> None:
    from knowledge.search import FIGURE_KINDS, _fits

    for kind in FIGURE_KINDS:
        plain = np.array(
            [
                max((_fits(kind, f) for f in fact.figures), default=0.0)
                for fact in seed_index.facts
            ],
            dtype=np.float32,
        )
        assert np.array_equal(seed_index._fit[kind], plain), kind
