"""The generation watch: a rebuild made by one process reaches every other process.

Several bot processes (replicas) share one store. An admin's /reload rebuilds it in one of
them, which then serves the new generation at once; the others learn about it here and call
`library.refresh()`, which swaps their in-memory index in one assignment.

How a process notices, fastest first:

- PostgreSQL: `FactStore.rebuild` sends `NOTIFY citybot_generation, '<n>'` in its transaction
  (PostgreSQL delivers it at commit, and never for a rolled-back rebuild). The watcher
  LISTENs on a dedicated asyncpg connection, reconnecting with backoff when it drops.
- Redis (REDIS_URL set, any store): `Library.reload` publishes the new generation on the
  channel `<prefix>:generation` (REDIS_PREFIX, `citybot` by default: deployments, or tests,
  sharing one Redis each use their own); the watcher subscribes to it.
- Polling, always on: every `interval` seconds one cheap query of `store.generation()`. It
  is the only way for SQLite without Redis, and the fallback when a notification is lost
  (the listening connection was down at that moment, for example).

A notification only wakes the polling loop early: all refreshing happens in that one loop,
so refreshes never run side by side, and a burst of notifications costs one refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.engine import make_url

from .library import Library
from .store import GENERATION_CHANNEL, BuildReport

logger = logging.getLogger(__name__)

DEFAULT_REDIS_PREFIX = "citybot"
DEFAULT_INTERVAL = 2.0
# Reconnecting a lost LISTEN / SUBSCRIBE connection: 1 s, 2 s, 4 s … at most 30 s.
RECONNECT_MIN = 1.0
RECONNECT_MAX = 30.0
# Bounds for one network step, so that nothing here hangs forever.
CONNECT_TIMEOUT = 10.0
PUBLISH_TIMEOUT = 5.0


class GenerationWatcher:
    """Keeps `library` on the store's newest generation until stopped.

    `async with GenerationWatcher(library, ...)`, or `await start()` … `await stop()`.
    """

    def __init__(
        self,
        library: Library,
        *,
        interval: float = DEFAULT_INTERVAL,
        redis_url: str | None = None,
        redis_prefix: str = DEFAULT_REDIS_PREFIX,
        listen_postgres: bool = True,
        reconnect_min: float = RECONNECT_MIN,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.library = library
        self.interval = interval
        self.redis_url = redis_url
        self.redis_channel = redis_channel(redis_prefix)
        self.reconnect_min = reconnect_min
        url = make_url(library.store.url)
        self.postgres = listen_postgres and url.get_backend_name() == "postgresql"
        # Set while the LISTEN / SUBSCRIBE connection is up (tests wait for these).
        self.postgres_listening = asyncio.Event()
        self.redis_listening = asyncio.Event()
        self.notifications = 0  # NOTIFY and pub/sub messages received
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._publisher: Any = None  # redis.asyncio.Redis, when redis_url is set

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        if self._tasks:
            raise RuntimeError("the watcher is already running")
        self._tasks.append(asyncio.create_task(self._poll(), name="generation-poll"))
        if self.postgres:
            self._tasks.append(asyncio.create_task(self._listen_postgres(), name="pg-listen"))
        if self.redis_url:
            from redis.asyncio import Redis

            self._publisher = Redis.from_url(
                self.redis_url, socket_connect_timeout=CONNECT_TIMEOUT
            )
            self.library.reload_listeners.append(self.publish)
            self._tasks.append(asyncio.create_task(self._listen_redis(), name="redis-listen"))
        logger.info(
            "Watching for new generations: %s",
            ", ".join(self.mechanisms()),
        )

    async def stop(self) -> None:
        """Cancel the tasks and close the connections; safe to call twice."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(ValueError):
            self.library.reload_listeners.remove(self.publish)
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            with contextlib.suppress(Exception):
                await publisher.aclose()

    async def __aenter__(self) -> GenerationWatcher:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def mechanisms(self) -> list[str]:
        names = []
        if self.postgres:
            names.append(f"PostgreSQL LISTEN {GENERATION_CHANNEL}")
        if self.redis_url:
            names.append(f"Redis SUBSCRIBE {self.redis_channel}")
        names.append(f"polling every {self.interval:g} s")
        return names

    def poke(self) -> None:
        """Check the store's generation now instead of at the next tick."""
        self._wake.set()

    # -- announcing (the process that reloaded) -------------------------------------------

    async def publish(self, report: BuildReport) -> None:
        """Tell the other processes over Redis; never raises (polling is the fallback)."""
        if self._publisher is None:
            return
        try:
            await asyncio.wait_for(
                self._publisher.publish(self.redis_channel, str(report.generation)),
                PUBLISH_TIMEOUT,
            )
        except Exception as error:
            logger.warning(
                "Could not announce generation %d on Redis (%s: %s); other replicas will "
                "notice within %g s",
                report.generation,
                type(error).__name__,
                error,
                self.interval,
            )

    # -- noticing -------------------------------------------------------------------------

    async def _poll(self) -> None:
        failing = False
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            # Cleared before the check: a notification arriving during it runs another one.
            self._wake.clear()
            try:
                swapped = await self.library.refresh()
            except Exception as error:  # the database is down, for example: try again later
                log = logger.debug if failing else logger.warning
                log("Could not check the store's generation (%s: %s)", type(error).__name__, error)
                failing = True
                continue
            if failing:
                logger.info("The store is reachable again")
                failing = False
            if swapped:
                index = self.library.index
                logger.info(
                    "Now serving generation %d (%d facts)", index.generation, len(index.facts)
                )

    def _notified(self, source: str, payload: object) -> None:
        self.notifications += 1
        logger.debug("%s: generation %s announced", source, payload)
        self.poke()

    async def _listen_postgres(self) -> None:
        import asyncpg

        delay = self.reconnect_min
        while True:
            connection = None
            try:
                closed = asyncio.Event()
                connection = await asyncpg.connect(
                    **_asyncpg_params(self.library.store.url), timeout=CONNECT_TIMEOUT
                )
                connection.add_termination_listener(lambda _conn, done=closed: done.set())
                await connection.add_listener(
                    GENERATION_CHANNEL,
                    lambda _conn, _pid, _channel, payload: self._notified("NOTIFY", payload),
                )
                self.postgres_listening.set()
                delay = self.reconnect_min
                self.poke()  # a rebuild may have happened while we were not listening
                await closed.wait()
                logger.warning("The LISTEN connection to PostgreSQL was closed; reconnecting")
            except Exception as error:  # not CancelledError (a BaseException): that ends it
                _retrying("LISTEN on PostgreSQL", error, delay)
            finally:
                self.postgres_listening.clear()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), 5)
                    if not connection.is_closed():
                        connection.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    async def _listen_redis(self) -> None:
        from redis.asyncio import Redis

        assert self.redis_url is not None
        delay = self.reconnect_min
        while True:
            client = Redis.from_url(
                self.redis_url, socket_connect_timeout=CONNECT_TIMEOUT, health_check_interval=30
            )
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.redis_channel)
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.redis_listening.set()
                        delay = self.reconnect_min
                        self.poke()  # a reload may have happened while we were not subscribed
                    elif message["type"] == "message":
                        self._notified("Redis", message["data"])
            except Exception as error:  # not CancelledError (a BaseException): that ends it
                _retrying("SUBSCRIBE on Redis", error, delay)
            finally:
                self.redis_listening.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)


