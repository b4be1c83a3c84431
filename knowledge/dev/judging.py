"""The question sets that judge the matcher: load them, ask every question, judge each
answer, tally the verdicts (`python -m knowledge eval` prints the tally: evaluate.py).

A question names what a right answer shows: the figure (as the article writes it) or a
piece of the quoted sentence, the article and its date; a must-abstain question is right
when nothing is answered. `judge` reads citybot's answer, `judge_top` a bare matcher's top
sentence (the baselines).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import answer as answer_module
from ..answer import Answer
from ..index import FactIndex
from ..match import Match

if TYPE_CHECKING:
    from .baselines import Matcher

CATEGORIES = (
    "direct",
    "paraphrase",
    "colloquial",
    "typo",
    "latin",
    "kazakh",
    "english",
    "context",  # the subject is named only in the headline, the lead or the sentence before
    "words",  # the figure is written in words («вдвое», «пять»)
    "relative",  # the article says «в прошлом году», the question names the year
    "newest",  # two articles give the figure: the newer one answers
    "abstain",
)
SPLITS = ("tune", "holdout")
# What an answerable question says of the right answer (EvalQuestion's fields of that name).
_EXPECTED = ("figure", "text", "article", "date")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPACES_RE = re.compile(r"\s+")

AskFunction = Callable[[FactIndex, str], Answer]


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    category: str  # one of CATEGORIES
    split: str  # "tune" | "holdout"
    found: bool  # False: the bot must say it does not know
    figure: str | None = None  # must appear in the figure shown, as written in the article
    text: str | None = None  # must appear in the quoted sentence (facts without a figure)
    article: str | None = None  # article id (file name) the answer must come from
    date: str | None = None  # "YYYY-MM-DD" of that article, None when it has no date
    corpus: str = "seed"  # which question set: "seed" or "news"


@dataclass(frozen=True)
class Verdict:
    correct: bool
    reasons: tuple[str, ...]  # why it is wrong; empty when correct
    answered: str  # what the bot answered, in one line


@dataclass(frozen=True)
class Result:
    question: EvalQuestion
    verdict: Verdict
    latency_ms: float


@dataclass(frozen=True)
class Tally:
    """One category × split (or a whole split when category is "all")."""

    category: str
    split: str
    total: int
    correct: int
    failures: tuple[Result, ...]
    median_latency_ms: float

    @property
    def percent(self) -> float | None:
        return 100.0 * self.correct / self.total if self.total else None


@dataclass(frozen=True)
class SplitTotals:
    split: str
    answerable: int
    answerable_correct: int
    abstain: int
    abstained_correctly: int


@dataclass(frozen=True)
class EvalReport:
    results: tuple[Result, ...]
    rows: tuple[Tally, ...]  # per category × split, in CATEGORIES order, empty rows left out
    splits: tuple[SplitTotals, ...]  # per split present in the results
    median_latency_ms: float  # per question, over all questions

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def correct(self) -> int:
        return sum(1 for r in self.results if r.verdict.correct)

    @property
    def failures(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if not r.verdict.correct)

    def row(self, category: str, split: str) -> Tally:
        """The tally for one category and split ("all" for either means every one)."""
        return _tally(
            category,
            split,
            [
                r
                for r in self.results
                if category in ("all", r.question.category) and split in ("all", r.question.split)
            ],
        )


# --- loading -------------------------------------------------------------------------------


def _question_from(data: object, where: str, corpus: str = "seed") -> EvalQuestion:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object")
    for key in ("id", "question", "category", "split"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{where}: {key!r} must be a non-empty string")
    if data["category"] not in CATEGORIES:
        raise ValueError(f"{where}: unknown category {data['category']!r}")
    if data["split"] not in SPLITS:
        raise ValueError(f"{where}: unknown split {data['split']!r}")
    found = data.get("found")
    if not isinstance(found, bool):
        raise ValueError(f"{where}: 'found' must be true or false")
    if (data["category"] == "abstain") == found:
        raise ValueError(f"{where}: category 'abstain' goes with found=false, and only it")
    common = {key: data[key] for key in ("id", "question", "category", "split")}
    if not found:
        extra = sorted(k for k in _EXPECTED if k in data)
        if extra:
            raise ValueError(f"{where}: a must-abstain question has no {', '.join(extra)}")
        return EvalQuestion(**common, found=False, corpus=corpus)
    for key in ("figure", "article", "date"):
        if key not in data:
            raise ValueError(f"{where}: an answerable question needs {key!r}")
    expected: dict[str, Any] = {key: data.get(key) for key in _EXPECTED}
    for key in ("figure", "text"):
        value = expected[key]
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{where}: {key!r} must be a non-empty string or null")
    if expected["figure"] is None and expected["text"] is None:
        raise ValueError(f"{where}: an answerable question needs a 'figure' or a 'text'")
    article, date = expected["article"], expected["date"]
    if not isinstance(article, str) or not article:
        raise ValueError(f"{where}: 'article' must be a file name")
    if date is not None and (not isinstance(date, str) or not _DATE_RE.fullmatch(date)):
        raise ValueError(f"{where}: 'date' must be YYYY-MM-DD or null")
    return EvalQuestion(**common, **expected, found=True, corpus=corpus)


def load_questions(path: str | Path, *, corpus: str = "seed") -> list[EvalQuestion]:
    """Questions from a JSON-lines file, named `corpus`; blank lines are skipped. Raises
    ValueError if bad."""
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{where}: invalid JSON ({error.msg})") from error
            question = _question_from(data, where, corpus)
            if question.id in seen:
                raise ValueError(f"{where}: duplicate id {question.id!r}")
            seen.add(question.id)
            questions.append(question)
    return questions


# --- judging -------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    return _SPACES_RE.sub(" ", text).strip()


def figure_contains(shown: str, expected: str) -> bool:
    """`expected` occurs in `shown` as a whole number: "8%" is not in "18%", "10 тыс." not in
    "210 тыс.", "1 млн" not in "1,1 млн"."""
    shown, expected = _normalize(shown), _normalize(expected)
    if not expected:
        return False
    pattern = re.escape(expected)
    if expected[0].isdigit():
        pattern = r"(?<![\d,.])" + pattern
    if expected[-1].isdigit():
        pattern += r"(?![\d]|[,.]\d)"
    return re.search(pattern, shown) is not None


def describe(answer: Answer) -> str:
    """What the bot answered, in one line (for failure listings)."""
    if not answer.found:
        return "не найдено" + (f" ({answer.problem})" if answer.problem else "")
    if answer.near_miss is not None:
        miss = answer.near_miss
        return f"near-miss ({miss.kind.value}: {miss.asked} → {miss.available or '—'})"
    figure = answer.figure.text if answer.figure is not None else "—"
    if answer.source is None:
        where = "без источника"
    else:
        date = answer.source.date.isoformat() if answer.source.date is not None else "без даты"
        where = f"{answer.source.article_id} {date}"
    quote = _normalize(answer.quote or "")
    if len(quote) > 100:
        quote = quote[:99] + "…"
    return f"{figure} | {where} | {quote}"


def judge(q: EvalQuestion, answer: Answer) -> Verdict:
    """Is `answer` right for `q`? Abstain questions: right when nothing was found.

    A near-miss («за 2024 год нет; есть за 2025: …») does not assert the asked fact: it
    counts as an abstention, right for a must-abstain question, «abstained» otherwise.
    """
    answered = describe(answer)
    abstained = not answer.found or answer.near_miss is not None
    if not q.found:
        if not abstained:
            return Verdict(False, ("answered a must-abstain question",), answered)
        return Verdict(True, (), answered)
    if abstained:
        return Verdict(False, ("abstained",), answered)
    reasons: list[str] = []
    if q.figure is not None:
        if answer.figure is None:
            reasons.append(f"no figure (expected {q.figure!r})")
        elif not figure_contains(answer.figure.text, q.figure):
            reasons.append(f"figure {answer.figure.text!r} (expected {q.figure!r})")
    if q.text is not None and _normalize(q.text) not in _normalize(answer.quote or ""):
        reasons.append(f"quote lacks {q.text!r}")
    if answer.source is None:
        reasons.append("no source")
    else:
        if answer.source.article_id != q.article:
            reasons.append(f"article {answer.source.article_id} (expected {q.article})")
        date = answer.source.date.isoformat() if answer.source.date is not None else None
        if date != q.date:
            reasons.append(f"date {date} (expected {q.date})")
    return Verdict(not reasons, tuple(reasons), answered)


def judge_top(q: EvalQuestion, matches: Sequence[Match]) -> Verdict:
    """Is a bare matcher's result right for `q`? For matchers that only rank sentences (the
    baselines): the top fact must come from the expected article and its sentence must
    contain the expected figure (as a whole number, see `figure_contains`) or text; no
    match at all is an abstention."""
    if not matches:
        return Verdict(not q.found, () if not q.found else ("abstained",), "не найдено")
    fact = matches[0].fact
    date = fact.article_date.isoformat() if fact.article_date is not None else None
    quote = _normalize(fact.text)
    answered = f"{fact.article_id} {date or 'без даты'} | {quote[:99]}"
    if not q.found:
        return Verdict(False, ("answered a must-abstain question",), answered)
    reasons: list[str] = []
    if q.figure is not None and not figure_contains(fact.text, q.figure):
        reasons.append(f"sentence lacks {q.figure!r}")
    if q.text is not None and _normalize(q.text) not in quote:
        reasons.append(f"quote lacks {q.text!r}")
    if fact.article_id != q.article:
        reasons.append(f"article {fact.article_id} (expected {q.article})")
    if date != q.date:
        reasons.append(f"date {date} (expected {q.date})")
    return Verdict(not reasons, tuple(reasons), answered)


# --- running -------------------------------------------------------------------------------


def _median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else 0.0


def _tally(category: str, split: str, results: Sequence[Result]) -> Tally:
    return Tally(
        category=category,
        split=split,
        total=len(results),
        correct=sum(1 for r in results if r.verdict.correct),
        failures=tuple(r for r in results if not r.verdict.correct),
        median_latency_ms=_median(r.latency_ms for r in results),
    )


def summarize(results: Sequence[Result]) -> EvalReport:
    """Group results into the report's rows and split totals."""
    rows: list[Tally] = []
    for category in CATEGORIES:
        for split in SPLITS:
            chosen = [
                r for r in results if r.question.category == category and r.question.split == split
            ]
            if chosen:
                rows.append(_tally(category, split, chosen))
    splits: list[SplitTotals] = []
    for split in SPLITS:
        in_split = [r for r in results if r.question.split == split]
        if not in_split:
            continue
        answerable = [r for r in in_split if r.question.found]
        abstain = [r for r in in_split if not r.question.found]
        splits.append(
            SplitTotals(
                split=split,
                answerable=len(answerable),
                answerable_correct=sum(1 for r in answerable if r.verdict.correct),
                abstain=len(abstain),
                abstained_correctly=sum(1 for r in abstain if r.verdict.correct),
            )
        )
    return EvalReport(
        results=tuple(results),
        rows=tuple(rows),
        splits=tuple(splits),
        median_latency_ms=_median(r.latency_ms for r in results),
    )


