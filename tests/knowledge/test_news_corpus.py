"""The news-shaped benchmark corpus: deterministic, real articles, a growing vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import read_articles
from knowledge.dev import bench
from knowledge.dev.news_corpus import make_news_corpus, vocabulary_growth
from knowledge.facts import extract_facts

pytestmark = pytest.mark.slow  # builds the benchmark's synthetic news corpora

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_news_corpus_is_deterministic_and_about_n_facts() -> None:
    first = make_news_corpus(200, SEEDS)
    assert first == make_news_corpus(200, SEEDS)
    assert first != make_news_corpus(201, SEEDS)
    assert sum(a.sentences for a in first) == 200
    assert all(1 <= a.sentences <= 12 for a in first)


def test_news_corpus_goes_through_the_real_parser_with_its_figures(tmp_path: Path) -> None:
    corpus = make_news_corpus(150, SEEDS)
    bench.write_corpus(corpus, tmp_path)
    articles, skipped = read_articles(tmp_path, today=bench.LAST_DATE)
    assert not skipped
    facts = [f for a in articles for f in extract_facts(a)]
    assert abs(len(facts) - 150) <= 15
    kinds = {figure.kind for fact in facts for figure in fact.amounts}
    assert {"money", "percent"} <= kinds
    assert sum(1 for f in facts if f.amounts) > len(facts) // 2


def test_news_vocabulary_keeps_growing_where_the_seed_corpus_stops() -> None:
    """Distinct lemmas at 400 and 1,600 sentences: news grows by Heaps' law (a share of
    about 4^0.6 ≈ 2.3), the recombined seed sentences hardly at all."""
    news = vocabulary_growth(make_news_corpus(1600, SEEDS), (400, 1600))
    seeds = vocabulary_growth(bench.make_corpus(1600, SEEDS), (400, 1600))
    assert news[1] / news[0] > 1.8
    assert seeds[1] / seeds[0] < 1.3
    assert news[1] > 2 * seeds[1]


def test_questions_in_the_eval_mix() -> None:
    facts = list(bench.seed_facts(SEEDS))
    questions = bench.make_questions(facts, 96, 3, mix=bench.EVAL_MIX)
    kinds = [q.kind for q in questions]
    # 162 / 960 must-abstain and 107 / 960 with typos, spread through the list.
    assert (kinds.count("abstain"), kinds.count("typo")) == (16, 11)
    assert kinds[:48].count("abstain") == 8
