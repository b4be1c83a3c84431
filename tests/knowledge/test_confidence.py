"""The confidence model: its features, its data file, its fitting, and that it decides
between an answer and «нет ответа» for a candidate past the floors but not the strict gate."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from importlib import resources

import numpy as np
import pytest

from knowledge import FactIndex
from knowledge.articles import Article
from knowledge.confidence import FEATURES, Candidate, Model, default_model, model_from_json
from knowledge.dev.calibrate import best_threshold, fit
from knowledge.facts import extract_facts

CANDIDATE = Candidate(coverage=0.4, evidence=1.0, score=2.0, has_figure=True, units=3)
FLAT = Model(mean=(0.0,) * 6, scale=(1.0,) * 6, weights=(0.0,) * 6, bias=0.0, threshold=0.5)


def test_features_in_their_order() -> None:
    assert FEATURES == ("coverage", "evidence", "log_score", "strict", "figure", "units")
    assert CANDIDATE.features() == pytest.approx((0.4, 1.0, 1.0986123, 0.0, 1.0, 3.0))
    assert not CANDIDATE.strict
    assert replace(CANDIDATE, coverage=0.5, evidence=0.85).strict


@pytest.mark.parametrize(
    ("weights", "bias", "expected"),
    [
        ((0.0,) * 6, 0.0, 0.5),
        ((0.0,) * 6, 1e6, 1.0),  # clamped, no overflow
        ((1.0, 0, 0, 0, 0, 0), 0.0, 0.598688),  # σ(0.4)
        ((0, 0, 0, 0, 0, -1.0), 3.0, 0.5),  # σ(3 − 3)
    ],
)
def test_probability(weights: tuple[float, ...], bias: float, expected: float) -> None:
    model = replace(FLAT, weights=weights, bias=bias)
    assert model.probability(CANDIDATE) == pytest.approx(expected, abs=1e-6)


def test_the_shipped_model_loads_and_round_trips() -> None:
    text = resources.files("knowledge").joinpath("data", "confidence.json").read_text("utf-8")
    assert model_from_json(json.loads(text)) == default_model()
    assert model_from_json(default_model().to_json()) == default_model()
    assert 0.0 < default_model().threshold < 1.0


@pytest.mark.parametrize(
    "change",
    [{"features": ["coverage"]}, {"weights": [1.0]}, {"bias": "high"}],
)
def test_a_data_file_that_does_not_fit_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="confidence.json"):
        model_from_json({**FLAT.to_json(), **change})


def test_fit_finds_the_direction_that_separates() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 6))
    y = (x[:, 0] - x[:, 2] + rng.normal(scale=0.5, size=400) > 0).astype(float)
    _, _, weights, _ = fit(x, y)
    assert weights[0] > 1.0 and weights[2] < -1.0
    assert all(abs(w) < 0.3 * weights[0] for w in weights[[1, 3, 4, 5]])


def test_best_threshold_counts_a_wrong_answer_as_two_mistakes() -> None:
    # p: 0.9 right, 0.7 wrong, 0.2 must-abstain. From 0.7 up: 1 right + 1 abstained − 1
    # wrong answer = 1; from 0.9 up: 2. Without the cost the two would tie, and the tie
    # would go to the threshold nearer 0.5.
    probabilities = np.array([0.9, 0.7, 0.2])
    right = np.array([1.0, 0.0, 0.0])
    abstain = np.array([False, False, True])
    assert best_threshold(probabilities, right, abstain) == 0.9


def _index() -> FactIndex:
    article = Article(
        "s.txt",
        "Школы Шымкента",
        dt.date(2025, 5, 1),
        None,
        ("В Шымкенте построят 12 новых школ на 4 145 мест.", "Тариф на воду вырос на 8%."),
        "s",
    )
    return FactIndex.build(extract_facts(article))


LOOSE = "Сколько учебных заведений возведут в Шымкенте для учеников старших классов?"


@pytest.mark.parametrize(("threshold", "answered"), [(0.0, ["12 новых школ"]), (1.01, [])])
def test_the_model_decides_a_candidate_below_the_strict_gate(
    threshold: float, answered: list[str]
) -> None:
    index = _index()
    candidate = index.candidate(LOOSE)
    assert candidate is not None and not candidate.strict
    index.confidence = replace(FLAT, threshold=threshold)
    assert [m.figure.text for m in index.match(LOOSE) if m.figure] == answered


def test_a_strict_candidate_is_answered_whatever_the_model() -> None:
    index = _index()
    index.confidence = replace(FLAT, threshold=1.01)
    question = "Сколько новых школ построят в Шымкенте?"
    assert index.candidate(question) is not None
    assert [m.figure.text for m in index.match(question) if m.figure] == ["12 новых школ"]
