"""Issue 20, defect 3: one unstorable question must not stop the question journal.

A lone surrogate (SQLite cannot encode it) or a NUL (PostgreSQL refuses it) in one question
failed the whole batch, and only an id clash was retried row by row: the bad row stayed at the
head of the queue, and every 👍/👎, /stats and /unanswered after it failed until a restart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pg_kit import store_url

import knowledge.journal as journal_module
from knowledge import FactStore, Journal

USER = 7


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with store_url(request.param, tmp_path, "citybot_hostile") as database_url:
        yield database_url


@pytest.fixture
async def journal(url: str) -> AsyncIterator[Journal]:
    store = await FactStore.open(url)
    await store.close()
    opened = Journal(url, salt="salt", flush_interval=None)
    yield opened
    await opened.close()


@pytest.mark.parametrize(
    ("asked", "stored"),
    [
        ("сколько \ud800 туристов", "сколько \ufffd туристов"),  # UnicodeEncodeError on SQLite
        ("сколько\x00 туристов", "сколько туристов"),  # invalid byte sequence on PostgreSQL
        ("тури\u200bстов", "туристов"),
    ],
    ids=["lone-surrogate", "nul", "zero-width"],
)
async def test_odd_characters_are_cleaned_and_the_journal_goes_on(
    journal: Journal, asked: str, stored: str
) -> None:
    odd = await journal.record_question(USER, asked, found=False)
    after = await journal.record_question(USER, "Сколько школ построят?", found=True)
    assert await journal.flush()
    assert journal.queued == 0
    record = await journal.question(odd)
    assert record is not None and record.text == stored
    vote = await journal.vote(after, USER, journal_module.UP)
    assert vote is not None and vote.changed
    stats = await journal.stats()
    assert (stats.week, stats.answered, stats.up) == (2, 1, 1)


async def test_a_row_the_database_refuses_is_dropped_alone(
    journal: Journal, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever the error, a batch falls back to a row at a time: the row that fails while
    the database answers is logged and dropped; the rows before and after it are written.
    The reported triggers: a lone surrogate on SQLite, NUL on PostgreSQL."""
    bad_text = "\ud800" if journal.url.startswith("sqlite") else "a\x00b"
    before = await journal.record_question(USER, "Первый вопрос", found=False)
    bad = await journal.record_question(USER, "будет испорчен", found=False)
    after = await journal.record_question(USER, "Третий вопрос", found=True)
    row: dict[str, Any] = journal._queue[bad]
    row["text"] = bad_text  # past the cleaning: a value the database refuses
    await journal.flush()
    assert journal.queued == 0
    assert await journal.question(bad) is None
    assert (await journal.question(before)) is not None
    assert (await journal.question(after)) is not None
    assert await journal.vote(after, USER, journal_module.DOWN) is not None
    assert f"Journal record {bad} could not be written" in caplog.text


async def test_an_outage_keeps_the_rows_queued(tmp_path: Path) -> None:
    """The fallback drops a row only while the database answers: with no tables (a database
    that is not there yet) every row stays queued."""
    journal = Journal(f"sqlite+aiosqlite:///{tmp_path}/none.db", salt="s", flush_interval=None)
    try:
        await journal.record_question(USER, "сколько \ud800", found=False)
        await journal.record_question(USER, "Второй", found=False)
        assert not await journal.flush()
        assert journal.queued == 2
    finally:
        journal._queue.clear()
        await journal.close()
