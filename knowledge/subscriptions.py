"""Subscriptions to topics, what a reload adds for their subscribers, and the outbox.

Tables of migration 0004, in the fact store's database (SQLite or PostgreSQL):

- `subscriptions` (chat id, topic). Chat ids are Telegram's own (BIGINT): a message cannot be
  sent to a hash, so unlike the journal this table keeps them; /unsubscribe and a chat that
  blocked the bot delete them.
- `announced_facts` + `meta.announced_generation`: the facts subscribers were told about, as
  fingerprints (article id and sentence), and the generation they belong to.
- `outbox`: the messages still to send (and those sent, for a day: per-chat pacing).
- `outbox_pace`: when the next message may go, shared by every replica.

How a reload reaches subscribers, once, whichever replica made it: every process calls
`announce(index, render)` whenever it starts serving a new generation (its own /reload, or
one it learnt of from another replica). Inside one write transaction (the `meta` row locked:
SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) the first caller for a
generation compares its facts with the announced fingerprints, queues one message per
subscriber of a touched topic, and records the new fingerprints and generation; later
callers find the generation announced and do nothing. A reload that changed nothing makes no
new generation; one that only removed facts queues nothing. The first announcement on a
store (no fingerprints yet) only records them: the articles already there are not news.

Sending (bot/outbox.py) claims one row at a time with `claim()`. On PostgreSQL the row is
locked (`SELECT … FOR UPDATE SKIP LOCKED`) in a transaction held open while it is sent and
ended by marking it sent: another replica skips a locked row, and a process that dies lets
its lock go with its connection, so the row is sent again by whoever claims it next. SQLite
has no row locks: there one process at a time sends (bot/outbox.py holds a lock file), and
`claim` skips the rows that process has in flight.

A chat gets its messages oldest first, one at a time: only a chat's oldest unsent row can be
claimed, and not within `chat_interval` seconds of the last one sent to it.

Async, SQLAlchemy Core; frozen dataclasses go out.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .database import DEFAULT_DATABASE_URL, WRITE_OPTION, Base, meta_table, open_engine
from .facts import Fact
from .index import FactIndex
from .notices import Notice, fact_key, new_facts, notices

ANNOUNCED_KEY = "announced_generation"
MAX_TOPIC_CHARS = 64
KEEP_SENT = dt.timedelta(days=1)  # sent rows are kept this long (per-chat pacing, /stats)
KEY_BATCH = 500
ANNOUNCE_TRIES = 5  # another replica announced meanwhile: look again, at most this often
MAX_FAILED_CHARS = 200

logger = logging.getLogger(__name__)

_ChatId = sa.BigInteger()
_OutboxId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

subscriptions_table = sa.Table(
    "subscriptions",
    Base.metadata,
    sa.Column("chat_id", _ChatId, primary_key=True),
    sa.Column("topic", sa.String(MAX_TOPIC_CHARS), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_subscriptions_topic", "topic"),
)
outbox_table = sa.Table(
    "outbox",
    Base.metadata,
    sa.Column("id", _OutboxId, primary_key=True, autoincrement=True),
    sa.Column("chat_id", _ChatId, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("not_before", sa.DateTime),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("failed", sa.String(MAX_FAILED_CHARS)),
    sa.UniqueConstraint("generation", "chat_id", name="uq_outbox_generation_chat_id"),
    sa.Index("ix_outbox_chat_id_sent_at", "chat_id", "sent_at"),
    sa.Index("ix_outbox_sent_at", "sent_at"),
)
announced_table = sa.Table(
    "announced_facts",
    Base.metadata,
    sa.Column("key", sa.String(40), primary_key=True),
)
pace_table = sa.Table(
    "outbox_pace",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("next_at", sa.Float, nullable=False),
)


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    generation: int
    new_facts: int  # facts the reload added (on any topic or none)
    messages: int  # messages queued


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    text: str
    attempts: int
    generation: int


@dataclass(frozen=True)
class OutboxCounts:
    pending: int  # still to send
    sent: int  # sent in the last day
    failed: int  # given up on in the last day (blocked, refused, too many failures)


# --- the store -----------------------------------------------------------------------------


@dataclass
class Claim:
    """A claimed outbox row; the sender ends it with exactly one of its methods."""

    item: OutboxItem
    _finish: Callable[[dict[str, Any], bool], Awaitable[None]]
    done: bool = False

    async def sent(self) -> None:
        await self._end({"sent_at": _naive(_utcnow())})

    async def retry(self, delay: float, reason: str = "") -> None:
        """Send again after `delay` seconds (a 429, or the network failed)."""
        not_before = _naive(_utcnow() + dt.timedelta(seconds=max(0.0, delay)))
        await self._end({"not_before": not_before, "attempts": self.item.attempts + 1})

    async def failed(self, reason: str) -> None:
        """Give up on this message (Telegram refused it for good)."""
        await self._end({"failed": reason[:MAX_FAILED_CHARS]})

    async def blocked(self) -> None:
        """The chat blocked the bot (403): this message and the chat's subscriptions go."""
        await self._end({"failed": "blocked"}, forget_chat=True)

    async def _end(self, values: dict[str, Any], forget_chat: bool = False) -> None:
        if self.done:
            raise RuntimeError("this claim is already ended")
        self.done = True
        await self._finish(values, forget_chat)


