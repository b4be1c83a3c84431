"""`python -m knowledge eval`: the question sets (judging.py) asked, and the score printed.

It loads the seed articles and the test articles (tests/eval/articles) into one in-memory
index (no database) and asks two question sets:

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
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import answer as answer_module
from ..index import FactIndex
from .judging import (
    CATEGORIES,
    SPLITS,
    AskFunction,
    EvalQuestion,
    EvalReport,
    Result,
    SplitTotals,
    evaluate,
    evaluate_matcher,
    judge,
    judge_top,
    load_questions,
    summarize,
)

# What the tests import from here: judging.py's names among them, from before it was split
# off this module.
__all__ = [
    "CATEGORIES",
    "SPLITS",
    "Comparison",
    "EvalQuestion",
    "SplitTotals",
    "build_index",
    "compare",
    "evaluate",
    "evaluate_matcher",
    "format_compare",
    "format_report",
    "judge",
    "judge_top",
    "load_questions",
    "main",
]

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = Path("tests/eval/questions.jsonl")
DEFAULT_ARTICLES = Path("seeds")
# The default run: each question set with its name, over the articles of both.
DEFAULT_SETS = (("seed", DEFAULT_QUESTIONS), ("news", Path("tests/eval/news.jsonl")))
DEFAULT_ARTICLE_DIRS = (DEFAULT_ARTICLES, Path("tests/eval/articles"))


# --- citybot beside the baselines ------------------------------------------------------------


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
