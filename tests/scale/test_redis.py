"""REDIS_URL: aiogram's RedisStorage, and one flood limit shared by every replica."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from e2e_kit import TOURISTS, TOURISTS_ANSWER, free_port
from scale_kit import message, wait_until

from bot.app import SOMETHING_WENT_WRONG, build_bot, build_dispatcher
from bot.config import Settings
from bot.handlers import get_routers
from bot.middlewares import THROTTLE_KEY_PREFIX, THROTTLE_NOTICE, ThrottlingMiddleware
from bot.recording import OFFLINE_TOKEN, RecordingSession
from knowledge import FactStore
from knowledge.library import Library

pytestmark = pytest.mark.slow  # Redis

LIMIT = 3


class Replica:
    """One replica's Dispatcher and recording Bot (the library and store are shared here)."""

    def __init__(self, dp: Dispatcher) -> None:
        self.dp = dp
        self.session = RecordingSession()
        self.bot = build_bot(OFFLINE_TOKEN, session=self.session)

    async def send(self, user_id: int, text: str = TOURISTS) -> list[str]:
        """A message from `user_id`; the texts the bot sent back."""
        self._take_routers()
        mark = len(self.session.calls)
        await self.dp.feed_update(self.bot, message(user_id, text))
        return [sent.text for sent in self.session.sent(mark)]

    def _take_routers(self) -> None:
        """The handlers' routers are module singletons, attached to one Dispatcher at a time
        (the newest): two replicas in one process take turns. Each keeps its own middleware
        and storage, so whatever they share goes through Redis, as between processes."""
        routers = get_routers()
        if routers[0].parent_router is not self.dp:
            self.dp.include_routers(*routers)


@pytest.fixture
async def user_ids(redis_client: Any) -> AsyncIterator[Callable[[], int]]:
    """Fresh random user ids (the test Redis may be shared); their keys go afterwards."""
    used: list[int] = []

    def new() -> int:
        used.append(random.randrange(10**9, 2 * 10**9))
        return used[-1]

    yield new
    if used:
        await redis_client.delete(*(f"{THROTTLE_KEY_PREFIX}{i}" for i in used))


@pytest.fixture
async def make_replica(
    settings: Settings, library: Library, store: FactStore
) -> AsyncIterator[Callable[[Settings], Replica]]:
    """Builds replicas with build_dispatcher (as run_polling does); closes their storage."""
    replicas: list[Replica] = []

    def make(replica_settings: Settings) -> Replica:
        replicas.append(Replica(build_dispatcher(replica_settings, library, store)))
        return replicas[-1]

    yield make
    for replica in replicas:
        await replica.dp.emit_shutdown(bot=replica.bot)  # what polling does on stop
        await replica.dp.storage.close()


def with_redis(settings: Settings, url: str, limit: int = LIMIT, period: float = 60.0) -> Settings:
    return settings.model_copy(
        update={"redis_url": url, "throttle_messages": limit, "throttle_seconds": period}
    )


async def test_without_redis_url_storage_and_limit_stay_in_memory(
    settings: Settings, make_replica: Callable[[Settings], Replica]
) -> None:
    assert settings.redis_url is None
    replica = make_replica(settings)
    assert isinstance(replica.dp.storage, MemoryStorage)
    [throttle] = [
        m for m in replica.dp.message.outer_middleware if isinstance(m, ThrottlingMiddleware)
    ]
    assert throttle.redis is None


async def test_redis_url_gives_redis_storage_and_a_shared_limit(
    settings: Settings,
    make_replica: Callable[[Settings], Replica],
    redis_url: str,
    redis_client: Any,
    user_ids: Callable[[], int],
) -> None:
    """A user over the limit on replica A is throttled on replica B too."""
    a = make_replica(with_redis(settings, redis_url))
    b = make_replica(with_redis(settings, redis_url))
    assert isinstance(a.dp.storage, RedisStorage)
    user, other = user_ids(), user_ids()

    for _ in range(LIMIT - 1):
        [reply] = await a.send(user)
        assert reply.startswith(TOURISTS_ANSWER)
    [reply] = await b.send(user)  # the LIMIT-th, counted in Redis: still served
    assert reply.startswith(TOURISTS_ANSWER)

    assert await b.send(user) == [THROTTLE_NOTICE]  # over the limit: one notice…
    assert await a.send(user) == []  # …on any replica, then silence
    assert await b.send(user) == []

    [served] = await b.send(other)  # other users are not affected
    assert served.startswith(TOURISTS_ANSWER)

    key = f"{THROTTLE_KEY_PREFIX}{user}"
    assert int(await redis_client.get(key)) == LIMIT + 3
    assert 0 < await redis_client.pttl(key) <= 60_000


