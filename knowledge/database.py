"""The database all of knowledge's tables live in: the store's schema, engines, migrations.

The schema comes from the Alembic migrations in `knowledge/migrations` (the same for SQLite
and PostgreSQL), applied by `FactStore.open()`; the ORM models below describe the store's
tables (the journal's and the subscriptions' are Core tables in their own modules). Every
engine is made by `open_engine`, which gives SQLite WAL, a busy timeout and write
transactions that take the write lock at BEGIN.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/citybot.db"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Turning WAL on needs the file to itself, and SQLite answers «database is locked» at once
# instead of waiting (no busy handler for it): two processes opening a new database together
# try again, this many times, a little longer each time.
WAL_TRIES = 20
WAL_RETRY_S = 0.05
# Execution option read by the SQLite "begin" hook: write transactions take the write lock
# at BEGIN (BEGIN IMMEDIATE), so two writers never both read and then fail to upgrade.
WRITE_OPTION = "citybot_write"
# Arbitrary constant key for the PostgreSQL advisory lock taken while migrating.
PG_MIGRATION_LOCK = 0x63697479  # "city"


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(sa.String, primary_key=True)  # file name
    title: Mapped[str] = mapped_column(sa.Text)
    date: Mapped[dt.date | None] = mapped_column(sa.Date)
    url: Mapped[str | None] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    extractor_version: Mapped[int] = mapped_column(sa.Integer)


class FactRow(Base):
    __tablename__ = "facts"
    __table_args__ = (
        # Also the index for facts.article_id (leading column) and for the cascade.
        sa.Index("ix_facts_article_id", "article_id", "position", unique=True),
    )

    id: Mapped[str] = mapped_column(sa.String, primary_key=True)  # "001_x.txt#3"
    article_id: Mapped[str] = mapped_column(
        sa.String, sa.ForeignKey("articles.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text)


class FigureRow(Base):
    __tablename__ = "figures"

    # The primary key (fact_id, ordinal) is the index for figures.fact_id.
    fact_id: Mapped[str] = mapped_column(
        sa.String, sa.ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    value: Mapped[float] = mapped_column(sa.Double)
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str | None] = mapped_column(sa.Text)
    scale: Mapped[str | None] = mapped_column(sa.String(16))
    comparison: Mapped[str | None] = mapped_column(sa.String(16))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    month: Mapped[int | None] = mapped_column(sa.Integer)
    start_pos: Mapped[int] = mapped_column(sa.Integer)
    end_pos: Mapped[int] = mapped_column(sa.Integer)


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)


articles_table: sa.Table = ArticleRow.__table__  # type: ignore[assignment]
facts_table: sa.Table = FactRow.__table__  # type: ignore[assignment]
figures_table: sa.Table = FigureRow.__table__  # type: ignore[assignment]
meta_table: sa.Table = MetaRow.__table__  # type: ignore[assignment]


def open_engine(url: str, *, synchronous: str | None = None, **pool: Any) -> AsyncEngine:
    """An engine for `url`. SQLite gets `install_sqlite_hooks` (with `synchronous`) and its
    default pool; any other database the `pool` options (pool_size, pool_pre_ping, …)."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url)
        install_sqlite_hooks(engine, synchronous=synchronous)
        return engine
    return create_async_engine(url, **pool)


def _turn_on_wal(cursor: Any) -> None:
    """PRAGMA journal_mode = WAL, unless the file is in WAL already (the mode is kept in the
    file); retried while another process is turning a new file to WAL (see WAL_TRIES)."""
    for attempt in range(1, WAL_TRIES + 1):
        try:
            cursor.execute("PRAGMA journal_mode")
            row = cursor.fetchone()
            if row is None or str(row[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as error:  # the driver's OperationalError, as its adapter wraps it
            if "locked" not in str(error) or attempt == WAL_TRIES:
                raise
            # Blocks the loop, but only while two processes open a new database together.
            time.sleep(WAL_RETRY_S * attempt)


def install_sqlite_hooks(engine: AsyncEngine, *, synchronous: str | None = None) -> None:
    """WAL, busy timeout, foreign keys; BEGIN emitted by us (IMMEDIATE for connections with
    the WRITE_OPTION execution option); `synchronous` sets that PRAGMA too (the journal).

    The recipe from SQLAlchemy's SQLite docs ("Enabling Non-Legacy SQLite Transactional
    Modes"): the driver's own BEGIN handling is switched off with isolation_level = None.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _turn_on_wal(cursor)
            if synchronous is not None:
                cursor.execute(f"PRAGMA synchronous = {synchronous}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def upgrade_schema(connection: Connection) -> None:
    """Alembic `upgrade head` on an open connection (inside the caller's transaction)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
