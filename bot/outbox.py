"""The broadcast queue: after a reload, one message per subscriber of a touched topic.

Announcing: whenever this process starts serving a new generation (its own /reload, /add or
upload, or a reload another replica made and the generation watch brought here), and once at
start-up (a reload whose announcement a crash cut short), `Subscriptions.announce` queues the
messages in the database, once for all replicas (knowledge/subscriptions.py).

Sending is a queue, not a loop over subscribers: `workers` tasks each claim one row, wait for
a sending slot and send it.
- Rate: at most BROADCAST_RATE messages a second in all: the slots come from one row in the
  database (`Subscriptions.reserve_slot`), shared by every replica; a chat gets at most one
  message per BROADCAST_CHAT_INTERVAL seconds (the claim skips chats written to since).
- 429: the session's RetryAfterMiddleware waits `retry_after` and sends again; if Telegram
  still refuses, every sender pauses for `retry_after` and the row is tried again after it.
- 403 (the user blocked the bot): the chat's subscriptions and its other queued messages go.
- Other errors: a network failure or a 5xx is retried with backoff (MAX_ATTEMPTS times);
  a 400 is logged and the message given up.
- A crash: what was not marked sent is still in the database and goes after the restart. On
  PostgreSQL a row is locked (FOR UPDATE SKIP LOCKED) while it is sent, so two replicas
  never send the same row; on SQLite one process at a time sends (a lock file next to the
  database, released by the OS when the process dies). The one message that can go twice is
  the one Telegram accepted in the instant before the process died, before "sent" was
  committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy.engine import make_url

from knowledge import FactIndex, Library, Subscriptions

from .render import render_notice

logger = logging.getLogger(__name__)

WORKERS = 4  # messages in flight at once per process (Telegram answers in ~50–200 ms)
POLL_INTERVAL = 2.0  # seconds between looks at the queue when nothing woke the senders
IDLE_WAIT = 30.0  # the other senders: at most this long between looks, unless woken
LOCK_RETRY = 2.0  # seconds between tries for the SQLite sender lock
MAX_ATTEMPTS = 8  # network failures and 5xx before a message is given up
MAX_BACKOFF = 300.0
# Slots a little further apart than 1/rate: a message that waited longer for the event loop
# than the next one did must not make rate + 1 in one second.
PACE_MARGIN = 1.03


class SenderLock:
    """SQLite: one sending process per database file (an flock on `<db>.outbox-lock`, which
    the OS releases when the process ends, however it ends). PostgreSQL needs none."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        database = parsed.database or ""
        self.path: Path | None = None
        if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
            self.path = Path(database.removeprefix("file:")).with_name(
                Path(database).name + ".outbox-lock"
            )
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self.path is None or self._fd is not None

    def try_acquire(self) -> bool:
        if self.held:
            return True
        import fcntl

        assert self.path is not None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