class Subscriptions:
    """Subscriptions and the outbox; the schema comes from the store's migrations
    (`FactStore.open` runs them), so open the store first."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL, *, pool_size: int = 6) -> None:
        self.url = url
        backend = make_url(url).get_backend_name()
        self.is_sqlite = backend == "sqlite"
        self.is_postgresql = backend == "postgresql"
        self._engine: AsyncEngine = open_engine(
            url, synchronous="NORMAL", pool_size=pool_size, max_overflow=4
        )
        self._write_engine = self._engine.execution_options(**{WRITE_OPTION: True})
        self._pruned_at = -3600.0

    async def close(self) -> None:
        await self._engine.dispose()

    # -- subscriptions ---------------------------------------------------------------------

    async def toggle(self, chat_id: int, topic: str) -> bool:
        """Subscribe `chat_id` to `topic`, or unsubscribe if it was; True if now subscribed."""
        s = subscriptions_table.c
        where = sa.and_(s.chat_id == chat_id, s.topic == topic[:MAX_TOPIC_CHARS])
        async with self._write_engine.begin() as conn:
            deleted = (await conn.execute(sa.delete(subscriptions_table).where(where))).rowcount
            if deleted:
                return False
            await conn.execute(
                sa.insert(subscriptions_table).values(
                    chat_id=chat_id, topic=topic[:MAX_TOPIC_CHARS], created_at=_naive(_utcnow())
                )
            )
            return True

    async def subscribe(self, chat_id: int, topics: Iterable[str]) -> None:
        """Subscribe `chat_id` to each of `topics` (those it has already stay)."""
        have = set(await self.topics_of(chat_id))
        rows = [
            {"chat_id": chat_id, "topic": t[:MAX_TOPIC_CHARS], "created_at": _naive(_utcnow())}
            for t in dict.fromkeys(topics)
            if t[:MAX_TOPIC_CHARS] not in have
        ]
        if rows:
            async with self._write_engine.begin() as conn:
                await conn.execute(sa.insert(subscriptions_table), rows)

    async def subscribe_many(self, rows: Iterable[tuple[int, str]]) -> None:
        """Bulk subscriptions (benchmarks, tests): (chat id, topic) pairs not yet stored."""
        now = _naive(_utcnow())
        batch = [{"chat_id": c, "topic": t[:MAX_TOPIC_CHARS], "created_at": now} for c, t in rows]
        async with self._write_engine.begin() as conn:
            for start in range(0, len(batch), 5000):
                await conn.execute(sa.insert(subscriptions_table), batch[start : start + 5000])

    async def topics_of(self, chat_id: int) -> tuple[str, ...]:
        s = subscriptions_table.c
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                sa.select(s.topic).where(s.chat_id == chat_id).order_by(s.topic)
            )
            return tuple(str(topic) for (topic,) in rows)

    async def unsubscribe_all(self, chat_id: int) -> int:
        """Drop every subscription of `chat_id`; how many there were."""
        async with self._write_engine.begin() as conn:
            result = await conn.execute(
                sa.delete(subscriptions_table).where(subscriptions_table.c.chat_id == chat_id)
            )
            return int(result.rowcount or 0)

    async def counts(self) -> dict[str, int]:
        """Topic → number of subscribers, most first."""
        s = subscriptions_table.c
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(s.topic, sa.func.count().label("n"))
                    .group_by(s.topic)
                    .order_by(sa.desc("n"), s.topic)
                )
            ).all()
        return {str(topic): int(n) for topic, n in rows}

    async def subscribers(self) -> dict[int, frozenset[str]]:
        """Chat id → its topics."""
        s = subscriptions_table.c
        out: defaultdict[int, set[str]] = defaultdict(set)
        async with self._engine.connect() as conn:
            for chat_id, topic in await conn.execute(sa.select(s.chat_id, s.topic)):
                out[int(chat_id)].add(str(topic))
        return {chat_id: frozenset(topics) for chat_id, topics in out.items()}

    # -- announcing a reload -----------------------------------------------------------------

    async def announced_generation(self) -> int:
        async with self._engine.connect() as conn:
            return await _read_announced(conn) or 0

    async def announce(
        self, index: FactIndex, render: Callable[[Notice], str]
    ) -> Announcement | None:
        """Queue one message per subscriber for what `index`'s generation added; None if that
        generation (or a newer one) was announced already, by this process or another."""
        for _ in range(ANNOUNCE_TRIES):
            async with self._engine.connect() as conn:
                announced = await _read_announced(conn)
                if announced is not None and announced >= index.generation:
                    return None
                known = {key for (key,) in await conn.execute(sa.select(announced_table.c.key))}
            subscribers = await self.subscribers()
            keys = {fact_key(fact): fact for fact in index.facts}
            first = announced is None
            added = [] if first else [f for k, f in keys.items() if k not in known]
            # CPU work (matching for «было → стало»), outside the write transaction.
            items = new_facts(index, added, _known_by(known))
            texts = [(n.chat_id, render(n)) for n in notices(items, subscribers)]
            async with self._write_engine.begin() as conn:
                now_announced = await _lock_announced(conn)
                if now_announced != announced:
                    continue  # another process announced meanwhile: look again
                await _replace_keys(conn, known, set(keys))
                await _write_announced(conn, index.generation, exists=announced is not None)
                if texts:
                    rows = [
                        {
                            "chat_id": chat_id,
                            "generation": index.generation,
                            "text": text,
                            "created_at": _naive(_utcnow()),
                            "attempts": 0,
                        }
                        for chat_id, text in texts
                    ]
                    for start in range(0, len(rows), 5000):
                        await conn.execute(sa.insert(outbox_table), rows[start : start + 5000])
            if first:
                logger.info("Announcements start at generation %d", index.generation)
            elif added:
                logger.info(
                    "Generation %d: %d new facts, %d messages queued",
                    index.generation,
                    len(added),
                    len(texts),
                )
            return Announcement(index.generation, len(added), len(texts))
        logger.warning("Generation %d: not announced, the store kept changing", index.generation)
        return None

    # -- the outbox ------------------------------------------------------------------------

    async def counts_outbox(self) -> OutboxCounts:
        o = outbox_table.c
        since = _naive(_utcnow() - KEEP_SENT)
        async with self._engine.connect() as conn:
            pending, sent, failed = (
                await conn.execute(
                    sa.select(
                        sa.func.count().filter(sa.and_(o.sent_at.is_(None), o.failed.is_(None))),
                        sa.func.count().filter(o.sent_at >= since),
                        sa.func.count().filter(
                            sa.and_(o.failed.is_not(None), o.created_at >= since)
                        ),
                    )
                )
            ).one()
        return OutboxCounts(int(pending), int(sent), int(failed))

    @asynccontextmanager
    async def claim(
        self, *, chat_interval: float = 1.0, exclude: Collection[int] = ()
    ) -> AsyncIterator[Claim | None]:
        """The next message that may go now (None if none), claimed until the block ends.

        End it with `sent()`, `retry()`, `failed()` or `blocked()`; left unended (an
        exception, a crash), it stays unsent and is claimed again later. `exclude`: chat ids
        this process is sending to right now (SQLite, where rows cannot be locked)."""
        now = _utcnow()
        cutoff = now - dt.timedelta(seconds=chat_interval)
        query = _claimable(_naive(now), _naive(cutoff), exclude)
        if self.is_postgresql:
            async with self._engine.connect() as conn, conn.begin() as transaction:
                locked = query.with_for_update(skip_locked=True, of=outbox_table)
                row = (await conn.execute(locked)).one_or_none()
                # Ended in the transaction that holds the row's lock.
                claim = None if row is None else _claim(row, partial(_finish, conn))
                yield claim
                if claim is not None and not claim.done:
                    await transaction.rollback()  # unlocked, still unsent
            return
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        yield None if row is None else _claim(row, self._finish_alone)

    async def _finish_alone(
        self, item: OutboxItem, values: dict[str, Any], forget_chat: bool
    ) -> None:
        """End a claim in a write transaction of its own (SQLite: nothing stays locked)."""
        async with self._write_engine.begin() as own:
            await _finish(own, item, values, forget_chat)

    async def reserve_slot(self, rate: float) -> float:
        """Take the next sending slot at `rate` messages a second, shared by every process
        on this database; the seconds to wait before sending in it."""
        step = 1.0 / rate
        now = time.time()
        p = pace_table.c
        async with self._write_engine.begin() as conn:
            next_at = (
                await conn.execute(sa.select(p.next_at).where(p.id == 1).with_for_update())
            ).scalar_one_or_none()
            if next_at is None:
                await conn.execute(sa.insert(pace_table).values(id=1, next_at=0.0))
                next_at = 0.0
            slot = max(float(next_at), now)
            await conn.execute(sa.update(pace_table).where(p.id == 1).values(next_at=slot + step))
        return max(0.0, slot - time.time())  # the transaction itself may have taken a while

    async def pause(self, seconds: float) -> None:
        """No message goes for `seconds` (Telegram answered 429 for the whole bot)."""
        p = pace_table.c
        until = time.time() + seconds
        async with self._write_engine.begin() as conn:
            await conn.execute(
                sa.update(pace_table).where(p.id == 1, p.next_at < until).values(next_at=until)
            )

    async def prune(self) -> None:
        """Drop sent and failed rows older than KEEP_SENT (at most once an hour)."""
        tick = time.monotonic()
        if tick - self._pruned_at < 3600.0:
            return
        self._pruned_at = tick
        o = outbox_table.c
        cutoff = _naive(_utcnow() - KEEP_SENT)
        async with self._write_engine.begin() as conn:
            await conn.execute(
                sa.delete(outbox_table).where(
                    sa.or_(
                        o.sent_at < cutoff,
                        sa.and_(o.failed.is_not(None), o.created_at < cutoff),
                    )
                )
            )

    async def sent_to(self, chat_id: int) -> list[str]:
        """Texts sent to a chat, oldest first (tests, diagnostics)."""
        o = outbox_table.c
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                sa.select(o.text)
                .where(o.chat_id == chat_id, o.sent_at.is_not(None))
                .order_by(o.id)
            )
            return [str(text) for (text,) in rows]


# --- helpers -------------------------------------------------------------------------------


def _known_by(keys: set[str]) -> Callable[[Fact], bool]:
    return lambda fact: fact_key(fact) in keys


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _naive(moment: dt.datetime) -> dt.datetime:
    """Stored form: naive UTC (as the journal stores times)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _claim(
    row: Any, finish: Callable[[OutboxItem, dict[str, Any], bool], Awaitable[None]]
) -> Claim:
    """A claimed row, ended by `finish(item, values, forget_chat)`."""
    item = _item(row)
    return Claim(item, partial(finish, item))


