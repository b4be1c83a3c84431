"""The journal (knowledge.journal) on SQLite and PostgreSQL: questions, votes, /unanswered
groups, /stats numbers, salted user hashes, retention, migrations 0002 and 0003, and the
write-behind queue (flushed by hand here: no sleeps)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pg_kit import store_url
from sqlalchemy.ext.asyncio import create_async_engine

from knowledge import FactStore, Journal
from knowledge.database import MIGRATIONS_DIR
from knowledge.journal import (
    DOWN,
    RETENTION_DAYS,
    SALT_KEY,
    UP,
    Stats,
)
from knowledge.unanswered import UnansweredGroup, group_questions, normalize

USER = 987_654_321  # distinctive digits, to look for in the database files
OTHER = 123_456_789
NOW = dt.datetime(2026, 2, 10, 12, 0, tzinfo=dt.UTC)  # 17:00 in Almaty


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def back(self, **delta: float) -> dt.datetime:
        return NOW - dt.timedelta(**delta)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with store_url(request.param, tmp_path, "citybot_journal") as database_url:
        yield database_url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def journal(url: str, clock: Clock) -> AsyncIterator[Journal]:
    store = await FactStore.open(url)  # runs the migrations, 0002 included
    await store.close()
    opened = Journal(url, clock=clock)
    yield opened
    await opened.close()


async def test_question_record_round_trip(journal: Journal) -> None:
    record_id = await journal.record_question(
        USER, "  Сколько туристов?  ", found=True, topic="туризм", fact_ids=["a#1", "b#2"]
    )
    record = await journal.question(record_id)
    assert record is not None
    assert (record.id, record.text, record.found, record.topic) == (
        record_id,
        "Сколько туристов?",
        True,
        "туризм",
    )
    assert record.fact_ids == ("a#1", "b#2")
    assert record.asked_at == NOW
    assert await journal.flush()
    assert await journal.question(record_id) == record  # the same, read back from the table
    missing = await journal.record_question(USER, "Погода?", found=False)
    assert 0 < missing < 2**62 and missing != record_id  # random ids, made in the process
    assert (await journal.question(missing)).fact_ids == ()  # type: ignore[union-attr]
    assert await journal.question(10_000) is None


async def test_one_vote_per_user_and_answer_the_latest_counts(journal: Journal) -> None:
    record_id = await journal.record_question(USER, "Сколько туристов?", found=True)
    first = await journal.vote(record_id, USER, UP)
    assert first is not None and first.changed and first.previous is None
    again = await journal.vote(record_id, USER, UP)
    assert again is not None and not again.changed and again.previous == UP
    other = await journal.vote(record_id, OTHER, DOWN)
    assert other is not None and other.changed
    stats = await journal.stats()
    assert (stats.up, stats.down) == (1, 1)

    changed = await journal.vote(record_id, USER, DOWN)  # a change of mind replaces the vote
    assert changed is not None and changed.changed and changed.previous == UP
    assert changed.question.text == "Сколько туристов?"
    stats = await journal.stats()
    assert (stats.up, stats.down) == (0, 2)

    assert await journal.vote(10_000, USER, UP) is None  # no such answer: nothing stored
    with pytest.raises(ValueError):
        await journal.vote(record_id, USER, 0)


async def test_unanswered_groups_similar_questions_most_frequent_first(
    journal: Journal, clock: Clock
) -> None:
    asked = [
        ("какая погода завтра в алматы", dict(days=3)),
        ("Какая погода завтра в Алматы?", dict(days=2)),  # the same after normalising
        ("Какая погода в Алматы завтра?", dict(hours=5)),  # same words, another order
        ("Когда откроют метро?", dict(days=10)),
        ("Когда откроют метро в Алматы?", dict(days=1)),  # the shorter one's words and more
        ("Какая зарплата у акима?", dict(days=4)),
        ("Какая зарплата у учителей?", dict(days=4, hours=1)),  # 84 < 85: another group
        ("Старый вопрос без ответа", dict(days=31)),  # older than 30 days: not listed
    ]
    for text, ago in asked:
        clock.now = clock.back(**ago)
        await journal.record_question(USER, text, found=False)
    clock.now = clock.back(days=6)
    found = await journal.record_question(USER, "Сколько туристов приехало?", found=True)
    clock.now = NOW
    await journal.vote(found, OTHER, DOWN)  # a 👎 puts the question on the list too
    await journal.record_question(USER, "Сколько туристов в Алматы?", found=True)

    groups = await journal.unanswered(days=30)
    assert [(g.text, g.count) for g in groups] == [
        ("Какая погода завтра в Алматы?", 3),
        ("Когда откроют метро в Алматы?", 2),
        ("Сколько туристов приехало?", 1),
        ("Какая зарплата у акима?", 1),
        ("Какая зарплата у учителей?", 1),
    ]
    assert groups[0].last == NOW - dt.timedelta(hours=5)
    assert [g.text for g in await journal.unanswered(days=30, limit=2)] == [
        "Какая погода завтра в Алматы?",
        "Когда откроют метро в Алматы?",
    ]


def test_grouping_rule_by_itself() -> None:
    at = NOW
    rows = [
        ("Сколько стоит проезд в автобусе?", at),
        ("Сколько стоит проезд на автобусе", at),
        ("Сколько стоит проезд на автобусе", at - dt.timedelta(days=1)),
        ("???", at),  # nothing left after normalising: ignored
        ("Где купить билет на концерт?", at),
    ]
    assert group_questions(rows) == [
        UnansweredGroup("Сколько стоит проезд на автобусе", 3, at),
        UnansweredGroup("Где купить билет на концерт?", 1, at),
    ]
    assert normalize("  Ёлка — в ПАРКЕ?! ") == "елка в парке"


async def test_stats_counts_today_week_topics_unanswered_and_votes(
    journal: Journal, clock: Clock
) -> None:
    plan = [
        # (how long ago, text, found, topic)
        (dict(hours=1), "Сколько туристов приехало?", True, "туризм"),
        (dict(hours=2), "Сколько туристов в 2025 году?", True, "туризм"),
        (dict(hours=3), "Сколько предприятий МСП?", True, "МСП"),
        (dict(hours=4), "Какая погода завтра?", False, None),
        # 12:00 UTC is 17:00 in Almaty: 18 hours ago is yesterday there.
        (dict(hours=18), "Какая погода завтра в Алматы?", False, None),
        (dict(days=3), "Сколько выделят на образование?", True, "образование"),
        (dict(days=6), "Сколько туристов будет?", True, "туризм"),
        (dict(days=8), "Когда построят метро?", False, None),  # older than a week
    ]
    ids = []
    for ago, text, found, topic in plan:
        clock.now = clock.back(**ago)
        ids.append(await journal.record_question(USER, text, found=found, topic=topic))
    clock.now = NOW
    await journal.vote(ids[0], USER, UP)
    await journal.vote(ids[0], OTHER, UP)
    await journal.vote(ids[2], USER, DOWN)

    stats = await journal.stats()
    assert (stats.today, stats.week, stats.answered) == (4, 7, 5)
    assert stats.answered_share == pytest.approx(5 / 7)
    assert stats.topics == (("туризм", 3), ("МСП", 1), ("образование", 1))
    assert [(g.text, g.count) for g in stats.unanswered] == [
        ("Какая погода завтра?", 2),
        ("Сколько предприятий МСП?", 1),
    ]
    assert (stats.up, stats.down) == (2, 1)


async def test_empty_journal_stats(journal: Journal) -> None:
    stats = await journal.stats()
    assert (stats.today, stats.week, stats.answered, stats.up, stats.down) == (0, 0, 0, 0, 0)
    assert stats.answered_share == 0.0
    assert stats.topics == () and stats.unanswered == ()
    assert await journal.unanswered() == []


async def test_user_ids_are_stored_only_as_salted_hashes(url: str, clock: Clock) -> None:
    store = await FactStore.open(url)
    await store.close()
    journal = Journal(url, clock=clock)
    record_id = await journal.record_question(USER, "Какая погода?", found=False)
    await journal.vote(record_id, USER, DOWN)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            users = (await conn.execute(sa.text("SELECT user_hash FROM journal_questions"))).all()
            voters = (await conn.execute(sa.text("SELECT user_hash FROM journal_votes"))).all()
            salt = (
                await conn.execute(
                    sa.text("SELECT value FROM meta WHERE key = :k"), {"k": SALT_KEY}
                )
            ).scalar_one()
            # Every text column of every row: the id appears nowhere.
            for table in ("journal_questions", "journal_votes", "meta"):
                for row in (await conn.execute(sa.text(f"SELECT * FROM {table}"))).all():
                    assert str(USER) not in " ".join(map(str, row)), table
    finally:
        await engine.dispose()
    hashed = await journal.user_hash(USER)
    assert users == [(hashed,)] and voters == [(hashed,)]
    assert len(hashed) == 32 and str(USER) not in hashed
    assert len(salt) == 64  # made by migration 0002
    await journal.close()

    # The same salt from the database in another process; a configured salt differs.
    again = Journal(url)
    assert await again.user_hash(USER) == hashed
    await again.close()
    salted = Journal(url, salt="from-the-environment")
    assert await salted.user_hash(USER) != hashed
    await salted.close()

    if url.startswith("sqlite"):
        # Grep the files themselves (the WAL too): not the digits, not as text anywhere.
        folder = Path(sa.make_url(url).database or "").parent
        for path in folder.iterdir():
            assert str(USER).encode() not in path.read_bytes(), path.name


async def test_salt_row_is_recreated_if_deleted(url: str) -> None:
    store = await FactStore.open(url)
    await store.close()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM meta WHERE key = :k"), {"k": SALT_KEY})
    finally:
        await engine.dispose()
    journal = Journal(url)
    first = await journal.user_hash(USER)
    await journal.close()
    again = Journal(url)
    assert await again.user_hash(USER) == first
    await again.close()


async def test_old_entries_are_pruned(journal: Journal, clock: Clock) -> None:
    clock.now = clock.back(days=RETENTION_DAYS + 1)
    old = await journal.record_question(USER, "Давний вопрос", found=False)
    await journal.vote(old, USER, DOWN)
    clock.now = NOW
    journal._pruned_at = -1e9  # the once-an-hour pruning is due
    fresh = await journal.record_question(USER, "Свежий вопрос", found=False)
    assert await journal.flush()  # pruning goes with a write of the queue
    assert await journal.question(old) is None
    assert await journal.question(fresh) is not None
    assert await journal.unanswered(days=RETENTION_DAYS + 10) == [
        UnansweredGroup("Свежий вопрос", 1, NOW)
    ]


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def test_migration_0002_upgrades_an_existing_database_and_downgrades(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    sync_url = f"sqlite:///{path}"
    command.upgrade(_alembic(sync_url), "0001")  # a database from before the journal
    tables = sa.inspect(sa.create_engine(sync_url)).get_table_names()
    assert "journal_questions" not in tables

    url = f"sqlite+aiosqlite:///{path}"
    store = await FactStore.open(url)  # brings it to 0002
    await store.close()
    journal = Journal(url)
    record_id = await journal.record_question(USER, "Вопрос", found=False)
    assert (await journal.question(record_id)) is not None
    await journal.close()

    command.downgrade(_alembic(sync_url), "0001")
    engine = sa.create_engine(sync_url)
    try:
        tables = sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            keys = [k for (k,) in conn.execute(sa.text("SELECT key FROM meta"))]
    finally:
        engine.dispose()
    assert sorted(tables) == ["alembic_version", "articles", "facts", "figures", "meta"]
    assert keys == ["generation"]


# --- the write-behind queue ------------------------------------------------------------------


@pytest.fixture
async def manual(url: str, clock: Clock) -> AsyncIterator[Journal]:
    """A journal without the background writer: only flush(), reads, votes and close write."""
    store = await FactStore.open(url)
    await store.close()
    opened = Journal(url, clock=clock, flush_interval=None)
    yield opened
    await opened.close()


async def _rows(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            count = (
                await conn.execute(sa.text("SELECT count(*) FROM journal_questions"))
            ).scalar_one()
    finally:
        await engine.dispose()
    return int(count)


async def _unanswered(journal: Journal, record_id: int) -> object:
    return await journal.unanswered()


async def _stats(journal: Journal, record_id: int) -> object:
    stats = await journal.stats()
    assert isinstance(stats, Stats)
    return stats.week


async def _vote(journal: Journal, record_id: int) -> object:
    result = await journal.vote(record_id, USER, DOWN)
    assert result is not None  # found, though it was only queued
    return result.question.text


READS: dict[str, tuple[Callable[[Journal, int], Awaitable[object]], object]] = {
    "unanswered": (_unanswered, [UnansweredGroup("Погода?", 1, NOW)]),
    "stats": (_stats, 1),
    "vote on a queued record": (_vote, "Погода?"),
}


@pytest.mark.parametrize("read", READS, ids=list(READS))
async def test_reads_and_votes_write_the_queue_first(manual: Journal, url: str, read: str) -> None:
    reader, expected = READS[read]
    record_id = await manual.record_question(USER, "Погода?", found=False)
    assert (manual.queued, await _rows(url)) == (1, 0)  # off the reply path: nothing written
    assert await reader(manual, record_id) == expected
    assert (manual.queued, await _rows(url)) == (0, 1)


async def test_a_queued_record_is_read_from_memory(manual: Journal, url: str) -> None:
    record_id = await manual.record_question(USER, "Погода?", found=True, fact_ids=["a#1"])
    record = await manual.question(record_id)
    assert record is not None and record.fact_ids == ("a#1",) and record.asked_at == NOW
    assert manual.queued == 1  # no write was needed for that
    assert await manual.flush()
    assert await manual.question(record_id) == record


async def test_close_writes_the_queue(url: str, clock: Clock) -> None:
    store = await FactStore.open(url)
    await store.close()
    # The background writer is running (a long interval): close() must still write.
    journal = Journal(url, clock=clock, flush_interval=3600.0)
    ids = [await journal.record_question(USER, f"Вопрос {i}", found=False) for i in range(3)]
    await journal.close()
    assert await _rows(url) == 3
    again = Journal(url, clock=clock, flush_interval=None)
    try:
        assert [(await again.question(i)) is not None for i in ids] == [True] * 3
    finally:
        await again.close()


async def test_a_failed_write_is_logged_once_kept_and_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/later.db"  # no tables yet: every write fails
    journal = Journal(url, salt="salt", clock=Clock(), flush_interval=None)
    try:
        record_id = await journal.record_question(USER, "Погода?", found=False)
        with caplog.at_level(logging.WARNING, logger="knowledge.journal"):
            assert [await journal.flush(), await journal.flush()] == [False, False]
        assert [r.levelname for r in caplog.records] == ["ERROR"]  # once, not per try
        assert journal.queued == 1
        caplog.clear()

        store = await FactStore.open(url)  # the database is back
        await store.close()
        with caplog.at_level(logging.WARNING, logger="knowledge.journal"):
            assert await journal.flush()
        assert [r.getMessage() for r in caplog.records] == ["The journal is written again"]
        assert (await journal.question(record_id)) is not None and journal.queued == 0
    finally:
        await journal.close()


async def test_the_queue_is_bounded_dropping_the_oldest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/down.db"  # no tables: the database is "down"
    journal = Journal(url, salt="salt", clock=Clock(), flush_interval=None, max_queued=2)
    try:
        with caplog.at_level(logging.WARNING, logger="knowledge.journal"):
            ids = [await journal.record_question(USER, f"В{i}", found=False) for i in range(3)]
        assert list(journal._queue) == ids[1:]  # the oldest went
        assert "dropped" in caplog.text
    finally:
        journal._queue.clear()  # nothing could be written anyway
        await journal.close()


async def test_an_id_clash_drops_only_that_row(manual: Journal, url: str) -> None:
    first = await manual.record_question(USER, "Первый", found=False)
    assert await manual.flush()
    await manual.record_question(USER, "Второй", found=False)
    (second,) = manual._queue
    row: Any = manual._queue.pop(second)
    manual._queue[first] = {**row, "id": first}  # the same id as a row already written
    third = await manual.record_question(USER, "Третий", found=False)
    assert await manual.flush()
    assert await _rows(url) == 2
    assert (await manual.question(first)).text == "Первый"  # type: ignore[union-attr]
    assert (await manual.question(third)).text == "Третий"  # type: ignore[union-attr]
