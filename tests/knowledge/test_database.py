"""database: SQLite is turned to WAL even while another process is turning a new file to
WAL (SQLite then answers «database is locked» at once, without waiting)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from knowledge import database


class _Cursor:
    """A cursor whose first `locked` statements fail as a busy new database does."""

    def __init__(self, locked: int, mode: str = "delete", error: str = "database is locked"):
        self.locked, self.mode, self.error = locked, mode, error
        self.statements: list[str] = []

    def execute(self, sql: str) -> None:
        if self.locked:
            self.locked -= 1
            raise sqlite3.OperationalError(self.error)
        self.statements.append(sql)
        if sql == "PRAGMA journal_mode = WAL":
            self.mode = "wal"

    def fetchone(self) -> tuple[str]:
        return (self.mode,)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "WAL_RETRY_S", 0.0)


@pytest.mark.parametrize("locked", [0, 1, 5])
def test_wal_is_turned_on_after_the_file_is_free(locked: int) -> None:
    cursor = _Cursor(locked)
    database._turn_on_wal(cursor)
    assert cursor.mode == "wal"
    assert cursor.statements == ["PRAGMA journal_mode", "PRAGMA journal_mode = WAL"]


def test_a_file_in_wal_already_is_left_alone() -> None:
    cursor = _Cursor(0, mode="wal")
    database._turn_on_wal(cursor)
    assert cursor.statements == ["PRAGMA journal_mode"]


def test_other_errors_and_a_lock_that_stays_are_raised() -> None:
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        database._turn_on_wal(_Cursor(1, error="disk I/O error"))
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        database._turn_on_wal(_Cursor(database.WAL_TRIES))


async def test_a_new_file_opened_through_the_engine_is_in_wal(tmp_path: Path) -> None:
    engine = database.open_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        async with engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    finally:
        await engine.dispose()
    assert mode == "wal"