def _item(row: Any) -> OutboxItem:
    return OutboxItem(
        id=int(row.id),
        chat_id=int(row.chat_id),
        text=str(row.text),
        attempts=int(row.attempts),
        generation=int(row.generation),
    )


def _claimable(now: dt.datetime, cutoff: dt.datetime, exclude: Collection[int]) -> sa.Select[Any]:
    """The oldest message that may go now: unsent, due, its chat's oldest unsent one, and its
    chat not written to since `cutoff`."""
    o = outbox_table.c
    older = outbox_table.alias("older")
    recent = outbox_table.alias("recent")
    oldest = (
        sa.select(sa.func.min(older.c.id))
        .where(older.c.chat_id == o.chat_id, older.c.sent_at.is_(None), older.c.failed.is_(None))
        .scalar_subquery()
    )
    written = sa.exists().where(recent.c.chat_id == o.chat_id, recent.c.sent_at > cutoff)
    query = sa.select(o.id, o.chat_id, o.text, o.attempts, o.generation).where(
        o.sent_at.is_(None),
        o.failed.is_(None),
        sa.or_(o.not_before.is_(None), o.not_before <= now),
        o.id == oldest,
        ~written,
    )
    if exclude:
        query = query.where(o.chat_id.not_in(sorted(exclude)))
    return query.order_by(o.id).limit(1)