def _asyncpg_params(url: str) -> dict[str, Any]:
    """asyncpg.connect() arguments for a SQLAlchemy URL (postgresql+asyncpg://…).

    Only what identifies the server and the user: SQLAlchemy's own query options (such as
    prepared_statement_cache_size) would be sent to the server as settings and fail there.
    """
    parsed = make_url(url)
    query = parsed.query
    params: dict[str, Any] = {
        "host": parsed.host or _first(query.get("host")),
        "port": parsed.port or _first(query.get("port")),
        "user": parsed.username or _first(query.get("user")),
        "password": parsed.password,
        "database": parsed.database,
    }
    ssl = _first(query.get("ssl")) or _first(query.get("sslmode"))
    if ssl:
        params["ssl"] = ssl
    if isinstance(params["port"], str):
        params["port"] = int(params["port"])
    return {key: value for key, value in params.items() if value is not None}


def _first(value: str | tuple[str, ...] | None) -> str | None:
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def redis_channel(prefix: str = DEFAULT_REDIS_PREFIX) -> str:
    """The Redis channel new generations are announced on, under `prefix`."""
    return f"{prefix}:generation"


def _retrying(what: str, error: Exception, delay: float) -> None:
    logger.warning(
        "Cannot %s (%s: %s); retrying in %.0f s", what, type(error).__name__, error, delay
    )
