"""`python -m knowledge build | eval | bench` — the knowledge side's command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from .store import DEFAULT_DATABASE_URL, BuildError, FactStore


async def _build(articles: Path, database_url: str) -> int:
    store = await FactStore.open(database_url)
    try:
        report = await store.rebuild_from(articles)
    except BuildError as error:
        print(f"Не удалось собрать базу: {error}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    for line in report.summary():
        print(line)
    print(f"Поколение базы: {report.generation}")
    return 0


def _explain(question: str, articles: Path) -> int:
    from .articles import read_articles
    from .facts import extract_facts
    from .index import FactIndex

    parsed, _ = read_articles(articles)
    index = FactIndex.build(fact for article in parsed for fact in extract_facts(article))
    q = index.parse_question(question)
    print(f"type={q.kind} years={sorted(q.years)}")
    for unit in q.units:
        print(f"  unit {unit.label!r} weight={unit.weight} {unit.alternatives}")
    confident = {m.fact.id for m in index.match(question, limit=10)}
    for m in index.rank(question, limit=8, threshold=False):
        mark = "+" if m.fact.id in confident else " "
        figure = m.figure.text if m.figure else "—"
        print(f"{mark} {m.score:7.3f} {m.fact.id} [{figure}] {' '.join(m.why)}")
        print(f"          {m.fact.text[:110]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m knowledge")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="rebuild the fact store from the articles folder")
    build.add_argument(
        "--articles", type=Path, default=Path(os.environ.get("ARTICLES_DIR", "seeds"))
    )
    build.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    commands.add_parser("eval", help="accuracy on tests/eval/questions.jsonl", add_help=False)
    commands.add_parser("bench", help="speed on a synthetic corpus of N facts", add_help=False)
    explain = commands.add_parser("explain", help="how the matcher scores a question")
    explain.add_argument("question")
    explain.add_argument("--articles", type=Path, default=Path("seeds"))
    if argv and argv[0] == "eval":
        from .dev.evaluate import main as eval_main

        return eval_main(argv[1:])
    if argv and argv[0] == "bench":
        from .dev.bench import main as bench_main

        return bench_main(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "build":
        return asyncio.run(_build(args.articles, args.database))
    if args.command == "explain":
        return _explain(args.question, args.articles)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