async def _finish(
    conn: AsyncConnection, item: OutboxItem, values: dict[str, Any], forget_chat: bool
) -> None:
    o = outbox_table.c
    await conn.execute(sa.update(outbox_table).where(o.id == item.id).values(**values))
    if forget_chat:
        await conn.execute(
            sa.delete(subscriptions_table).where(subscriptions_table.c.chat_id == item.chat_id)
        )
        await conn.execute(
            sa.update(outbox_table)
            .where(o.chat_id == item.chat_id, o.sent_at.is_(None), o.failed.is_(None))
            .values(failed="blocked")
        )


async def _read_announced(conn: AsyncConnection) -> int | None:
    value = (
        await conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == ANNOUNCED_KEY))
    ).scalar_one_or_none()
    return int(value) if value is not None else None


async def _lock_announced(conn: AsyncConnection) -> int | None:
    """The announced generation, its row locked until commit (PostgreSQL; SQLite's write
    transaction is locked already). A store never announced has no row: the generation row
    is locked instead, so two first announcements still queue up."""
    m = meta_table.c
    value = (
        await conn.execute(sa.select(m.value).where(m.key == ANNOUNCED_KEY).with_for_update())
    ).scalar_one_or_none()
    if value is None:
        await conn.execute(sa.select(m.value).where(m.key == "generation").with_for_update())
        value = (
            await conn.execute(sa.select(m.value).where(m.key == ANNOUNCED_KEY))
        ).scalar_one_or_none()
    return int(value) if value is not None else None


async def _write_announced(conn: AsyncConnection, generation: int, *, exists: bool) -> None:
    m = meta_table.c
    if exists:
        await conn.execute(
            sa.update(meta_table).where(m.key == ANNOUNCED_KEY).values(value=str(generation))
        )
    else:
        await conn.execute(sa.insert(meta_table).values(key=ANNOUNCED_KEY, value=str(generation)))


async def _replace_keys(conn: AsyncConnection, before: set[str], after: set[str]) -> None:
    """Make `announced_facts` hold `after` (it holds `before`)."""
    gone = sorted(before - after)
    added = sorted(after - before)
    key = announced_table.c.key
    for start in range(0, len(gone), KEY_BATCH):
        batch = gone[start : start + KEY_BATCH]
        await conn.execute(sa.delete(announced_table).where(key.in_(batch)))
    for start in range(0, len(added), 5000):
        await conn.execute(
            sa.insert(announced_table), [{"key": k} for k in added[start : start + 5000]]
        )
