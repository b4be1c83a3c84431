"""The journal: what people asked, whether the facts answered it, and their 👍/👎.

It lives in the fact store's database (SQLite or PostgreSQL), in tables made by migration
0002, and serves the admins' /unanswered and /stats.

What is kept, and only that:
- each question: time (UTC), the text, found or not, the topic of the fact that answered it
  and the ids of the facts offered (the answer and the next-best ones, for the buttons);
- each vote: time, +1 or -1; one per user and answer, a later vote replaces the earlier;
- the asker and the voter only as a salted hash of the Telegram id (HMAC-SHA256): the salt
  is the JOURNAL_SALT setting or, without it, a random value in the `meta` table;
- nothing older than RETENTION_DAYS.

Writes are off the reply path (write-behind): `record_question` gives the record its id in
the process (a random 62-bit integer: no round trip, and several replicas on one PostgreSQL
never need to agree on a counter — a clash is about 1 in 10⁵ over 90 days of 10 million
questions, and then only that row is dropped, logged) and queues the row; a background task
writes the queue in one transaction every FLUSH_INTERVAL_S seconds, or as soon as
FLUSH_ROWS rows wait, and `close()` writes what is left. Reads stay exact: `unanswered`,
`stats` and a `vote` on a record still queued write the queue first; `question` finds a
queued record in memory. A failed write is logged (once per outage) and retried at the next
interval, never raised into an answer; while the database stays down the queue keeps at most
MAX_QUEUED_ROWS rows, dropping the oldest with a warning.

What a crash (kill -9, power loss) can lose: the questions of the last flush interval (at
most FLUSH_INTERVAL_S seconds of them, or FLUSH_ROWS rows) — and, on SQLite, whose commits
are WAL with synchronous=NORMAL, the last transactions before a power loss (not a process
crash). Votes are written before their reply, as before. Never facts: they are the store's,
in their own transactions.

Async, SQLAlchemy Core; frozen dataclasses go out.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .database import DEFAULT_DATABASE_URL, WRITE_OPTION, Base, meta_table, open_engine
from .text import clean_text
from .unanswered import UnansweredGroup, aware, group_questions

SALT_KEY = "journal_salt"
RETENTION_DAYS = 90
UNANSWERED_DAYS = 30
MAX_GROUPED_ROWS = 20_000  # the newest rows that /unanswered groups (a bound on the work)
MAX_FACT_IDS = 4
MAX_TOPIC_CHARS = 64
PRUNE_EVERY_SECONDS = 3600.0
FLUSH_INTERVAL_S = 0.5  # queued questions are written at least this often
FLUSH_ROWS = 200  # … or as soon as this many wait
MAX_QUEUED_ROWS = 50_000  # while the database is down: the oldest beyond this are dropped
ID_BITS = 62  # record ids: random, positive, fit a BIGINT (and a signed 64-bit integer)
# Kazakhstan keeps UTC+5 all year: "today" in /stats is an Almaty day.
ALMATY = dt.timezone(dt.timedelta(hours=5), "Алматы")
UP, DOWN = 1, -1

# BIGINT on PostgreSQL (migration 0003); SQLite's INTEGER PRIMARY KEY is 64-bit already.
_RecordId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

logger = logging.getLogger(__name__)

questions_table = sa.Table(
    "journal_questions",
    Base.metadata,
    sa.Column("id", _RecordId, primary_key=True, autoincrement=False),
    sa.Column("asked_at", sa.DateTime, nullable=False, index=True),
    sa.Column("user_hash", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("found", sa.Boolean, nullable=False),
    sa.Column("topic", sa.String(64)),
    sa.Column("fact_ids", sa.Text),
    sqlite_autoincrement=True,
)
votes_table = sa.Table(
    "journal_votes",
    Base.metadata,
    sa.Column(
        "question_id",
        _RecordId,
        sa.ForeignKey("journal_questions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_hash", sa.String(64), primary_key=True),
    sa.Column("value", sa.SmallInteger, nullable=False),
    sa.Column("voted_at", sa.DateTime, nullable=False, index=True),
)


@dataclass(frozen=True)
class QuestionRecord:
    """One asked question: the "answer record" that feedback buttons refer to."""

    id: int
    asked_at: dt.datetime  # UTC, aware
    text: str
    found: bool
    topic: str | None
    fact_ids: tuple[str, ...]  # the facts offered, best first


@dataclass(frozen=True)
class VoteResult:
    question: QuestionRecord
    value: int  # UP or DOWN
    previous: int | None  # this user's earlier vote on the same answer, if any

    @property
    def changed(self) -> bool:
        """False when the same vote was already stored (nothing was written)."""
        return self.previous != self.value


@dataclass(frozen=True)
class Stats:
    today: int  # questions since midnight in Almaty
    week: int  # questions in the last 7 days
    answered: int  # of `week`, how many found an answer
    topics: tuple[tuple[str, int], ...]  # topics of answered questions (7 days), most first
    unanswered: tuple[UnansweredGroup, ...]  # 7 days
    up: int  # 👍 in the last 7 days
    down: int  # 👎 in the last 7 days

    @property
    def answered_share(self) -> float:
        return self.answered / self.week if self.week else 0.0


class Journal:
    """Writes and reads the journal tables; the schema comes from the store's migrations
    (`FactStore.open` runs them), so open the store first."""

    def __init__(
        self,
        url: str = DEFAULT_DATABASE_URL,
        *,
        salt: str | None = None,
        clock: Any = None,
        flush_interval: float | None = FLUSH_INTERVAL_S,
        max_queued: int = MAX_QUEUED_ROWS,
    ) -> None:
        """`flush_interval` None: no background writer, only `flush()` (and reads, votes,
        close) write the queue — for tests."""
        self.url = url
        backend = make_url(url).get_backend_name()
        self._is_sqlite = backend == "sqlite"
        self._is_postgresql = backend == "postgresql"
        # A pool on both (closed by close()): a connection per write costs more than the write.
        # On SQLite in WAL, NORMAL syncs at checkpoints, not at every commit: a process
        # crash loses nothing, a power loss at most the last commits (module doc).
        self._engine: AsyncEngine = open_engine(
            url, synchronous="NORMAL", pool_size=2, max_overflow=3, pool_pre_ping=True
        )
        self._write_engine = self._engine.execution_options(**{WRITE_OPTION: True})
        self._salt = salt.encode() if salt else None
        self._salt_lock = asyncio.Lock()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._pruned_at = -PRUNE_EVERY_SECONDS
        # Write-behind queue of question rows, by record id, oldest first.
        self._queue: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._flush_interval = flush_interval
        self._max_queued = max_queued
        self._flush_lock: asyncio.Lock | None = None
        self._writer: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._failing = False  # the last write failed (logged once until one succeeds)
        self._dropped = 0  # rows dropped from a full queue since the last warning
        self._closed = False

    async def close(self) -> None:
        """Write what is queued (a failure is logged), stop the writer, close the pool."""
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None and not writer.done() and self._wake is not None:
            self._wake.set()  # the writer flushes once more and stops
            await asyncio.wait([writer])
        await self.flush()
        await self._engine.dispose()

    @property
    def queued(self) -> int:
        """Question rows waiting to be written."""
        return len(self._queue)

    # -- the write-behind queue ----------------------------------------------------------

    async def flush(self) -> bool:
        """Write the queued questions now; True if the queue was emptied. Never raises: a
        failure is logged and the rows stay queued for the next try."""
        loop = asyncio.get_running_loop()
        lock = self._flush_lock
        if lock is None or getattr(lock, "_citybot_loop", None) is not loop:
            lock = self._flush_lock = asyncio.Lock()
            lock._citybot_loop = loop  # type: ignore[attr-defined]
        async with lock:
            if not self._queue:
                return True
            batch = list(self._queue.values())
            try:
                written = await self._write(batch)
            except Exception:
                if not self._failing:
                    logger.exception(
                        "Could not write %d journal rows (kept, retried every %.1f s)",
                        len(batch),
                        self._flush_interval or 0.0,
                    )
                self._failing = True
                return False
            if self._failing:
                logger.warning("The journal is written again")
                self._failing = False
            for row_id in written:
                self._queue.pop(row_id, None)
            return not self._queue

    async def _write(self, batch: list[dict[str, Any]]) -> list[int]:
        """Insert the rows in one transaction; the ids written or given up on.

        Whatever makes the batch fail (an id clash, a value the database refuses), it falls
        back to a row at a time: a row that fails while the database answers is logged and
        dropped, so one bad row never holds up the queue behind it. When the database does
        not answer, the error is raised and the rows not yet written stay queued.
        """
        ids = [row["id"] for row in batch]
        try:
            async with self._write_engine.begin() as conn:
                await conn.execute(sa.insert(questions_table), batch)
                await self._maybe_prune(conn, self._now())
            return ids
        except Exception as error:
            if not isinstance(error, IntegrityError) and not await self._answers():
                raise
            logger.warning(
                "A journal batch failed (%s): writing its %d rows one by one",
                type(error).__name__,
                len(batch),
            )
        done: list[int] = []
        for row in batch:
            try:
                async with self._write_engine.begin() as conn:
                    await conn.execute(sa.insert(questions_table), [row])
            except Exception as error:
                if not isinstance(error, IntegrityError) and not await self._answers():
                    self._drop_written(done)
                    raise
                logger.error(
                    "Journal record %s could not be written, that question is not kept: %s",
                    row["id"],
                    _first_line(error),
                )
            done.append(row["id"])
        return done

    def _drop_written(self, ids: Iterable[int]) -> None:
        for row_id in ids:
            self._queue.pop(row_id, None)

    async def _answers(self) -> bool:
        """Does the database answer a read of the questions table? Then a failed insert is
        the row's fault, not an outage (a server down, a table missing)."""
        try:
            async with self._engine.connect() as conn:
                await conn.execute(sa.select(questions_table.c.id).limit(1))
        except Exception:
            return False
        return True

    def _enqueue(self, row: dict[str, Any]) -> None:
        self._queue[row["id"]] = row
        while len(self._queue) > self._max_queued:
            self._queue.popitem(last=False)
            self._dropped += 1
        if self._dropped and (self._dropped == 1 or self._dropped % 1000 == 0):
            logger.warning(
                "The journal queue is full (%d rows): %d oldest questions dropped",
                self._max_queued,
                self._dropped,
            )
        if self._flush_interval is None or self._closed:
            return
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._writer = loop.create_task(self._run_writer(self._wake, self._flush_interval))
        if len(self._queue) >= FLUSH_ROWS and self._wake is not None:
            self._wake.set()

    async def _run_writer(self, wake: asyncio.Event, interval: float) -> None:
        """The background writer: flush every `interval` seconds, or when woken."""
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=interval)
            wake.clear()
            if await self.flush():
                self._dropped = 0

    # -- identity -------------------------------------------------------------------------

    async def user_hash(self, user_id: int) -> str:
        """The salted hash that stands for a Telegram user id (32 hex characters)."""
        salt = await self._get_salt()
        return hmac.new(salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    async def _get_salt(self) -> bytes:
        if self._salt is not None:
            return self._salt
        async with self._salt_lock:
            if self._salt is None:
                self._salt = (await self._stored_salt()).encode()
        return self._salt

    async def _stored_salt(self) -> str:
        """The salt in `meta` (migration 0002 puts one there); recreated if it was deleted."""
        select = sa.select(meta_table.c.value).where(meta_table.c.key == SALT_KEY)
        async with self._engine.connect() as conn:
            value = (await conn.execute(select)).scalar_one_or_none()
        if value:
            return str(value)
        async with self._write_engine.begin() as conn:
            value = (await conn.execute(select)).scalar_one_or_none()
            if not value:
                value = secrets.token_hex(32)
                await conn.execute(sa.insert(meta_table).values(key=SALT_KEY, value=value))
        return str(value)

    # -- writes ---------------------------------------------------------------------------

    async def record_question(
        self,
        user_id: int,
        text: str,
        *,
        found: bool,
        topic: str | None = None,
        fact_ids: Sequence[str] = (),
    ) -> int:
        """Store one question; returns its record id (what feedback buttons carry)."""
        user = await self.user_hash(user_id)
        now = self._now()
        record_id = _new_id()
        while record_id in self._queue:  # pragma: no cover - 1 in 2**62
            record_id = _new_id()
        self._enqueue(
            {
                "id": record_id,
                "asked_at": _naive(now),
                "user_hash": user,
                # Telegram delivers what it is sent: lone surrogates, NUL, zero-width characters.
                "text": clean_text(text).strip(),
                "found": found,
                "topic": topic[:MAX_TOPIC_CHARS] if topic else None,
                "fact_ids": "\n".join(list(fact_ids)[:MAX_FACT_IDS]) or None,
            }
        )
        if self._closed:  # no writer any more: write it now
            await self.flush()
        return record_id

    async def vote(self, question_id: int, user_id: int, value: int) -> VoteResult | None:
        """Store a 👍 (UP) or 👎 (DOWN); None if there is no such answer record (any more).

        One vote per user and answer: a different vote replaces the earlier one, the same
        vote again changes nothing (`VoteResult.changed` is False).
        """
        if value not in (UP, DOWN):
            raise ValueError(f"a vote is {UP} or {DOWN}, not {value!r}")
        user = await self.user_hash(user_id)
        v = votes_table.c
        if question_id in self._queue:
            await self.flush()  # the vote's row refers to it
        async with self._write_engine.begin() as conn:
            question = await _read_question(conn, question_id)
            if question is None:
                return None
            previous = (
                await conn.execute(
                    sa.select(v.value).where(v.question_id == question_id, v.user_hash == user)
                )
            ).scalar_one_or_none()
            if previous != value:
                await self._upsert_vote(conn, question_id, user, value)
        return VoteResult(
            question=question,
            value=value,
            previous=int(previous) if previous is not None else None,
        )

    async def _upsert_vote(
        self, conn: AsyncConnection, question_id: int, user: str, value: int
    ) -> None:
        row = {
            "question_id": question_id,
            "user_hash": user,
            "value": value,
            "voted_at": _naive(self._now()),
        }
        insert: Any
        if self._is_postgresql:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(votes_table).values(**row)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[votes_table.c.question_id, votes_table.c.user_hash],
                set_={"value": statement.excluded.value, "voted_at": statement.excluded.voted_at},
            )
        )

    async def _maybe_prune(self, conn: AsyncConnection, now: dt.datetime) -> None:
        """Drop what is older than RETENTION_DAYS, at most once an hour per process."""
        tick = time.monotonic()
        if tick - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = tick
        cutoff = _naive(now - dt.timedelta(days=RETENTION_DAYS))
        # Votes go with their questions (ON DELETE CASCADE; SQLite: foreign_keys=ON).
        await conn.execute(sa.delete(votes_table).where(votes_table.c.voted_at < cutoff))
        await conn.execute(sa.delete(questions_table).where(questions_table.c.asked_at < cutoff))

    # -- reads ----------------------------------------------------------------------------

    async def question(self, question_id: int) -> QuestionRecord | None:
        queued = self._queue.get(question_id)
        if queued is not None:
            return _record_of(queued)
        async with self._engine.connect() as conn:
            return await _read_question(conn, question_id)

    async def unanswered(
        self, *, days: int = UNANSWERED_DAYS, limit: int = 10
    ) -> list[UnansweredGroup]:
        """The most frequent recent unanswered questions (not found, or voted 👎), grouped
        by similarity, most frequent first."""
        since = self._now() - dt.timedelta(days=days)
        await self.flush()
        async with self._engine.connect() as conn:
            rows = await _unanswered_rows(conn, since)
        return group_questions(rows)[:limit]

    async def stats(self, *, top: int = 5) -> Stats:
        """Numbers for /stats: today, the last 7 days, topics, unanswered, votes."""
        now = self._now()
        week = now - dt.timedelta(days=7)
        local = now.astimezone(ALMATY)
        midnight = dt.datetime.combine(local.date(), dt.time(), tzinfo=ALMATY)
        q, v = questions_table.c, votes_table.c
        await self.flush()
        async with self._engine.connect() as conn:
            today = (
                await conn.execute(
                    sa.select(sa.func.count()).where(q.asked_at >= _naive(midnight))
                )
            ).scalar_one()
            total, answered = (
                await conn.execute(
                    sa.select(
                        sa.func.count(),
                        sa.func.coalesce(sa.func.sum(sa.case((q.found, 1), else_=0)), 0),
                    ).where(q.asked_at >= _naive(week))
                )
            ).one()
            topic_rows = (
                await conn.execute(
                    sa.select(q.topic, sa.func.count().label("n"))
                    .where(q.asked_at >= _naive(week), q.found, q.topic.is_not(None))
                    .group_by(q.topic)
                    .order_by(sa.desc("n"), q.topic)
                    .limit(top)
                )
            ).all()
            votes: dict[int, int] = dict(
                (
                    await conn.execute(
                        sa.select(v.value, sa.func.count())
                        .where(v.voted_at >= _naive(week))
                        .group_by(v.value)
                    )
                ).all()
            )
            unanswered_rows = await _unanswered_rows(conn, week)
        return Stats(
            today=int(today),
            week=int(total),
            answered=int(answered),
            topics=tuple((str(t), int(n)) for t, n in topic_rows),
            unanswered=tuple(group_questions(unanswered_rows)[:3]),
            up=int(votes.get(UP, 0)),
            down=int(votes.get(DOWN, 0)),
        )

    def _now(self) -> dt.datetime:
        now: dt.datetime = self._clock()
        return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


