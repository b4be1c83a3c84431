"""A process for the crash tests: rebuild a large synthetic article set, print markers.

    python tests/reliability/crash_worker.py DATABASE_URL EDITION [ARTICLES]

EDITION is "A" or "B": the same article ids with different text (B has one sentence more
per article), so every rebuild from one edition to the other changes every article.
Markers on stdout, one a line, flushed at once (the test kills this process after one):

    opened generation=<g> facts=<n>
    rebuild started
    write lock: <statement>  (how the write transaction took its lock: SQLite's
                              BEGIN IMMEDIATE, PostgreSQL's SELECT … FOR UPDATE)
    write started            (the first statement of the write transaction that deletes)
    commit started           (just before the write transaction's COMMIT)
    rebuild done generation=<g> facts=<n>
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import sys
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.articles import Article  # noqa: E402
from knowledge.facts import extract_facts  # noqa: E402

EDITIONS = ("A", "B")
DEFAULT_ARTICLES = 2_000
# One article per edition says how many libraries open: the "answering" check asks it.
LIBRARIES = {"A": 120, "B": 150}
LIBRARY_QUESTION = "Сколько библиотек откроют в Алматы в 2026 году?"


def sentences_per_article(edition: str) -> int:
    return 3 if edition == "A" else 4


def make_articles(edition: str, count: int = DEFAULT_ARTICLES) -> list[Article]:
    """`count` articles whose every sentence names the edition (so a mix would show)."""
    articles = []
    for n in range(count):
        sentences = [
            f"В {2020 + i} году в квартале {n} выпуска {edition} построят {n * 7 + i + 3} домов."
            for i in range(sentences_per_article(edition))
        ]
        if n == 0:
            sentences.append(
                f"В 2026 году в Алматы откроют {LIBRARIES[edition]} библиотек, выпуск {edition}."
            )
        text = " ".join(sentences)
        articles.append(
            Article(
                id=f"{n:05d}_synthetic.txt",
                title=f"Синтетическая статья {n}, выпуск {edition}",
                date=dt.date(2025, 1 + n % 12, 1 + n % 28),
                url=None,
                paragraphs=(text,),
                content_hash=hashlib.sha256(f"{edition}|{n}|{text}".encode()).hexdigest(),
            )
        )
    return articles


@cache
def expected_facts(edition: str, count: int = DEFAULT_ARTICLES) -> int:
    """How many facts a store holding exactly this edition has."""
    return sum(len(extract_facts(article)) for article in make_articles(edition, count))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(url: str, edition: str, count: int) -> None:
    from sqlalchemy import event

    from knowledge.store import FactStore

    store = await FactStore.open(url)
    try:
        generation, facts = await store.snapshot()
        say(f"opened generation={generation} facts={len(facts)}")
        articles = make_articles(edition, count)

        announced = False
        locked = False

        def before_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            nonlocal announced, locked
            sql = " ".join(statement.split()).upper()
            if not locked and (sql == "BEGIN IMMEDIATE" or sql.endswith("FOR UPDATE")):
                locked = True
                say(
                    "write lock: "
                    + ("BEGIN IMMEDIATE" if sql.startswith("BEGIN") else "FOR UPDATE")
                )
            if not announced and sql.startswith("DELETE"):
                announced = True
                say("write started")

        def before_commit(conn: Any) -> None:
            if announced:
                say("commit started")

        event.listen(store._engine.sync_engine, "before_cursor_execute", before_execute)
        event.listen(store._engine.sync_engine, "commit", before_commit)
        say("rebuild started")
        report = await store.rebuild(articles)
        say(f"rebuild done generation={report.generation} facts={report.facts_after}")
    finally:
        await store.close()


if __name__ == "__main__":
    url, edition = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else DEFAULT_ARTICLES
    if edition not in EDITIONS:
        raise SystemExit(f"edition must be one of {EDITIONS}")
    asyncio.run(main(url, edition, count))
