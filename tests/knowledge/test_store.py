"""FactStore against real databases: SQLite in tmp_path and PostgreSQL on 127.0.0.1:5432.

Every test that takes `url` runs on both backends; each PostgreSQL test gets a database of
its own (created and dropped here), so tests do not depend on each other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pg_kit import POSTGRES_URL, can_create_databases, fresh_pg_database, pg_admin
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

import knowledge.database as database_module
import knowledge.store as store_module
from knowledge.articles import Article, Skipped, read_articles
from knowledge.facts import Fact, extract_facts
from knowledge.store import ArticleInfo, BuildError, BuildReport, FactStore

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_IDS = ("000_76f55cd445ededdb.txt", "001_9e8737218ffa3194.txt", "004_e37ac366897bb94f.txt")


# --- backends ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/x/citybot.db"
        return
    if await can_create_databases():
        async with fresh_pg_database("citybot_test") as pg_url:
            yield pg_url
        return
    # No CREATEDB right: use the `test` database itself, emptied first.
    admin, user = await pg_admin()
    await admin.execute(
        "DROP TABLE IF EXISTS journal_votes, journal_questions, figures, facts, articles, "
        "meta, alembic_version CASCADE"
    )
    await admin.close()
    yield sa.make_url(POSTGRES_URL).set(username=user).render_as_string(hide_password=False)


@pytest.fixture
async def store(url: str) -> AsyncIterator[FactStore]:
    opened = await FactStore.open(url)
    yield opened
    await opened.close()


# --- articles ------------------------------------------------------------------------------


def make_article(n: int, sentences: int = 3, edition: str = "") -> Article:
    """A small article: `sentences` sentences in one paragraph, each with figures."""
    text = " ".join(
        f"В {2020 + i} году в Алматы построят {n + i + 2} школ{edition}." for i in range(sentences)
    )
    return Article(
        id=f"{n:03d}_article.txt",
        title=f"Статья {n}",
        date=None if n % 2 else dt.date(2025, 1, 1 + n % 28),
        url=f"https://example.kz/{n}" if n % 3 else None,
        paragraphs=(text,),
        content_hash=hashlib.sha256(f"{n}|{sentences}|{edition}".encode()).hexdigest(),
    )


def expected_facts(articles: list[Article]) -> list[Fact]:
    return [fact for a in sorted(articles, key=lambda a: a.id) for fact in extract_facts(a)]


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "articles"
    shutil.copytree(SEEDS, directory)
    return directory


async def count_rows(url: str, table: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await engine.dispose()


class WriteLog:
    """Statements the store sends, and whether its write transaction is open right now."""

    def __init__(self, fact_store: FactStore) -> None:
        self.statements: list[str] = []
        self.write_open = False
        sync_engine = fact_store._engine.sync_engine

        def is_write(conn: sa.Connection) -> bool:
            return bool(conn.get_execution_options().get(database_module.WRITE_OPTION))

        @event.listens_for(sync_engine, "before_cursor_execute")
        def _log(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.statements.append(statement.strip().upper())

        @event.listens_for(sync_engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            if is_write(conn):
                self.write_open = True

        @event.listens_for(sync_engine, "commit")
        def _commit(conn: sa.Connection) -> None:
            if is_write(conn):
                self.write_open = False

    def writes(self) -> list[str]:
        return [s for s in self.statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]


# --- summary (no database) -----------------------------------------------------------------


def test_summary_lines() -> None:
    report = BuildReport(
        added=("c.txt",),
        unchanged=("a.txt", "b.txt"),
        skipped=(Skipped("bad.txt", "пустой файл"), Skipped("x.txt", "нет заголовка")),
        kept=("x.txt",),
        facts_before=61,
        facts_after=70,
        generation=3,
    )
    assert report.changed_anything
    assert report.summary() == [
        "Статей: добавлено 1, изменено 0, удалено 0, без изменений 2",
        "Фактов: 61 → 70",
        "Пропущено: bad.txt — пустой файл",
        "Пропущено: x.txt — нет заголовка",
        "Оставлена прежняя версия: x.txt",
    ]


def test_summary_without_changes() -> None:
    report = BuildReport(unchanged=("a.txt", "b.txt"), facts_before=12, facts_after=12)
    assert not report.changed_anything
    assert report.summary() == ["Изменений нет (статей: 2, фактов: 12)"]


# --- schema --------------------------------------------------------------------------------


async def test_open_creates_directory_and_schema_by_migrations(url: str, tmp_path: Path) -> None:
    fact_store = await FactStore.open(url)
    try:
        assert await fact_store.generation() == 0
        assert await fact_store.load() == []
        assert await fact_store.articles() == []
    finally:
        await fact_store.close()
    if url.startswith("sqlite"):
        assert (tmp_path / "x" / "citybot.db").is_file()

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            versions = (
                await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            ).all()
            tables = await conn.run_sync(lambda c: sorted(sa.inspect(c).get_table_names()))
            # The ORM models and the migrations describe the same schema.
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}),
                    database_module.Base.metadata,
                )
            )
    finally:
        await engine.dispose()
    assert [tuple(v) for v in versions] == [("0004",)]
    assert tables == [
        "alembic_version",
        "announced_facts",
        "articles",
        "facts",
        "figures",
        "journal_questions",
        "journal_votes",
        "meta",
        "outbox",
        "outbox_pace",
        "subscriptions",
    ]
    assert diff == []

    # Opening again is a no-op for the schema and keeps the data.
    again = await FactStore.open(url)
    try:
        assert await again.generation() == 0
    finally:
        await again.close()


async def test_sqlite_connection_settings(tmp_path: Path) -> None:
    fact_store = await FactStore.open(f"sqlite+aiosqlite:///{tmp_path}/x/citybot.db")
    try:
        async with fact_store._engine.connect() as conn:
            pragmas = [
                (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            ]
        assert pragmas == ["wal", 30000, 1]
        log = WriteLog(fact_store)
        await fact_store.rebuild([make_article(1)])
        assert "BEGIN IMMEDIATE" in log.statements
    finally:
        await fact_store.close()


async def test_sqlite_rebuild_waits_for_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "x" / "citybot.db"
    fact_store = await FactStore.open(f"sqlite+aiosqlite:///{path}")
    try:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        task = asyncio.create_task(fact_store.rebuild([make_article(1)]))
        await asyncio.sleep(0.5)
        assert not task.done()  # waiting (busy_timeout), not failing with "database is locked"
        other.execute("COMMIT")
        other.close()
        report = await asyncio.wait_for(task, 10)
        assert report.added == ("001_article.txt",)
        assert report.generation == 1
    finally:
        await fact_store.close()


# --- building ------------------------------------------------------------------------------


async def test_build_from_seeds(store: FactStore, seeds_dir: Path) -> None:
    report = await store.rebuild_from(seeds_dir)
    seed_articles, skipped = read_articles(seeds_dir)
    facts = expected_facts(seed_articles)

    assert report.added == SEED_IDS
    assert (report.changed, report.removed, report.unchanged, report.skipped) == ((), (), (), ())
    assert report.facts_before == 0
    assert report.facts_after == len(facts) == 44
    assert report.generation == 1
    assert skipped == []
    assert await store.generation() == 1

    loaded = await store.load()
    assert loaded == facts  # frozen dataclasses equal to the extractor's output
    assert all(type(f) is Fact for f in loaded)
    infos = await store.articles()
    assert [i.id for i in infos] == list(SEED_IDS)
    assert [i.facts for i in infos] == [13, 20, 11]
    assert [i.date for i in infos] == [dt.date(2025, 9, 12), dt.date(2026, 1, 9), None]
    assert infos[0] == ArticleInfo(
        id=seed_articles[0].id,
        title=seed_articles[0].title,
        date=seed_articles[0].date,
        url=seed_articles[0].url,
        content_hash=hashlib.sha256((seeds_dir / SEED_IDS[0]).read_bytes()).hexdigest(),
        facts=infos[0].facts,
    )


async def test_rebuild_unchanged_writes_nothing(store: FactStore, seeds_dir: Path) -> None:
    first = await store.rebuild_from(seeds_dir)
    log = WriteLog(store)

    report = await store.rebuild_from(seeds_dir)

    assert not report.changed_anything
    assert report.unchanged == SEED_IDS
    assert (report.added, report.changed, report.removed) == ((), (), ())
    assert report.facts_before == report.facts_after == first.facts_after
    assert report.generation == 1
    assert await store.generation() == 1
    assert log.writes() == []
    assert report.summary() == [f"Изменений нет (статей: 3, фактов: {first.facts_after})"]


async def test_changed_file_is_reextracted(store: FactStore, seeds_dir: Path) -> None:
    first = await store.rebuild_from(seeds_dir)
    edited = seeds_dir / SEED_IDS[1]
    with edited.open("a", encoding="utf-8") as file:
        file.write("\n\nК 2030 году в Алматы построят 12 новых школ на 18 тыс. мест.\n")

    report = await store.rebuild_from(seeds_dir)

    seed_articles, _ = read_articles(seeds_dir)
    facts = expected_facts(seed_articles)
    assert report.changed == (SEED_IDS[1],)
    assert report.unchanged == (SEED_IDS[0], SEED_IDS[2])
    assert (report.added, report.removed) == ((), ())
    assert report.facts_before == first.facts_after
    assert report.facts_after == len(facts) == first.facts_after + 1 == 45
    assert report.generation == 2
    assert await store.generation() == 2
    assert await store.load() == facts
    assert any(f.text.startswith("К 2030 году") for f in await store.load())


async def test_removed_file_goes_with_its_facts_and_figures(
    store: FactStore, seeds_dir: Path, url: str
) -> None:
    await store.rebuild_from(seeds_dir)
    (seeds_dir / SEED_IDS[0]).unlink()

    report = await store.rebuild_from(seeds_dir)

    seed_articles, _ = read_articles(seeds_dir)
    assert report.removed == (SEED_IDS[0],)
    assert report.unchanged == SEED_IDS[1:]
    assert report.generation == 2
    assert [i.id for i in await store.articles()] == list(SEED_IDS[1:])
    assert await store.load() == expected_facts(seed_articles)
    prefix = SEED_IDS[0] + "#%"
    for table, column in (("facts", "id"), ("figures", "fact_id")):
        assert await count_rows(url, f"{table} WHERE {column} LIKE '{prefix}'") == 0


async def test_skipped_file_keeps_previous_version(store: FactStore, url: str) -> None:
    articles = [make_article(n) for n in range(1, 4)]
    await store.rebuild(articles)
    before = await store.load()

    report = await store.rebuild(
        articles[:2], [Skipped("003_article.txt", "пустой файл"), Skipped("new.txt", "нет текста")]
    )

    assert report.kept == ("003_article.txt",)
    assert report.removed == ()
    assert not report.changed_anything
    assert report.generation == 1
    assert await store.load() == before
    assert report.summary() == [
        "Изменений нет (статей: 3, фактов: 9)",
        "Пропущено: 003_article.txt — пустой файл",
        "Пропущено: new.txt — нет текста",
        "Оставлена прежняя версия: 003_article.txt",
    ]

    # With another change in the same run, the kept article still stays.
    report = await store.rebuild(
        [articles[0], make_article(9)], [Skipped("003_article.txt", "пустой файл")]
    )
    assert report.added == ("009_article.txt",)
    assert report.removed == ("002_article.txt",)
    assert report.kept == ("003_article.txt",)
    assert report.unchanged == ("001_article.txt",)
    assert (report.facts_before, report.facts_after) == (9, 9)
    assert [i.id for i in await store.articles()] == [
        "001_article.txt",
        "003_article.txt",
        "009_article.txt",
    ]


async def test_skipped_seed_file_keeps_previous_version(store: FactStore, seeds_dir: Path) -> None:
    first = await store.rebuild_from(seeds_dir)
    before = await store.load()
    (seeds_dir / SEED_IDS[2]).write_bytes(b"")  # broken now: the last good version stays

    report = await store.rebuild_from(seeds_dir)

    assert [s.path for s in report.skipped] == [SEED_IDS[2]]
    assert report.kept == (SEED_IDS[2],)
    assert report.unchanged == SEED_IDS[:2]
    assert not report.changed_anything
    assert report.facts_after == first.facts_after
    assert await store.load() == before
    assert f"Оставлена прежняя версия: {SEED_IDS[2]}" in report.summary()


async def test_hand_built_articles_round_trip(store: FactStore) -> None:
    articles = [make_article(n, sentences=n % 4 + 1) for n in range(1, 8)]
    report = await store.rebuild(articles)
    assert report.added == tuple(f"{n:03d}_article.txt" for n in range(1, 8))
    assert report.facts_after == 2 + 3 + 4 + 1 + 2 + 3 + 4
    loaded = await store.load()
    assert loaded == expected_facts(articles)
    assert loaded[0].id == "001_article.txt#0"
    assert loaded[0].article_date is None and loaded[1].article_url == "https://example.kz/1"
    assert [i.facts for i in await store.articles()] == [2, 3, 4, 1, 2, 3, 4]


async def test_new_extractor_version_reextracts_everything(
    store: FactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = [make_article(n) for n in range(1, 4)]
    await store.rebuild(articles)
    monkeypatch.setattr(store_module, "EXTRACTOR_VERSION", store_module.EXTRACTOR_VERSION + 1)

    report = await store.rebuild(articles)

    assert report.changed == ("001_article.txt", "002_article.txt", "003_article.txt")
    assert report.generation == 2
    assert not (await store.rebuild(articles)).changed_anything


async def test_duplicate_article_ids_are_refused(store: FactStore) -> None:
    with pytest.raises(BuildError, match="дважды: 001_article.txt"):
        await store.rebuild([make_article(1), make_article(1, edition="!")])
    assert await store.generation() == 0


async def test_missing_directory_raises_and_store_still_serves(
    store: FactStore, seeds_dir: Path, tmp_path: Path
) -> None:
    await store.rebuild_from(seeds_dir)
    before = await store.load()

    missing = tmp_path / "nowhere"
    with pytest.raises(BuildError) as info:
        await store.rebuild_from(missing)
    assert str(info.value) == f"папка со статьями не найдена: {missing}"
    with pytest.raises(BuildError, match="папка со статьями не найдена"):
        await store.rebuild_from(seeds_dir / SEED_IDS[0])  # a file, not a folder

    assert await store.generation() == 1
    assert await store.load() == before
    assert not (await store.rebuild_from(seeds_dir)).changed_anything


async def test_empty_directory_removes_everything(
    store: FactStore, tmp_path: Path, url: str
) -> None:
    await store.rebuild([make_article(n) for n in range(1, 4)])
    empty = tmp_path / "empty"
    empty.mkdir()

    report = await store.rebuild_from(empty)

    assert report.removed == ("001_article.txt", "002_article.txt", "003_article.txt")
    assert (report.facts_before, report.facts_after, report.generation) == (9, 0, 2)
    assert await store.load() == []
    assert await count_rows(url, "figures") == 0


async def test_reopen_keeps_data(url: str) -> None:
    articles = [make_article(n) for n in range(1, 3)]
    first = await FactStore.open(url)
    try:
        await first.rebuild(articles)
    finally:
        await first.close()
    second = await FactStore.open(url)
    try:
        assert await second.generation() == 1
        assert await second.load() == expected_facts(articles)
        assert not (await second.rebuild(articles)).changed_anything
    finally:
        await second.close()


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.slow  # readers racing rebuilds
async def test_readers_see_old_or_new_store_never_a_mix(
    store: FactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_articles = [make_article(n) for n in range(1, 21)]
    # New: every old article changed (5 sentences instead of 3), plus 200 more.
    new_articles = [make_article(n, sentences=5) for n in range(1, 221)]
    await store.rebuild(old_articles)
    old = await store.load()
    new = expected_facts(new_articles)
    assert (len(old), len(new)) == (60, 1100)
    # Small batches: the write transaction spans many awaits, so reads run inside it.
    monkeypatch.setattr(store_module, "INSERT_BATCH", 25)
    log = WriteLog(store)
    observed: list[tuple[bool, list[Fact]]] = []

    async def reader() -> None:
        while True:
            inside_before = log.write_open
            facts = await store.load()
            observed.append((inside_before and log.write_open, facts))
            if len(facts) == len(new):
                return
            await asyncio.sleep(0)

    report, *_ = await asyncio.gather(store.rebuild(new_articles), *(reader() for _ in range(8)))

    assert report.generation == 2
    assert (report.facts_before, report.facts_after) == (60, 1100)
    assert {len(facts) for _, facts in observed} <= {60, 1100}
    for _, facts in observed:
        assert facts in (old, new)
    # Some reads ran wholly while the write transaction was open, and saw the old store.
    inside = [facts for during, facts in observed if during]
    assert inside
    assert all(facts == old for facts in inside)
    assert await store.load() == new


async def test_concurrent_rebuilds_in_one_process_serialize(store: FactStore) -> None:
    a = [make_article(n) for n in range(1, 31)]
    b = [make_article(n, sentences=4) for n in range(20, 61)]
    await store.rebuild([make_article(1)])

    first, second = await asyncio.gather(store.rebuild(a), store.rebuild(b))

    reports = sorted([first, second], key=lambda r: r.generation)
    assert [r.generation for r in reports] == [2, 3]
    assert reports[0].facts_before == 3
    assert reports[1].facts_before == reports[0].facts_after
    last = a if reports[1] is first else b
    assert await store.load() == expected_facts(last)
    assert await store.generation() == 3


async def test_concurrent_rebuilds_from_two_stores_serialize(url: str) -> None:
    # Two FactStore objects stand for two processes: only the database serializes them.
    one, two = await FactStore.open(url), await FactStore.open(url)
    try:
        a = [make_article(n) for n in range(1, 101)]
        b = [make_article(n, sentences=4) for n in range(50, 201)]

        first, second = await asyncio.gather(one.rebuild(a), two.rebuild(b))

        reports = sorted([first, second], key=lambda r: r.generation)
        assert [r.generation for r in reports] == [1, 2]
        assert reports[0].facts_before == 0
        assert reports[1].facts_before == reports[0].facts_after
        last = a if reports[1] is first else b
        assert await one.load() == await two.load() == expected_facts(last)
        assert await two.generation() == 2
    finally:
        await one.close()
        await two.close()
