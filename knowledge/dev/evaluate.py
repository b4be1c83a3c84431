"""The question set that judges the matcher: load it, ask every question, score, report.

`python -m knowledge eval [--questions PATH] [--articles DIR] [--split tune|holdout|all]
[--verbose]` builds the index in memory from the article files (no database) and prints a
table per category and split. No Telegram here.

`... eval --compare [--markdown]` puts citybot's matcher next to two off-the-shelf ones
(knowledge/baselines.py: BM25 and tantivy, each with its threshold calibrated on the tune
split) on the same facts and questions: one table, % correct per category and split.
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
from typing import TYPE_CHECKING

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
    "abstain",
)
SPLITS = ("tune", "holdout")

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = Path("tests/eval/questions.jsonl")
DEFAULT_ARTICLES = Path("seeds")
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


def _question_from(data: object, where: str) -> EvalQuestion:
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
    if not found:
        extra = sorted(k for k in ("figure", "text", "article", "date") if k in data)
        if extra:
            raise ValueError(f"{where}: a must-abstain question has no {', '.join(extra)}")
        return EvalQuestion(
            id=data["id"],
            question=data["question"],
            category=data["category"],
            split=data["split"],
            found=False,
        )
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
        id=data["id"],
        question=data["question"],
        category=data["category"],
        split=data["split"],
        found=True,
        figure=figure,
        text=text,
        article=article,
        date=date,
    )


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Questions from a JSON-lines file; blank lines are skipped. Raises ValueError if bad."""
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
            question = _question_from(data, where)
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
    """Is `answer` right for `q`? Abstain questions: right when nothing was found."""
    answered = describe(answer)
    if not q.found:
        if answer.found:
            return Verdict(False, ("answered a must-abstain question",), answered)
        return Verdict(True, (), answered)
    if not answer.found:
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
    results: list[Result] = []
    for q in questions:
        started = time.perf_counter()
        try:
            answer = ask(index, q.question)
        except Exception as error:  # one broken question must not stop the run
            latency = (time.perf_counter() - started) * 1000.0
            verdict = Verdict(False, (f"error: {type(error).__name__}: {error}",), "ошибка")
            results.append(Result(q, verdict, latency))
            continue
        latency = (time.perf_counter() - started) * 1000.0
        results.append(Result(q, judge(q, answer), latency))
    return summarize(results)


def evaluate_matcher(matcher: Matcher, questions: Iterable[EvalQuestion]) -> EvalReport:
    """Like `evaluate` for a bare matcher (`match(question, limit=3)`), judged by `judge_top`."""
    results: list[Result] = []
    for q in questions:
        started = time.perf_counter()
        try:
            matches = matcher.match(q.question, limit=3)
        except Exception as error:  # counted, as in `evaluate`
            latency = (time.perf_counter() - started) * 1000.0
            verdict = Verdict(False, (f"error: {type(error).__name__}: {error}",), "ошибка")
            results.append(Result(q, verdict, latency))
            continue
        latency = (time.perf_counter() - started) * 1000.0
        results.append(Result(q, judge_top(q, matches), latency))
    return summarize(results)


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
    " calibrated on the tune split only and applied to both splits."
)


def compare(
    index: FactIndex,
    questions: Sequence[EvalQuestion],
    *,
    splits: Sequence[str] = SPLITS,
    ask: AskFunction = answer_module.ask,
) -> Comparison:
    """citybot (via `ask`) and the BM25 and tantivy baselines on `index.facts`.

    The baselines' thresholds are calibrated on the tune questions of `questions`; the
    reports cover the questions of `splits`.
    """
    from .baselines import BM25Baseline, TantivyBaseline, calibrate

    chosen = [q for q in questions if q.split in splits]
    reports = {"citybot": evaluate(index, chosen, ask=ask)}
    thresholds: dict[str, float] = {}
    for name, cls in (("bm25", BM25Baseline), ("tantivy", TantivyBaseline)):
        baseline = cls.build(index.facts)
        baseline.threshold = calibrate(baseline, questions)
        thresholds[name] = baseline.threshold
        reports[name] = evaluate_matcher(baseline, chosen)
    return Comparison(reports, thresholds)


def _compare_rows(comparison: Comparison) -> list[tuple[str, str, int, list[str]]]:
    """(split, row label, n, % per matcher) for every category, then the two totals."""
    reports = list(comparison.reports.values())
    first = reports[0]
    rows: list[tuple[str, str, int, list[str]]] = []
    for split in SPLITS:
        if not first.row("all", split).total:
            continue
        for category in CATEGORIES:
            n = first.row(category, split).total
            if n:
                cells = [_percent(r.row(category, split).correct, n).strip() for r in reports]
                rows.append((split, category, n, cells))
        for label, found in (("answered correctly", True), ("abstained correctly", False)):
            picked = [
                [x for x in r.results if x.question.split == split and x.question.found == found]
                for r in reports
            ]
            n = len(picked[0])
            cells = [_percent(sum(x.verdict.correct for x in p), n).strip() for p in picked]
            rows.append((split, label, n, cells))
    return rows