class Broadcaster:
    """Announces new generations and sends the outbox; `start(bot)` … `stop()`."""

    def __init__(
        self,
        subscriptions: Subscriptions,
        library: Library,
        *,
        rate: float = 30.0,
        chat_interval: float = 1.0,
        workers: int = WORKERS,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.subscriptions = subscriptions
        self.library = library
        self.rate = rate
        self.chat_interval = chat_interval
        self.workers = workers
        self.poll_interval = poll_interval
        # What this process did with the messages it claimed (tests, bench, logs).
        self.sent = 0
        self.failed = 0  # given up on, blocked chats included
        self.retried = 0
        self.announced = 0  # announcements tried (most find the generation announced)
        self._progress = asyncio.Event()
        self.lock = SenderLock(subscriptions.url)
        self._bot: Bot | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._announcing: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._claiming = asyncio.Lock()
        self._pacing = asyncio.Lock()
        self._last_send = -1e9
        self._in_flight: set[int] = set()
        self.idle = asyncio.Event()  # set while the queue has nothing this process may send

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, bot: Bot) -> None:
        if self._tasks:
            raise RuntimeError("the broadcaster is already running")
        self._bot = bot
        self._stopping.clear()
        self.library.swap_listeners.append(self._on_swap)
        self._on_swap(self.library.index)  # a reload whose announcement a crash cut short
        self._tasks = [
            asyncio.create_task(self._work(n), name=f"outbox-{n}") for n in range(self.workers)
        ]
        logger.info("Broadcasting: %d senders, %.0f messages/s in all", self.workers, self.rate)

    async def stop(self) -> None:
        """Let the messages in flight finish (bounded), then stop; safe to call twice."""
        with contextlib.suppress(ValueError):
            self.library.swap_listeners.remove(self._on_swap)
        self._stopping.set()
        self._wake.set()
        tasks, self._tasks = self._tasks, []
        pending = [*tasks, *self._announcing]
        if pending:
            _, still = await asyncio.wait(pending, timeout=10)
            for task in still:
                task.cancel()
            for task in still:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self.lock.release()

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Until `condition()` holds, checked whenever a claimed message is settled (its
        outcome committed) or an announcement is done."""

        async def wait() -> None:
            while not condition():
                await self._progress.wait()

        await asyncio.wait_for(wait(), timeout)

    def _notify(self) -> None:
        progress, self._progress = self._progress, asyncio.Event()
        progress.set()

    # -- announcing -----------------------------------------------------------------------

    def _on_swap(self, index: FactIndex) -> None:
        """A library swap listener (called in the event loop): announce in the background."""
        if index.generation <= 0 or self._stopping.is_set():
            return
        task = asyncio.get_running_loop().create_task(self.announce(index))
        self._announcing.add(task)
        task.add_done_callback(self._announcing.discard)

    async def announce(self, index: FactIndex) -> int:
        """Queue the messages for `index`'s generation (if nobody has); how many."""
        try:
            result = await self.subscriptions.announce(index, render_notice)
        except Exception:
            logger.exception("Could not announce generation %d", index.generation)
            return 0
        finally:
            self.announced += 1
            self._notify()
        # Woken either way: another replica may have queued the messages just now.
        self._wake.set()
        return result.messages if result is not None else 0

    # -- sending --------------------------------------------------------------------------

    async def _work(self, number: int) -> None:
        """Sender `number`. Sender 0 also looks at the queue every `poll_interval` seconds
        (messages due for a retry, a row whose sender died); the others rest until woken
        (new messages, or another sender found work), so an idle bot makes one small query
        per interval."""
        poller = number == 0
        idle_wait = self.poll_interval if poller else IDLE_WAIT
        if not poller:
            await self._rest(idle_wait)  # sender 0 looks first and wakes the others
        while not self._stopping.is_set():
            try:
                if not self.lock.try_acquire():
                    await self._rest(LOCK_RETRY if poller else IDLE_WAIT)
                    continue
                if await self.send_next():
                    self.idle.clear()
                    continue
                self.idle.set()
                if poller:
                    await self.subscriptions.prune()
            except Exception:
                logger.exception("Outbox sender %d failed; trying again", number)
            await self._rest(idle_wait)

    async def _rest(self, seconds: float) -> None:
        """Until woken, stopped, or `seconds` pass."""
        if self._stopping.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _space_out(self) -> None:
        """This process's sends at least one slot apart, whatever delayed one of them (the
        shared slots say when a message may go at the earliest, not the latest)."""
        step = PACE_MARGIN / self.rate
        async with self._pacing:
            gap = self._last_send + step - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self._last_send = time.monotonic()

    async def send_next(self) -> bool:
        """Claim one message that may go now and send it; False if there was none."""
        bot = self._bot
        if bot is None:
            raise RuntimeError("start() the broadcaster first")
        outcome = None
        async with AsyncExitStack() as stack:
            async with self._claiming:
                claim = await stack.enter_async_context(
                    self.subscriptions.claim(
                        chat_interval=self.chat_interval, exclude=set(self._in_flight)
                    )
                )
                if claim is None:
                    return False
                chat_id = claim.item.chat_id
                self._in_flight.add(chat_id)
            stack.callback(self._in_flight.discard, chat_id)
            wait = await self.subscriptions.reserve_slot(self.rate / PACE_MARGIN)
            if wait > 0:
                await asyncio.sleep(wait)
            await self._space_out()
            item = claim.item
            try:
                await bot.send_message(
                    chat_id=item.chat_id, text=item.text, disable_notification=False
                )
            except TelegramRetryAfter as error:
                logger.warning("Broadcast: Telegram asks to wait %s s", error.retry_after)
                await self.subscriptions.pause(error.retry_after)
                await claim.retry(error.retry_after)
                outcome = "retried"
            except TelegramForbiddenError:
                logger.info("Chat %s blocked the bot: its subscriptions are dropped", chat_id)
                await claim.blocked()
                outcome = "failed"
            except TelegramBadRequest as error:
                if "chat not found" in error.message.lower():
                    await claim.blocked()
                else:
                    logger.warning("Broadcast to %s refused: %s", chat_id, error.message)
                    await claim.failed(error.message)
                outcome = "failed"
            except (TelegramNetworkError, TelegramServerError, TimeoutError, OSError) as error:
                if item.attempts + 1 >= MAX_ATTEMPTS:
                    logger.error("Broadcast to %s given up: %s", chat_id, error)
                    await claim.failed(f"{type(error).__name__}: {error}")
                    outcome = "failed"
                else:
                    delay = min(MAX_BACKOFF, 2.0 ** (item.attempts + 1))
                    logger.warning(
                        "Broadcast to %s failed (%s), retry in %.0f s", chat_id, error, delay
                    )
                    await claim.retry(delay)
                    outcome = "retried"
            else:
                await claim.sent()
                outcome = "sent"
        # Counted once the claim's transaction is over: the database says the same.
        if outcome == "sent":
            self.sent += 1
        elif outcome == "failed":
            self.failed += 1
        elif outcome == "retried":
            self.retried += 1
        self._notify()
        self._wake.set()  # more may be due: let another sender look
        return True
