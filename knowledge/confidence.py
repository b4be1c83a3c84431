"""Whether the best candidate is an answer: a logistic model over its match features.

The candidate floors of the array pass (retrieve.MIN_COVERAGE, MIN_EVIDENCE) are loose; what
decides between an answer and «нет ответа» is the probability that the best candidate is
right, from a logistic regression fitted on the tune questions of both question sets
(`python -m knowledge.dev.calibrate`). Its coefficients and threshold are data
(`data/confidence.json`), not code, so a refit changes no line here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

# The features, in the order of the data file's coefficients.
FEATURES = ("coverage", "evidence", "log_score", "strict", "figure", "units")
# «strict»: the candidate passes the gate the matcher used before calibration.
STRICT_COVERAGE = 0.5
STRICT_EVIDENCE = 0.85


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the model reads of the best candidate of one question."""

    coverage: float  # share of the question's words the fact matches (by weight)
    evidence: float  # the non-generic words matched, by weight and channel
    # the final ranking score (not its margin over the next: which candidates come next
    # depends on how far the array pass prunes, and the answer must not)
    score: float
    has_figure: bool  # a figure was chosen to answer
    units: int  # the question's scored words
    # «Кто аким Алматы?»: only words found everywhere, all found, in a fact naming a person
    # (the old gate's other way in; not a feature)
    who_found: bool = False

    @property
    def strict(self) -> bool:
        """Past the gate the matcher used alone before calibration: always an answer."""
        return self.who_found or (
            self.coverage >= STRICT_COVERAGE and self.evidence >= STRICT_EVIDENCE
        )

    def features(self) -> tuple[float, ...]:
        """The values of FEATURES."""
        strict = self.strict
        return (
            self.coverage,
            self.evidence,
            math.log1p(max(self.score, 0.0)),
            float(strict),
            float(self.has_figure),
            float(self.units),
        )


@dataclass(frozen=True)
class Model:
    """Standardised logistic regression: p = σ(bias + Σ w·(x − mean)/scale)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # answer when p ≥ threshold

    def probability(self, candidate: Candidate) -> float:
        """The probability that answering with `candidate` is right."""
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(
                self.weights, candidate.features(), self.mean, self.scale, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
        }


def model_from_json(data: dict[str, object]) -> Model:
    """A model from the data file's JSON; raises ValueError when it does not fit FEATURES."""
    if data.get("features") != list(FEATURES):
        raise ValueError(f"confidence.json: features must be {list(FEATURES)}")

    def floats(key: str) -> tuple[float, ...]:
        values = data[key]
        if not isinstance(values, list) or len(values) != len(FEATURES):
            raise ValueError(f"confidence.json: {key} needs {len(FEATURES)} numbers")
        return tuple(float(v) for v in values)

    bias, threshold = data["bias"], data["threshold"]
    if not isinstance(bias, int | float) or not isinstance(threshold, int | float):
        raise ValueError("confidence.json: bias and threshold must be numbers")
    return Model(floats("mean"), floats("scale"), floats("weights"), float(bias), float(threshold))


@cache
def default_model() -> Model:
    """The fitted model shipped in knowledge/data/confidence.json."""
    text = resources.files("knowledge").joinpath("data", "confidence.json").read_text("utf-8")
    return model_from_json(json.loads(text))
