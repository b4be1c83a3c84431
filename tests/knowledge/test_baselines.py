"""The BM25 and tantivy baselines: they answer plain questions, abstain, never raise."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import FactIndex
from knowledge.dev import evaluate as ev
from knowledge.dev.baselines import BM25Baseline, TantivyBaseline, calibrate, tokens

pytest.importorskip("rank_bm25")
pytest.importorskip("tantivy")
pytest.importorskip("Stemmer")

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
A1 = "001_9e8737218ffa3194.txt"
BASELINES = (BM25Baseline, TantivyBaseline)
ODD = [
    "",
    " ",
    '"',
    "'",
    "AND OR",
    "NOT",
    "(((",
    ")",
    "*",
    "text:",
    "a:b:c",
    "[1 TO 2]",
    "~2 ^3 +- !",
    "\\",
    "🏙️🚇💸",
    "ё" * 50,
    "туристы " * 1250,  # 10,000 characters
    "x" * 10_000,
    "\x00\n\t",
]


@pytest.fixture(scope="module", params=BASELINES, ids=lambda cls: cls.name)
def baseline(request: pytest.FixtureRequest, seed_index: FactIndex) -> BM25Baseline:
    return request.param.build(seed_index.facts)  # type: ignore[no-any-return]


def test_tokens_lowercase_without_stop_words() -> None:
    assert tokens("Сколько ЁЛОК в Алматы?") == ["елок", "алматы"]


def test_answers_a_plain_seed_question(baseline: BM25Baseline) -> None:
    matches = baseline.match("Сколько туристов посетило Алматы за девять месяцев 2025 года?")
    assert matches
    top = matches[0]
    assert top.fact.article_id == A1
    assert "1,9 млн" in top.fact.text
    assert top.figure is not None and top.figure.text == "на 8%"  # the first amount
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len(baseline.match("туристов", limit=1)) == 1


def test_abstains_on_nonsense(baseline: BM25Baseline) -> None:
    assert baseline.match("Фываолдж прстл кврк?") == []
    assert baseline.rank("Фываолдж прстл кврк?") == []
    # a word the facts know, scoring under the threshold: abstain
    ranked = baseline.rank("погода Алматы")
    assert ranked
    baseline.threshold = ranked[0].score + 0.01
    try:
        assert baseline.match("погода Алматы") == []
    finally:
        baseline.threshold = 0.0


@pytest.mark.parametrize("question", ODD, ids=range(len(ODD)))
def test_never_raises(baseline: BM25Baseline, question: str) -> None:
    assert isinstance(baseline.match(question), list)
    assert isinstance(baseline.rank(question, limit=0), list)


@pytest.mark.parametrize("cls", BASELINES, ids=lambda cls: cls.name)
def test_empty_corpus(cls: type[BM25Baseline]) -> None:
    empty = cls.build([])
    assert empty.match("Сколько туристов?") == []


@pytest.mark.slow
@pytest.mark.parametrize("cls", BASELINES, ids=lambda cls: cls.name)
def test_calibrate_is_at_least_as_good_as_zero(
    cls: type[BM25Baseline], seed_index: FactIndex
) -> None:
    questions = ev.load_questions(QUESTIONS)
    tune = [q for q in questions if q.split == "tune"]
    baseline = cls.build(seed_index.facts)

    def right(threshold: float) -> int:
        baseline.threshold = threshold
        return ev.evaluate_matcher(baseline, tune).correct

    threshold = calibrate(baseline, questions)
    assert threshold >= 0.0
    assert right(threshold) >= right(0.0)
    # and nothing beats it on the tune split, among a spread of thresholds
    assert all(right(threshold) >= right(t / 4) for t in range(0, 60))
    # calibration reads the tune split only
    holdout_only = [q for q in questions if q.split == "holdout"]
    assert calibrate(baseline, holdout_only) == 0.0
