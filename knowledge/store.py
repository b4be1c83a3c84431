"""The fact store: articles, facts and figures in SQL (SQLite by default, PostgreSQL too).

Async only here, at the database edge. Frozen dataclasses go out, never ORM rows.

The schema comes from the Alembic migrations in `knowledge/migrations`, applied by
`FactStore.open()` (the same migrations for SQLite and PostgreSQL); knowledge/database.py
describes it. Reads and writes go through Core statements on its tables, so that 100,000
facts load and store in seconds. What a rebuild changes is planned in knowledge/build.py.

Consistency:
- a rebuild is one transaction; readers see the old store or the new one, never a mix
  (SQLite: WAL + a read transaction per `load()`; PostgreSQL: REPEATABLE READ for reads);
- rebuilds in one process are serialised by an asyncio.Lock, across processes by the
  database (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE on the meta row
  holding the generation).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .articles import Article, Skipped, Stopped, read_articles
from .background import Stop, off_loop
from .build import BuildError, BuildReport, Stored, plan_rebuild, report_of
from .database import (
    DEFAULT_DATABASE_URL,
    PG_MIGRATION_LOCK,
    WRITE_OPTION,
    articles_table,
    facts_table,
    figures_table,
    meta_table,
    open_engine,
    upgrade_schema,
)
from .facts import EXTRACTOR_VERSION, Fact, extract_facts
from .figures import Figure

GENERATION_KEY = "generation"
# PostgreSQL LISTEN/NOTIFY channel: a committed rebuild sends its new generation on it.
GENERATION_CHANNEL = "citybot_generation"
# Rows per executemany() and ids per IN (...) list: well under SQLite's variable limit.
INSERT_BATCH = 10_000
ID_BATCH = 500
LOAD_BATCH = 10_000  # rows read at a time by load()
# A rebuild's check of the new generation before it commits: (generation, its facts) → what
# serving it needs (the index); raises when that cannot be made. Runs in a thread.
IndexCheck = Callable[[int, list[Fact]], object]


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    title: str
    date: dt.date | None
    url: str | None
    content_hash: str
    facts: int  # number of facts stored for it


@dataclass
class _Rows:
    """Rows to insert for a set of articles, as tuples in the order of the _COLUMNS (a dict
    per row is made only for the batch being inserted: a tuple is a fraction of its size)."""

    articles: list[tuple[Any, ...]] = field(default_factory=list)
    facts: list[tuple[Any, ...]] = field(default_factory=list)
    figures: list[tuple[Any, ...]] = field(default_factory=list)
    extracted: list[Fact] = field(default_factory=list)  # the facts themselves, for the check


_ARTICLE_COLUMNS = ("id", "title", "date", "url", "content_hash", "extractor_version")
_FACT_COLUMNS = ("id", "article_id", "position", "text")
_FIGURE_COLUMNS = (
    "fact_id",
    "ordinal",
    "text",
    "value",
    "kind",
    "unit",
    "scale",
    "comparison",
    "year",
    "month",
    "start_pos",
    "end_pos",
)


# --- the store -----------------------------------------------------------------------------


class FactStore:
    """Async access to the SQL store."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL) -> None:
        self.url = url
        parsed = make_url(url)
        self._is_sqlite = parsed.get_backend_name() == "sqlite"
        self._is_postgresql = parsed.get_backend_name() == "postgresql"
        self._sqlite_path: Path | None = None
        if self._is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                self._sqlite_path = Path(database)
        # pool_pre_ping: a connection the server dropped (a restart, pg_terminate_backend)
        # is replaced when it is taken from the pool, instead of failing the first call.
        self._engine: AsyncEngine = open_engine(url, pool_pre_ping=True)
        # Same pool, but its transactions are write transactions (BEGIN IMMEDIATE on SQLite).
        self._write_engine = self._engine.execution_options(**{WRITE_OPTION: True})
        if self._is_postgresql:
            # Two statements in one read (facts, then figures) must see the same snapshot.
            self._read_engine = self._engine.execution_options(isolation_level="REPEATABLE READ")
        else:
            self._read_engine = self._engine
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._rebuild_lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str = DEFAULT_DATABASE_URL) -> FactStore:
        """Connect, create the SQLite directory if needed, bring the schema up to date."""
        store = cls(url)
        try:
            await store._ensure_ready()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self._engine.dispose()

    # -- schema ---------------------------------------------------------------------------

    async def _ensure_ready(self) -> None:
        """On first use: the SQLite directory, then the migrations (idempotent)."""
        if self._ready:
            return
        async with self._ready_lock:
            if self._ready:
                return
            if self._sqlite_path is not None:
                self._sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            async with self._write_engine.begin() as conn:
                if self._is_postgresql:
                    # Two processes opening a fresh database must not both create the tables.
                    await conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
                    )
                await conn.run_sync(upgrade_schema)
            self._ready = True

    # -- rebuild --------------------------------------------------------------------------

    async def rebuild(
        self,
        articles: Sequence[Article],
        skipped: Sequence[Skipped] = (),
        *,
        check: IndexCheck | None = None,
    ) -> BuildReport:
        """Make the store hold exactly `articles` in one transaction; no changes, no writes.

        With `check`, the new generation is checked before it is committed (the library
        builds its index from it): if the check raises, nothing is written and BuildError
        says why. Its result is the report's `checked`.
        """
        by_id: dict[str, Article] = {}
        for article in articles:
            if article.id in by_id:
                raise BuildError(f"статья встречается дважды: {article.id}")
            by_id[article.id] = article
        skipped = tuple(skipped)
        try:
            await self._ensure_ready()
            async with self._rebuild_lock:
                return await self._rebuild(by_id, skipped, check)
        except SQLAlchemyError as exc:
            # The driver's message, first line only: str(exc) also carries the SQL and its
            # parameters (article text), too long and too raw for the admin's reply.
            cause = getattr(exc, "orig", None) or exc
            reason = next(iter(str(cause).strip().splitlines()), "") or type(cause).__name__
            raise BuildError(f"ошибка базы данных: {reason}") from exc

    async def _rebuild(
        self, by_id: dict[str, Article], skipped: tuple[Skipped, ...], check: IndexCheck | None
    ) -> BuildReport:
        # 1. A cheap look first, outside the write lock: most reloads change nothing, and
        #    extraction (CPU work) should not run while the database is locked for writing.
        async with self._read_engine.connect() as conn, conn.begin():
            stored = await _read_stored(conn)
            seen = await _read_generation(conn)
        plan = plan_rebuild(by_id, skipped, stored, EXTRACTOR_VERSION)
        if not plan.changes_anything:
            async with self._read_engine.connect() as conn:
                count = await _count_facts(conn)
                generation = await _read_generation(conn)
            return report_of(plan, skipped, count, count, generation)
        prepared = await _extract(by_id, plan.added + plan.changed)
        checked = None
        if check is not None:
            # The new generation's facts (the stored ones that stay, and the new ones), checked
            # outside the write lock too: an index that cannot be built is never committed.
            snapshot_generation, stored_facts = await self.snapshot()
            gone = set(plan.removed + plan.changed)
            facts = [f for f in stored_facts if f.article_id not in gone]
            facts += [f for i in plan.added + plan.changed for f in prepared[i].extracted]
            facts.sort(key=lambda fact: (fact.article_id, fact.position))
            if snapshot_generation != seen:
                seen = -1  # the store changed meanwhile: checked again inside the write
            else:
                checked = await _check(check, seen + 1, facts)

        # 2. The write: one transaction; the plan is made again inside it, since another
        #    process may have rebuilt in the meantime.
        async with self._write_engine.begin() as conn:
            generation = await _lock_generation(conn)
            stored = await _read_stored(conn)
            checked_plan = plan
            plan = plan_rebuild(by_id, skipped, stored, EXTRACTOR_VERSION)
            facts_before = await _count_facts(conn)
            if not plan.changes_anything:
                return report_of(plan, skipped, facts_before, facts_before, generation)
            missing = [i for i in plan.added + plan.changed if i not in prepared]
            if missing:
                prepared.update(await _extract(by_id, tuple(missing)))
            await _delete_articles(conn, plan.removed + plan.changed)
            rows = _Rows()
            for article_id in plan.added + plan.changed:
                part = prepared[article_id]
                rows.articles.extend(part.articles)
                rows.facts.extend(part.facts)
                rows.figures.extend(part.figures)
            await _insert(conn, articles_table, _ARTICLE_COLUMNS, rows.articles)
            await _insert(conn, facts_table, _FACT_COLUMNS, rows.facts)
            await _insert(conn, figures_table, _FIGURE_COLUMNS, rows.figures)
            generation += 1
            if check is not None and (generation != seen + 1 or plan != checked_plan):
                # Another process rebuilt between the look and the write: check what this
                # transaction is about to commit (it rolls back if the check raises).
                checked = await _check(check, generation, await _read_facts(conn))
            await _write_generation(conn, generation)
            if self._is_postgresql:
                # Queued now, delivered by PostgreSQL at commit (never if it rolls back):
                # other processes' GenerationWatcher (knowledge.watch) swap in the new index.
                await conn.execute(
                    sa.text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": GENERATION_CHANNEL, "payload": str(generation)},
                )
            facts_after = await _count_facts(conn)
        report = report_of(plan, skipped, facts_before, facts_after, generation)
        return dataclasses.replace(report, checked=checked)

    async def rebuild_from(
        self, directory: Path, *, check: IndexCheck | None = None
    ) -> BuildReport:
        """Read `directory` (off the event loop), then rebuild; BuildError if it is missing."""
        directory = Path(directory)
        if not directory.is_dir():
            raise BuildError(f"папка со статьями не найдена: {directory}")
        try:
            # A file that only repeats other articles is skipped (and named in the report).
            articles, skipped = await off_loop(
                lambda stop: read_articles(directory, drop_duplicates=True, stop=stop),
                name="citybot-read",
            )
        except OSError as exc:
            raise BuildError(f"не удалось прочитать папку со статьями {directory}: {exc}") from exc
        return await self.rebuild(articles, skipped, check=check)

    # -- reads ----------------------------------------------------------------------------

    async def load(self) -> list[Fact]:
        """Every stored fact with its figures, by article id then position."""
        return (await self.snapshot())[1]

    async def snapshot(self) -> tuple[int, list[Fact]]:
        """The generation and its facts, read in one transaction (so they belong together)."""
        await self._ensure_ready()
        async with self._read_engine.connect() as conn, conn.begin():
            generation = await _read_generation(conn)
            facts = await _read_facts(conn)
        return generation, facts

    async def articles(self) -> list[ArticleInfo]:
        """Stored articles, by id."""
        await self._ensure_ready()
        a, f = articles_table.c, facts_table.c
        query = (
            sa.select(a.id, a.title, a.date, a.url, a.content_hash, sa.func.count(f.id))
            .outerjoin_from(articles_table, facts_table, f.article_id == a.id)
            .group_by(a.id, a.title, a.date, a.url, a.content_hash)
        )
        async with self._read_engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        infos = [
            ArticleInfo(id=i, title=t, date=d, url=u, content_hash=h, facts=int(n))
            for i, t, d, u, h, n in rows
        ]
        infos.sort(key=lambda info: info.id)
        return infos

    async def generation(self) -> int:
        """Increases by one with every rebuild that changed something; 0 for an empty store."""
        await self._ensure_ready()
        async with self._read_engine.connect() as conn:
            return await _read_generation(conn)