def evaluate(
    index: FactIndex,
    questions: Iterable[EvalQuestion],
    *,
    ask: AskFunction = answer_module.ask,
) -> EvalReport:
    """Ask every question, judge every answer. An exception from `ask` counts as a failure."""
    return summarize([_timed(q, lambda text: ask(index, text), judge) for q in questions])


def evaluate_matcher(matcher: Matcher, questions: Iterable[EvalQuestion]) -> EvalReport:
    """Like `evaluate` for a bare matcher (`match(question, limit=3)`), judged by `judge_top`."""
    return summarize(
        [_timed(q, lambda text: matcher.match(text, limit=3), judge_top) for q in questions]
    )


_Out = TypeVar("_Out")


def _timed(
    q: EvalQuestion, run: Callable[[str], _Out], judged: Callable[[EvalQuestion, _Out], Verdict]
) -> Result:
    """`run(q.question)` timed, then judged; an exception from it is a wrong answer (one
    broken question must not stop the run)."""
    started = time.perf_counter()
    try:
        out = run(q.question)
    except Exception as error:
        verdict = Verdict(False, (f"error: {type(error).__name__}: {error}",), "ошибка")
        return Result(q, verdict, (time.perf_counter() - started) * 1000.0)
    latency = (time.perf_counter() - started) * 1000.0
    return Result(q, judged(q, out), latency)
