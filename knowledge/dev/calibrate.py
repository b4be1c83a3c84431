"""Fit the confidence model (knowledge/confidence.py) on the tune questions of both sets.

`python -m knowledge.dev.calibrate [--write]`: for every tune question of the seed, news and
probe sets whose best candidate is past the floors but not the strict gate, its features
and whether answering with it would be right (as
`eval` judges); a logistic regression over its features; the threshold that gets the most
tune questions right (answered correctly + abstained correctly). Held-out questions are not
read. `--write` saves the model to knowledge/data/confidence.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import answer as answer_module
from ..confidence import FEATURES, Candidate, Model
from ..index import FactIndex
from .evaluate import DEFAULT_ARTICLE_DIRS, DEFAULT_SETS, _existing, build_index
from .judging import EvalQuestion, judge, load_questions

L2 = 0.01  # a little shrinkage: a few hundred questions, six features
# A wrong answer is worse than «нет ответа»: the bot must never mislead with a figure.
WRONG_ANSWER_COST = 1.0
DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "confidence.json"
PROBES = Path("tests/eval/probes.jsonl")


def samples(
    index: FactIndex, rows: Sequence[tuple[EvalQuestion, Candidate]]
) -> tuple[np.ndarray, np.ndarray]:
    """(each candidate's features, 1 when answering with it is right, as `eval` judges the
    answer the bot gives when nothing holds it back)."""
    model, index.confidence = index.confidence, None
    try:
        y = [
            float(q.found and judge(q, answer_module.ask(index, q.question)).correct)
            for q, _ in rows
        ]
    finally:
        index.confidence = model
    x = np.array([c.features() for _, c in rows], dtype=float).reshape(-1, len(FEATURES))
    return x, np.array(y)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardised logistic regression by Newton's method: (mean, scale, weights, bias)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        gradient = z.T @ (y - p) - L2 * w
        hessian = z.T @ (z * (p * (1 - p))[:, None]) + L2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w += step
        if np.abs(step).max() < 1e-9:
            break
    return mean, scale, w[:-1], float(w[-1])


def best_threshold(probabilities: np.ndarray, y: np.ndarray, abstain: np.ndarray) -> float:
    """The threshold with the most questions right, less WRONG_ANSWER_COST for each wrong
    answer: a figure that misleads costs more than «нет ответа» (questions without a
    candidate are right or wrong either way)."""
    candidates = np.unique(np.r_[probabilities, 0.5])

    def merit(t: float) -> float:
        answered = probabilities >= t
        right = (answered & (y == 1)).sum() + (~answered & abstain).sum()
        wrong_answers = (answered & (y == 0)).sum()
        return float(right - WRONG_ANSWER_COST * wrong_answers)

    return float(max(candidates, key=lambda t: (merit(t), -abs(t - 0.5))))


def calibrate(index: FactIndex, questions: Sequence[EvalQuestion]) -> Model:
    """The model fitted on `questions` (their tune split only)."""
    candidates = [(q, index.candidate(q.question)) for q in questions if q.split == "tune"]
    # A candidate past the strict gate is always an answer: the model decides the rest;
    # a question without any candidate is always abstained on.
    undecided = [(q, c) for q, c in candidates if c is not None and not c.strict]
    x, y = samples(index, undecided)
    abstain = np.array([not q.found for q, _ in undecided])
    mean, scale, weights, bias = fit(x, y)
    z = (x - mean) / scale @ weights + bias
    probabilities = 1.0 / (1.0 + np.exp(-z))
    return Model(
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        weights=tuple(round(float(v), 6) for v in weights),
        bias=round(bias, 6),
        threshold=round(best_threshold(probabilities, y, abstain), 6),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.dev.calibrate")
    parser.add_argument("--write", action="store_true", help=f"save to {DATA_FILE}")
    args = parser.parse_args(argv)
    # The probe sets (tune only, on the seeds) count too: more seed questions to fit on.
    sets = [*DEFAULT_SETS, ("probes", PROBES)]
    questions = [
        q
        for name, path in sets
        if _existing(path).exists()
        for q in load_questions(_existing(path), corpus=name)
    ]
    index = build_index(*(_existing(d) for d in DEFAULT_ARTICLE_DIRS))
    model = calibrate(index, questions)
    text = json.dumps(model.to_json(), ensure_ascii=False, indent=2) + "\n"
    print(text, end="")
    if args.write:
        DATA_FILE.write_text(text, encoding="utf-8")
        print(f"written to {DATA_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