# --- helpers -------------------------------------------------------------------------------


def _naive(moment: dt.datetime) -> dt.datetime:
    """Stored form: naive UTC (the same on SQLite and PostgreSQL)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    return next(iter(str(cause).strip().splitlines()), "") or type(cause).__name__


def _new_id() -> int:
    """A record id: random, 1 … 2**62 - 1 (collision-safe enough across replicas)."""
    return secrets.randbits(ID_BITS) or 1


def _record_of(row: Any) -> QuestionRecord:
    """A QuestionRecord from a row (a database row or a queued dict)."""
    values: Any = row if isinstance(row, dict) else row._mapping
    fact_ids = values["fact_ids"]
    return QuestionRecord(
        id=int(values["id"]),
        asked_at=aware(values["asked_at"]),
        text=values["text"],
        found=bool(values["found"]),
        topic=values["topic"],
        fact_ids=tuple(fact_ids.split("\n")) if fact_ids else (),
    )


async def _read_question(conn: AsyncConnection, question_id: int) -> QuestionRecord | None:
    q = questions_table.c
    row = (
        await conn.execute(
            sa.select(q.id, q.asked_at, q.text, q.found, q.topic, q.fact_ids).where(
                q.id == question_id
            )
        )
    ).one_or_none()
    return None if row is None else _record_of(row)


async def _unanswered_rows(
    conn: AsyncConnection, since: dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """Questions not found, and answers voted 👎, since `since` (newest first, bounded)."""
    q, v = questions_table.c, votes_table.c
    not_found = (
        await conn.execute(
            sa.select(q.text, q.asked_at)
            .where(q.asked_at >= _naive(since), sa.not_(q.found))
            .order_by(q.asked_at.desc())
            .limit(MAX_GROUPED_ROWS)
        )
    ).all()
    disliked = (
        await conn.execute(
            sa.select(q.text, v.voted_at)
            .join_from(votes_table, questions_table, v.question_id == q.id)
            .where(v.voted_at >= _naive(since), v.value == DOWN)
            .order_by(v.voted_at.desc())
            .limit(MAX_GROUPED_ROWS)
        )
    ).all()
    return [(text, when) for text, when in [*not_found, *disliked]]