def format_compare(comparison: Comparison, *, markdown: bool = False) -> str:
    """One table: % correct per split × category (and the two totals) for each matcher."""
    names = list(comparison.reports)
    rows = _compare_rows(comparison)
    latency = [f"{r.median_latency_ms:.2f}" for r in comparison.reports.values()]
    thresholds = ", ".join(f"{k} ≥ {v:.2f}" for k, v in comparison.thresholds.items())
    if markdown:
        lines = [
            "| split | questions | n | " + " | ".join(f"{n} %" for n in names) + " |",
            "|---|---|--:|" + "--:|" * len(names),
        ]
        for split, label, n, cells in rows:
            label = f"**{label}**" if " " in label else label
            lines.append(f"| {split} | {label} | {n} | " + " | ".join(cells) + " |")
        lines.append("| | median latency, ms | | " + " | ".join(latency) + " |")
        lines.append("")
        lines.append(f"Thresholds: {thresholds}. {COMPARE_FOOTNOTE}")
        return "\n".join(lines)
    header = f"{'split':<8} {'questions':<20} {'n':>4} " + " ".join(
        f"{n + ' %':>10}" for n in names
    )
    lines = [header, "-" * len(header)]
    previous = None
    for split, label, n, cells in rows:
        if previous is not None and split != previous:
            lines.append("")
        previous = split
        lines.append(f"{split:<8} {label:<20} {n:>4} " + " ".join(f"{c:>10}" for c in cells))
    lines.append("-" * len(header))
    lines.append(
        f"{'':<8} {'median latency, ms':<20} {'':>4} " + " ".join(f"{x:>10}" for x in latency)
    )
    lines.append("")
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
    failures = report.failures
    if verbose and failures:
        lines.append("")
        lines.append(f"failures ({len(failures)}):")
        for result in failures:
            q = result.question
            lines.append(f"[{q.id} {q.category}/{q.split}] {q.question}")
            lines.append(f"    expected: {_expected(q)}")
            lines.append(f"    answered: {result.verdict.answered}")
            lines.append(f"    why: {'; '.join(result.verdict.reasons)}")
    elif failures:
        lines.append(f"{len(failures)} failures (--verbose lists them)")
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    """A relative default path: from the working directory, else from the project root."""
    if path.is_absolute() or path.exists():
        return path
    fallback = _PROJECT_ROOT / path
    return fallback if fallback.exists() else path


def build_index(articles_dir: Path) -> FactIndex:
    """Articles folder → facts → an in-memory index (no database); skipped files to stderr."""
    from ..articles import read_articles
    from ..facts import extract_facts

    articles, skipped = read_articles(articles_dir)
    for item in skipped:
        print(f"skipped {item.path}: {item.reason}", file=sys.stderr)
    facts = [fact for article in articles for fact in extract_facts(article)]
    return FactIndex.build(facts)


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["eval"]:
        args_in = args_in[1:]
    parser = argparse.ArgumentParser(
        prog="python -m knowledge eval",
        description="Score the matcher against the question set.",
    )
    parser.add_argument("--questions", type=Path, default=None, help=str(DEFAULT_QUESTIONS))
    parser.add_argument("--articles", type=Path, default=None, help=str(DEFAULT_ARTICLES))
    parser.add_argument("--split", choices=("tune", "holdout", "all"), default="all")
    parser.add_argument("--verbose", action="store_true", help="list every failure")
    parser.add_argument(
        "--compare", action="store_true", help="citybot next to the BM25 and tantivy baselines"
    )
    parser.add_argument("--markdown", action="store_true", help="with --compare: a Markdown table")
    args = parser.parse_args(args_in)
    if args.markdown and not args.compare:
        parser.error("--markdown goes with --compare")

    questions_path = args.questions or _existing(DEFAULT_QUESTIONS)
    articles_dir = args.articles or _existing(DEFAULT_ARTICLES)
    questions = load_questions(questions_path)
    if args.compare:
        splits = SPLITS if args.split == "all" else (args.split,)
        index = build_index(articles_dir)
        comparison = compare(index, questions, splits=splits, ask=answer_module.ask)
        print(format_compare(comparison, markdown=args.markdown))
        return 0
    if args.split != "all":
        questions = [q for q in questions if q.split == args.split]
    index = build_index(articles_dir)
    report = evaluate(index, questions, ask=answer_module.ask)  # looked up now, not at import
    print(format_report(report, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