# --- helpers -------------------------------------------------------------------------------


async def _extract(by_id: dict[str, Article], ids: Sequence[str]) -> dict[str, _Rows]:
    """Facts and figures of the given articles as insert rows (in a thread: CPU work)."""
    if not ids:
        return {}
    articles = [by_id[i] for i in ids]
    try:
        return await off_loop(lambda stop: _rows_for(articles, stop), name="citybot-extract")
    except _ExtractionError as exc:
        raise BuildError(f"не удалось извлечь факты из {exc.article_id}: {exc.cause!r}") from (
            exc.cause
        )


class _ExtractionError(Exception):
    def __init__(self, article_id: str, cause: Exception) -> None:
        super().__init__(article_id, cause)
        self.article_id = article_id
        self.cause = cause


async def _check(check: IndexCheck, generation: int, facts: list[Fact]) -> object:
    """The check, in a thread; BuildError (nothing committed) when it raises."""
    try:
        return await off_loop(lambda _stop: check(generation, facts), name="citybot-index")
    except Exception as exc:  # MemoryError included
        raise BuildError(
            f"новую версию не удалось проиндексировать ({type(exc).__name__}: {exc})"
        ) from exc


def _rows_for(articles: Iterable[Article], stop: Stop | None = None) -> dict[str, _Rows]:
    result: dict[str, _Rows] = {}
    for article in articles:
        if stop is not None and stop():
            raise Stopped
        try:
            facts = extract_facts(article)
        except Exception as exc:  # a bug in extraction must not half-change the store
            raise _ExtractionError(article.id, exc) from exc
        rows = _Rows()
        rows.articles.append(
            (
                article.id,
                article.title,
                article.date,
                article.url,
                article.content_hash,
                EXTRACTOR_VERSION,
            )
        )
        rows.extracted = facts
        for fact in facts:
            rows.facts.append((fact.id, article.id, fact.position, fact.text))
            for ordinal, figure in enumerate(fact.figures):
                rows.figures.append(
                    (
                        fact.id,
                        ordinal,
                        figure.text,
                        figure.value,
                        figure.kind,
                        figure.unit,
                        figure.scale,
                        figure.comparison,
                        figure.year,
                        figure.month,
                        figure.start,
                        figure.end,
                    )
                )
        result[article.id] = rows
    return result