async def test_the_window_passes_and_the_user_is_served_again(
    settings: Settings,
    make_replica: Callable[[Settings], Replica],
    redis_url: str,
    redis_client: Any,
    user_ids: Callable[[], int],
) -> None:
    a = make_replica(with_redis(settings, redis_url, limit=1, period=0.3))
    b = make_replica(with_redis(settings, redis_url, limit=1, period=0.3))
    user = user_ids()
    assert (await a.send(user))[0].startswith(TOURISTS_ANSWER)
    assert await b.send(user) == [THROTTLE_NOTICE]
    # The key expires with its window: nothing to clean up, nothing left behind.
    await wait_until(lambda: _gone(redis_client, f"{THROTTLE_KEY_PREFIX}{user}"), timeout=5)
    assert (await b.send(user))[0].startswith(TOURISTS_ANSWER)


async def _gone(client: Any, key: str) -> bool:
    return not await client.exists(key)


async def test_unreachable_redis_gets_the_user_an_apology_not_silence(
    settings: Settings,
    make_replica: Callable[[Settings], Replica],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With REDIS_URL, Redis holds the FSM state: while it is down, updates fail visibly."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    replica = make_replica(with_redis(settings, dead, limit=1))
    caplog.set_level(logging.WARNING)
    assert await replica.send(4242) == [SOMETHING_WENT_WRONG]
    assert "ConnectionError" in caplog.text


async def test_throttling_fails_open_when_redis_fails(caplog: pytest.LogCaptureFixture) -> None:
    """A Redis hiccup in the counter must not silence the bot: the update is served."""
    from redis.asyncio import Redis

    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    throttle = ThrottlingMiddleware(1, 60.0, redis=dead)
    caplog.set_level(logging.WARNING)
    try:
        assert [await throttle.check(7) for _ in range(3)] == [True, True, True]
    finally:
        await dead.aclose()
    assert caplog.text.count("Throttling skipped, Redis failed: ConnectionError") == 3


async def test_callback_queries_count_in_redis_too(
    settings: Settings,
    make_replica: Callable[[Settings], Replica],
    redis_url: str,
    redis_client: Any,
    user_ids: Callable[[], int],
) -> None:
    """Messages and button presses share the user's one key."""
    a = make_replica(with_redis(settings, redis_url, limit=2))
    user = user_ids()
    assert await a.send(user, "/start")
    from aiogram.types import CallbackQuery, Update, User

    query = CallbackQuery(
        id="1",
        from_user=User(id=user, is_bot=False, first_name="U"),
        chat_instance="ci",
        message=None,
        data="ex:0",
    )
    await a.dp.feed_update(a.bot, Update(update_id=1, callback_query=query))
    assert int(await redis_client.get(f"{THROTTLE_KEY_PREFIX}{user}")) == 2
    assert await a.send(user) == [THROTTLE_NOTICE]


async def test_a_follow_up_on_another_replica_reads_the_context_from_redis(
    settings: Settings,
    make_replica: Callable[[Settings], Replica],
    redis_url: str,
    user_ids: Callable[[], int],
) -> None:
    """The chat's last answer lives in the FSM storage: «а в 2024?» handled by replica B
    follows the answer replica A gave; without Redis, B would not know it."""
    a = make_replica(with_redis(settings, redis_url, limit=100))
    b = make_replica(with_redis(settings, redis_url, limit=100))
    user = user_ids()
    [first] = await a.send(user, TOURISTS)
    assert first.startswith(TOURISTS_ANSWER)
    [follow_up] = await b.send(user, "а в 2024?")
    assert follow_up.startswith("За 2024 год данных нет; есть за 2025: <b>1,9 млн человек")
    alone = make_replica(settings)  # memory storage: no context from A
    [no_context] = await alone.send(user, "а в 2024?")
    assert no_context.startswith("В статьях нет ответа на этот вопрос.")
