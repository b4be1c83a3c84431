"""Several replicas on one store: a /reload on one reaches the others (knowledge.watch).

Unit tests run two Libraries in this process, as two replicas would; the end-to-end tests
run two real `python -m bot` processes, each long-polling its own stand-in Telegram server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from e2e_kit import (
    USER_ID,
    VELO,
    VELO_ANSWER,
    VELO_ARTICLE,
    free_port,
    start_bot_process,
    text,
)
from fake_telegram import TOKEN, message_update
from scale_kit import WebhookTelegram, bot_env, stop_bot_process, unless_exited, wait_until

from knowledge import FactStore
from knowledge.library import Library
from knowledge.watch import GenerationWatcher, redis_channel

pytestmark = pytest.mark.slow  # bot processes, PostgreSQL and Redis

# Long enough that only a notification (NOTIFY / pub/sub) explains a quick arrival.
NO_POLLING = 60.0


class Replica:
    """A store and a library of its own over a shared database: one process's view."""

    def __init__(self, store: FactStore, library: Library) -> None:
        self.store = store
        self.library = library

    @classmethod
    async def open(cls, url: str, articles_dir: Path) -> Replica:
        store = await FactStore.open(url)
        return cls(store, await Library.open(store, articles_dir))

    @property
    def generation(self) -> int:
        return self.library.index.generation


@asynccontextmanager
async def two_replicas(url: str, articles_dir: Path) -> AsyncIterator[tuple[Replica, Replica]]:
    """Replicas A and B on the database at `url`."""
    a = await Replica.open(url, articles_dir)
    b = await Replica.open(url, articles_dir)
    try:
        yield a, b
    finally:
        await a.store.close()
        await b.store.close()


@pytest.fixture
async def sqlite_replicas(
    database_url: str, articles_dir: Path
) -> AsyncIterator[tuple[Replica, Replica]]:
    async with two_replicas(database_url, articles_dir) as replicas:
        yield replicas


@pytest.fixture
async def pg_replicas(pg_url: str, articles_dir: Path) -> AsyncIterator[tuple[Replica, Replica]]:
    async with two_replicas(pg_url, articles_dir) as replicas:
        yield replicas


def add_article(articles_dir: Path) -> None:
    (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")


# --- the watcher, in process ---------------------------------------------------------------


async def test_sqlite_polling_picks_up_another_replicas_reload(
    sqlite_replicas: tuple[Replica, Replica], articles_dir: Path
) -> None:
    a, b = sqlite_replicas
    async with GenerationWatcher(b.library, interval=0.1) as watcher:
        assert not watcher.postgres and not watcher.redis_url
        assert watcher.mechanisms() == ["polling every 0.1 s"]
        add_article(articles_dir)
        report = await a.library.reload()
        assert report.generation == 2 == a.generation
        await wait_until(lambda: b.generation == 2, timeout=5)
        assert b.library.ask(VELO).found
        assert watcher.notifications == 0


async def test_postgres_notify_wakes_the_watcher_and_survives_a_dropped_connection(
    pg_replicas: tuple[Replica, Replica], articles_dir: Path
) -> None:
    import asyncpg

    from knowledge.watch import _asyncpg_params

    a, b = pg_replicas
    async with GenerationWatcher(b.library, interval=NO_POLLING, reconnect_min=0.05) as watcher:
        await asyncio.wait_for(watcher.postgres_listening.wait(), 10)
        add_article(articles_dir)
        await a.library.reload()
        took = await wait_until(lambda: b.generation == 2, timeout=5)
        assert took < 5 and watcher.notifications == 1

        # The server drops the LISTEN connection: the watcher reconnects and listens again.
        admin = await asyncpg.connect(**_asyncpg_params(a.store.url))
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
            )
        finally:
            await admin.close()
        assert killed == 1
        await wait_until(lambda: not watcher.postgres_listening.is_set(), timeout=5)
        await asyncio.wait_for(watcher.postgres_listening.wait(), 10)

        (articles_dir / "010_velo.txt").unlink()
        await a.library.reload()
        await wait_until(lambda: b.generation == 3, timeout=5)
        assert not b.library.ask(VELO).found


async def test_redis_pubsub_carries_a_reload_to_the_other_replica(
    sqlite_replicas: tuple[Replica, Replica],
    articles_dir: Path,
    redis_url: str,
    redis_client: Any,
    redis_prefix: str,
) -> None:
    a, b = sqlite_replicas
    announced = redis_client.pubsub()
    await announced.subscribe(redis_channel(redis_prefix))
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    try:
        async with (
            GenerationWatcher(a.library, interval=NO_POLLING, **shared) as wa,
            GenerationWatcher(b.library, interval=NO_POLLING, **shared) as wb,
        ):
            await asyncio.wait_for(wa.redis_listening.wait(), 10)
            await asyncio.wait_for(wb.redis_listening.wait(), 10)
            add_article(articles_dir)
            await a.library.reload()
            await wait_until(lambda: b.generation == 2, timeout=5)
            assert wb.notifications >= 1
            # What went over the channel: the new generation.
            messages = []
            while (m := await announced.get_message(timeout=1)) is not None:
                messages.append(m)
            assert [m["data"] for m in messages if m["type"] == "message"] == [b"2"]
        assert a.library.reload_listeners == []  # the publisher left with its watcher
    finally:
        await announced.aclose()