_T = TypeVar("_T")


def _batches(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _read_stored(conn: AsyncConnection) -> Stored:
    a = articles_table.c
    rows = (await conn.execute(sa.select(a.id, a.content_hash, a.extractor_version))).all()
    return Stored(versions={i: (h, v) for i, h, v in rows})


async def _read_facts(conn: AsyncConnection) -> list[Fact]:
    """Every fact with its figures, by article id then position (in the caller's
    transaction, so a rebuild can read what it is about to commit)."""
    f, a, g = facts_table.c, articles_table.c, figures_table.c
    # Every row brings its own copy of each value: the article's id, title and date and
    # the figures' kinds and units are shared instead (at 100,000 facts, tens of MB); and
    # rows are read a batch at a time, never all at once next to the facts made of them.
    shared: dict[Any, Any] = {}
    articles: dict[str, tuple[str, str, dt.date | None, str | None]] = {}
    figures: defaultdict[str, list[Figure]] = defaultdict(list)
    facts: list[Fact] = []
    figure_rows = await conn.stream(
        sa.select(
            g.fact_id,
            g.text,
            g.value,
            g.kind,
            g.unit,
            g.scale,
            g.comparison,
            g.year,
            g.month,
            g.start_pos,
            g.end_pos,
        ).order_by(g.fact_id, g.ordinal)
    )
    async for batch in figure_rows.partitions(LOAD_BATCH):
        for fact_id, text, value, *rest in batch:  # in the order of Figure's fields
            shared_rest = (shared.setdefault(v, v) for v in rest)
            figures[fact_id].append(Figure(text, value, *shared_rest))
    fact_rows = await conn.stream(
        sa.select(f.id, f.article_id, f.position, f.text, a.title, a.date, a.url)
        .join_from(facts_table, articles_table, f.article_id == a.id)
        .order_by(f.article_id, f.position)
    )
    async for fact_batch in fact_rows.partitions(LOAD_BATCH):
        for fact_id, article_id, position, text, title, date, url in fact_batch:
            article = articles.get(article_id)
            if article is None:
                article = articles[article_id] = (article_id, title, date, url)
            facts.append(
                Fact(
                    id=fact_id,
                    article_id=article[0],
                    position=position,
                    text=text,
                    figures=tuple(figures.pop(fact_id, ())),
                    article_title=article[1],
                    article_date=article[2],
                    article_url=article[3],
                )
            )
    # The database's collation may order ids differently (PostgreSQL locales): be exact.
    facts.sort(key=lambda fact: (fact.article_id, fact.position))
    return facts


async def _count_facts(conn: AsyncConnection) -> int:
    return int(
        (await conn.execute(sa.select(sa.func.count()).select_from(facts_table))).scalar_one()
    )


async def _read_generation(conn: AsyncConnection) -> int:
    value = (
        await conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == GENERATION_KEY))
    ).scalar_one_or_none()
    return int(value) if value is not None else 0


async def _lock_generation(conn: AsyncConnection) -> int:
    """Read the generation, locking its row until commit (PostgreSQL; SQLite is locked already)."""
    value = (
        await conn.execute(
            sa.select(meta_table.c.value)
            .where(meta_table.c.key == GENERATION_KEY)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if value is None:
        # The migration creates the row; recreate it if someone deleted it.
        await conn.execute(sa.insert(meta_table).values(key=GENERATION_KEY, value="0"))
        return 0
    return int(value)


async def _write_generation(conn: AsyncConnection, generation: int) -> None:
    await conn.execute(
        sa.update(meta_table)
        .where(meta_table.c.key == GENERATION_KEY)
        .values(value=str(generation))
    )


async def _delete_articles(conn: AsyncConnection, ids: Sequence[str]) -> None:
    """Delete articles; their facts and figures go with them (ON DELETE CASCADE)."""
    for batch in _batches(sorted(ids), ID_BATCH):
        await conn.execute(sa.delete(articles_table).where(articles_table.c.id.in_(batch)))


async def _insert(
    conn: AsyncConnection, table: sa.Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    for batch in _batches(rows, INSERT_BATCH):
        await conn.execute(
            sa.insert(table), [dict(zip(columns, row, strict=True)) for row in batch]
        )
