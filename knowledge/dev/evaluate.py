"""The question sets that judge the matcher: load them, ask every question, score, report.

`python -m knowledge eval` loads the seed articles and the test articles (tests/eval/articles)
into one in-memory index (no database) and asks two question sets:

- **seed** (tests/eval/questions.jsonl): questions on the three seed articles, split into tune
  and held-out *by question*;
- **news** (tests/eval/news.jsonl): questions on the test articles about other Kazakh cities,
  split *by article*: a held-out article's questions are all held out.

It prints one table: each set × split, citybot beside BM25 and tantivy (knowledge/dev/
baselines.py, thresholds calibrated on the tune questions). `--categories` breaks citybot's
score down by category; `--failures` lists the failures of the **tune** questions only. The
held-out questions' failures are never printed: only their totals are read, so that no rule
is fitted to them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

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

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = Path("tests/eval/questions.jsonl")
DEFAULT_ARTICLES = Path("seeds")
# The default run: each question set with its name, over the articles of both.
DEFAULT_SETS = (("seed", DEFAULT_QUESTIONS), ("news", Path("tests/eval/news.jsonl")))
DEFAULT_ARTICLE_DIRS = (DEFAULT_ARTICLES, Path("tests/eval/articles"))
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
        extra = sorted(k for k in ("figure", "text", "article", "date") if k in data)
        if extra:
            raise ValueError(f"{where}: a must-abstain question has no {', '.join(extra)}")
        return EvalQuestion(**common, found=False, corpus=corpus)
    for key in ("figure", "article", "date"):
        if key not in data:
            raise ValueError(f"{where}: an answerable question needs {key!r}")
    figure, text, article, date = data["figure"], data.get("text"), data["article"], data["date"]
    for key, value in (("figure", figure), ("text", text)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{where}: {key!r} must be a non-empty string or null")
    if figure is None and text is None:
        raise ValueError(f"{where}: an answerable question needs a 'figure' or a 'text'")
    if not isinstance(article, str) or not article:
        raise ValueError(f"{where}: 'article' must be a file name")
    if date is not None and (not isinstance(date, str) or not _DATE_RE.fullmatch(date)):
        raise ValueError(f"{where}: 'date' must be YYYY-MM-DD or null")
    return EvalQuestion(
        **common,
        found=True,
        figure=figure,
        text=text,
        article=article,
        date=date,
        corpus=corpus,
    )


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


@dataclass(frozen=True)
class Comparison:
    """The same questions through several matchers: name → report, in column order."""

    reports: dict[str, EvalReport]
    thresholds: dict[str, float]  # baseline name → its threshold (calibrated on tune)


MATCHERS = ("citybot", "bm25", "tantivy")
COMPARE_FOOTNOTE = (
    "citybot is judged as in `eval` (the figure it shows must be the expected one, from the"
    " expected article and date); bm25 and tantivy are judged by their top sentence: it must"
    " come from the expected article and contain the expected figure (whole number) or text."
    " A must-abstain question is right when nothing is answered. Baseline thresholds are"
    " calibrated on each question set's tune split only and applied to both of its splits."
)


def compare(
    index: FactIndex,
    questions: Sequence[EvalQuestion],
    *,
    splits: Sequence[str] = SPLITS,
    ask: AskFunction = answer_module.ask,
) -> Comparison:
    """citybot (via `ask`) and the BM25 and tantivy baselines on `index.facts`.

    Each baseline's threshold is calibrated on the tune questions of each question set
    (its best on that set), then applied to that set's questions of `splits`.
    """
    from .baselines import BM25Baseline, TantivyBaseline, calibrate

    chosen = [q for q in questions if q.split in splits]
    reports = {"citybot": evaluate(index, chosen, ask=ask)}
    thresholds: dict[str, float] = {}
    corpora = list(dict.fromkeys(q.corpus for q in questions))
    for name, cls in (("bm25", BM25Baseline), ("tantivy", TantivyBaseline)):
        baseline = cls.build(index.facts)
        results: list[Result] = []
        for corpus in corpora:
            baseline.threshold = calibrate(baseline, [q for q in questions if q.corpus == corpus])
            thresholds[name if len(corpora) == 1 else f"{name}/{corpus}"] = baseline.threshold
            picked = [q for q in chosen if q.corpus == corpus]
            results += evaluate_matcher(baseline, picked).results
        order = {id(q): i for i, q in enumerate(chosen)}
        reports[name] = summarize(sorted(results, key=lambda r: order[id(r.question)]))
    return Comparison(reports, thresholds)


def _compare_rows(comparison: Comparison) -> list[tuple[str, str, list[int], list[str]]]:
    """(set, split, [n answerable, n abstain], answerable % per matcher + abstained % per
    matcher) for every set × split present, in question-set order."""
    reports = list(comparison.reports.values())
    first = reports[0]
    corpora = list(dict.fromkeys(r.question.corpus for r in first.results))
    rows: list[tuple[str, str, list[int], list[str]]] = []
    for corpus in corpora:
        for split in SPLITS:
            counts: list[int] = []
            cells: list[str] = []
            for found in (True, False):
                picked = [
                    [
                        x
                        for x in r.results
                        if x.question.corpus == corpus
                        and x.question.split == split
                        and x.question.found == found
                    ]
                    for r in reports
                ]
                counts.append(len(picked[0]))
                cells += [
                    _percent(sum(x.verdict.correct for x in p), len(p)).strip() for p in picked
                ]
            if sum(counts):
                rows.append((corpus, split, counts, cells))
    return rows


def format_compare(comparison: Comparison, *, markdown: bool = False) -> str:
    """One table: for each question set × split, % answered correctly and % abstained
    correctly, citybot beside each baseline."""
    names = list(comparison.reports)
    rows = _compare_rows(comparison)
    latency = [f"{r.median_latency_ms:.2f}" for r in comparison.reports.values()]
    thresholds = ", ".join(f"{k} ≥ {v:.2f}" for k, v in comparison.thresholds.items())
    if markdown:
        lines = [
            "| set | split | answerable | "
            + " | ".join(f"{n} %" for n in names)
            + " | must abstain | "
            + " | ".join(f"{n} %" for n in names)
            + " |",
            "|---|---|--:|" + "--:|" * len(names) + "--:|" + "--:|" * len(names),
        ]
        for corpus, split, counts, cells in rows:
            answered, abstained = cells[: len(names)], cells[len(names) :]
            lines.append(
                f"| {corpus} | {split} | {counts[0]} | "
                + " | ".join(answered)
                + f" | {counts[1]} | "
                + " | ".join(abstained)
                + " |"
            )
        lines.append("")
        per_matcher = ", ".join(f"{n} {x}" for n, x in zip(names, latency, strict=True))
        lines.append(f"Median latency, ms: {per_matcher}.")
        lines.append(f"Thresholds: {thresholds}. {COMPARE_FOOTNOTE}")
        return "\n".join(lines)
    width = 8
    group = " ".join(f"{n[:width]:>{width}}" for n in names)
    header = f"{'set':<5} {'split':<8} {'n':>4} {group}  | {'n':>4} {group}"
    title = (
        f"{'':<5} {'':<8} {'answered correctly, %':>{5 + len(group)}}  |"
        f" {'abstained correctly, %':>{5 + len(group)}}"
    )
    lines = [title, header, "-" * len(header)]
    for corpus, split, counts, cells in rows:
        answered_cells = " ".join(f"{c:>{width}}" for c in cells[: len(names)])
        abstained_cells = " ".join(f"{c:>{width}}" for c in cells[len(names) :])
        lines.append(
            f"{corpus:<5} {split:<8} {counts[0]:>4} {answered_cells}  |"
            f" {counts[1]:>4} {abstained_cells}"
        )
    lines.append("-" * len(header))
    lines.append(
        "median latency, ms: " + ", ".join(f"{n} {x}" for n, x in zip(names, latency, strict=True))
    )
    lines.append(f"thresholds: {thresholds}")
    lines.extend(textwrap.wrap(f"* {COMPARE_FOOTNOTE}", width=99, subsequent_indent="  "))
    return "\n".join(lines)


# --- reporting -----------------------------------------------------------------------------


def _percent(correct: int, total: int) -> str:
    return f"{100.0 * correct / total:5.1f}" if total else "    —"


def _expected(q: EvalQuestion) -> str:
    if not q.found:
        return "не найдено"
    parts = []
    if q.figure is not None:
        parts.append(q.figure)
    if q.text is not None:
        parts.append(f"«{q.text}»")
    parts.append(f"{q.article} {q.date or 'без даты'}")
    return " | ".join(parts)


def format_report(report: EvalReport, *, verbose: bool = False) -> str:
    """A plain-text table: category | split | n | correct | %, then totals per split."""
    header = f"{'category':<11} {'split':<8} {'n':>4} {'correct':>8} {'%':>6}"
    lines = [header, "-" * len(header)]
    for row in report.rows:
        lines.append(
            f"{row.category:<11} {row.split:<8} {row.total:>4} {row.correct:>8} "
            f"{_percent(row.correct, row.total):>6}"
        )
    lines.append("-" * len(header))
    for split in SPLITS:
        row = report.row("all", split)
        if row.total:
            lines.append(
                f"{'all':<11} {split:<8} {row.total:>4} {row.correct:>8} "
                f"{_percent(row.correct, row.total):>6}"
            )
    lines.append(
        f"{'all':<11} {'all':<8} {report.total:>4} {report.correct:>8} "
        f"{_percent(report.correct, report.total):>6}"
    )
    lines.append("")
    for totals in report.splits:
        lines.append(
            f"{totals.split}: answerable correct {totals.answerable_correct}/{totals.answerable}"
            f" ({_percent(totals.answerable_correct, totals.answerable).strip()}%),"
            f" abstained correctly {totals.abstained_correctly}/{totals.abstain}"
            f" ({_percent(totals.abstained_correctly, totals.abstain).strip()}%)"
        )
    lines.append(f"median latency: {report.median_latency_ms:.2f} ms per question")
    # Held-out failures are never listed: only their totals are read (see the module doc).
    failures = tuple(r for r in report.failures if r.question.split == "tune")
    if verbose and failures:
        lines.append("")
        lines.append(f"tune failures ({len(failures)}; held-out failures are not listed):")
        for result in failures:
            q = result.question
            lines.append(f"[{q.id} {q.category}/{q.split}] {q.question}")
            lines.append(f"    expected: {_expected(q)}")
            lines.append(f"    answered: {result.verdict.answered}")
            lines.append(f"    why: {'; '.join(result.verdict.reasons)}")
    elif failures:
        lines.append(f"{len(failures)} tune failures (--failures lists them)")
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    """A relative default path: from the working directory, else from the project root."""
    if path.is_absolute() or path.exists():
        return path
    fallback = _PROJECT_ROOT / path
    return fallback if fallback.exists() else path


def build_index(*articles_dirs: Path) -> FactIndex:
    """Article folders → facts → one in-memory index (no database); skipped files to stderr.
    A folder that does not exist is left out."""
    from ..articles import read_articles
    from ..facts import extract_facts

    facts = []
    for directory in articles_dirs:
        if not directory.is_dir():
            continue
        articles, skipped = read_articles(directory)
        for item in skipped:
            print(f"skipped {item.path}: {item.reason}", file=sys.stderr)
        facts += [fact for article in articles for fact in extract_facts(article)]
    return FactIndex.build(facts)


def _baselines_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) for m in ("rank_bm25", "tantivy", "Stemmer"))


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["eval"]:
        args_in = args_in[1:]
    parser = argparse.ArgumentParser(
        prog="python -m knowledge eval",
        description="Score the matcher on the question sets, beside BM25 and tantivy.",
    )
    parser.add_argument(
        "--questions",
        type=Path,
        action="append",
        help="a question set (JSON lines; repeatable); default: "
        + ", ".join(str(p) for _, p in DEFAULT_SETS),
    )
    parser.add_argument(
        "--articles",
        type=Path,
        action="append",
        help="an articles folder (repeatable); default: "
        + ", ".join(str(p) for p in DEFAULT_ARTICLE_DIRS),
    )
    parser.add_argument("--split", choices=("tune", "holdout", "all"), default="all")
    parser.add_argument(
        "--categories", action="store_true", help="citybot alone, per category and split"
    )
    parser.add_argument(
        "--failures",
        "--verbose",
        action="store_true",
        dest="failures",
        help="with --categories: list the tune failures (held-out ones are never listed)",
    )
    parser.add_argument("--markdown", action="store_true", help="the table in Markdown")
    parser.add_argument(
        "--compare", action="store_true", help="(the default) citybot beside BM25 and tantivy"
    )
    args = parser.parse_args(args_in)
    if args.failures:
        args.categories = True
    if args.markdown and args.categories:
        parser.error("--markdown goes with the comparison table, not --categories")

    if args.questions:
        sets = [(path.stem, path) for path in args.questions]
    else:
        sets = [(name, _existing(path)) for name, path in DEFAULT_SETS]
        sets = [(name, path) for name, path in sets if path.exists()]
    dirs = args.articles or [_existing(path) for path in DEFAULT_ARTICLE_DIRS]
    questions = [q for name, path in sets for q in load_questions(path, corpus=name)]
    index = build_index(*dirs)
    if not args.categories and _baselines_installed():
        splits = SPLITS if args.split == "all" else (args.split,)
        comparison = compare(index, questions, splits=splits, ask=answer_module.ask)
        print(format_compare(comparison, markdown=args.markdown))
        return 0
    if not args.categories:
        print("(rank-bm25, tantivy or PyStemmer missing: citybot alone; pip install -e .[dev])")
    if args.split != "all":
        questions = [q for q in questions if q.split == args.split]
    report = evaluate(index, questions, ask=answer_module.ask)  # looked up now, not at import
    print(format_report(report, verbose=args.failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
