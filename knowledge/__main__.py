"""`python -m knowledge build | eval` — the knowledge side's command line."""

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
    if argv and argv[0] == "eval":
        from .evaluate import main as eval_main

        return eval_main(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "build":
        return asyncio.run(_build(args.articles, args.database))
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