async def test_unreachable_redis_is_retried_and_polling_still_works(
    sqlite_replicas: tuple[Replica, Replica], articles_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis down: the reload still succeeds, the other replica still catches up (polling)."""
    a, b = sqlite_replicas
    dead = f"redis://127.0.0.1:{free_port()}/0"
    caplog.set_level(logging.WARNING, logger="knowledge.watch")
    async with (
        GenerationWatcher(a.library, interval=0.1, redis_url=dead, reconnect_min=0.05),
        GenerationWatcher(b.library, interval=0.1, redis_url=dead, reconnect_min=0.05),
    ):
        add_article(articles_dir)
        report = await a.library.reload()
        assert report.changed_anything
        await wait_until(lambda: b.generation == 2, timeout=5)
    assert "Cannot SUBSCRIBE on Redis" in caplog.text
    assert "Could not announce generation 2 on Redis" in caplog.text


async def test_watcher_keeps_going_when_a_check_fails(
    sqlite_replicas: tuple[Replica, Replica],
    articles_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a, b = sqlite_replicas
    real_refresh = b.library.refresh
    failures = 3

    async def flaky_refresh() -> bool:
        nonlocal failures
        if failures:
            failures -= 1
            raise OSError("database is away")
        return await real_refresh()

    monkeypatch.setattr(b.library, "refresh", flaky_refresh)
    caplog.set_level(logging.INFO, logger="knowledge.watch")
    async with GenerationWatcher(b.library, interval=0.05):
        add_article(articles_dir)
        await a.library.reload()
        await wait_until(lambda: b.generation == 2, timeout=5)
    # One warning for the outage, not one per failed check; then a line when it is back.
    assert caplog.text.count("Could not check the store's generation") == 1
    assert "The store is reachable again" in caplog.text
    assert "Now serving generation 2" in caplog.text


async def test_refreshes_never_swap_in_an_older_generation(
    store: FactStore, library: Library, articles_dir: Path
) -> None:
    """A slow refresh (the watcher's) and reload's own must not interleave."""
    add_article(articles_dir)
    await asyncio.gather(library.refresh(), library.reload(), library.refresh())
    assert library.index.generation == await store.generation() == 2


# --- two real `python -m bot` processes ----------------------------------------------------


async def _two_replicas_reload(
    tmp_path: Path, articles_dir: Path, admin_id: int, **shared: str
) -> tuple[float, list[str]]:
    """Replica A and B (subprocesses) on one store; /reload on A; B answers the new article.

    Returns the seconds from A's reload reply to B's first new answer, and both stderrs.
    """
    servers = [WebhookTelegram(), WebhookTelegram()]
    for server in servers:
        await server.start()
    procs = []
    try:
        for n, server in enumerate(servers):
            env = bot_env(
                BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE=server.base_url,
                ADMIN_IDS=str(admin_id),
                ARTICLES_DIR=str(articles_dir),
                WATCH_INTERVAL=str(NO_POLLING),
                **shared,
            )
            workdir = tmp_path / f"replica{n}"
            workdir.mkdir()
            procs.append(await start_bot_process(env, workdir))
        for proc, server in zip(procs, servers, strict=True):
            polling = server.wait_for_call("getUpdates", ok=None, timeout=60)
            await unless_exited(proc, polling, "a replica")
        a, b = servers

        add_article(articles_dir)
        reloaded = await a.reply_to(message_update(admin_id, "/reload"), timeout=30)
        assert "Статей: добавлено 1, изменено 0, удалено 0" in text(reloaded)
        start = time.monotonic()

        async def b_knows_it() -> bool:
            reply = await b.reply_to(message_update(USER_ID, VELO), timeout=10)
            return text(reply).startswith(VELO_ANSWER)

        took = await wait_until(b_knows_it, timeout=15, step=0.1)
        assert time.monotonic() - start < 15
    finally:
        results = await asyncio.gather(*(stop_bot_process(proc) for proc in procs))
        for server in servers:
            await server.stop()
    for code, err in results:
        assert code == 0, err
        assert TOKEN not in err
    return took, [err for _, err in results]


async def test_reload_on_one_process_reaches_the_other_via_postgres(
    tmp_path: Path, articles_dir: Path, admin_id: int, pg_url: str
) -> None:
    took, (err_a, err_b) = await _two_replicas_reload(
        tmp_path, articles_dir, admin_id, DATABASE_URL=pg_url
    )
    print(f"PostgreSQL NOTIFY: replica B answered from the new article after {took:.2f} s")
    assert "PostgreSQL LISTEN citybot_generation" in err_b
    assert "Now serving generation 2" in err_b


async def test_reload_on_one_process_reaches_the_other_via_redis(
    tmp_path: Path,
    articles_dir: Path,
    admin_id: int,
    database_url: str,
    redis_url: str,
    redis_client: Any,
    redis_prefix: str,
) -> None:
    """SQLite shared by both processes (no NOTIFY there): only Redis pub/sub is quick."""
    try:
        took, (err_a, err_b) = await _two_replicas_reload(
            tmp_path,
            articles_dir,
            admin_id,
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            REDIS_PREFIX=redis_prefix,
        )
    finally:
        await redis_client.delete(*(f"{redis_prefix}:throttle:{i}" for i in (USER_ID, admin_id)))
    print(f"Redis pub/sub: replica B answered from the new article after {took:.2f} s")
    assert f"Redis SUBSCRIBE {redis_prefix}:generation" in err_b
    assert "Now serving generation 2" in err_b
