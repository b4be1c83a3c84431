"""Wiring shared by every way of running the bot: polling, the console chat and the tests."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import ErrorEvent, User
from aiogram.utils.backoff import Backoff, BackoffConfig
from aiogram.utils.formatting import Text

from knowledge import FactStore, GenerationWatcher, Journal, Library, Subscriptions

from .commands import set_commands
from .config import Settings
from .handlers import get_routers
from .messages import SOMETHING_WENT_WRONG, STARTED_WITH_A_PROBLEM
from .middlewares import RetryAfterMiddleware, ThrottlingMiddleware
from .outbox import Broadcaster
from .replies import CONTEXT_SECONDS
from .suggestions import SuggestionMemory

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Waiting for Telegram at start-up: 1 s, 2 s, 4 s … capped at a minute.
STARTUP_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=60.0, factor=2.0, jitter=0.1)
# Updates handled at once while polling; the rest wait in aiogram's queue.
TASKS_CONCURRENCY_LIMIT = 32
# A slow or unreachable Redis must not hold an update for long (throttling fails open).
REDIS_TIMEOUTS = {"socket_connect_timeout": 5.0, "socket_timeout": 5.0}


async def open_library(settings: Settings) -> tuple[FactStore, Library]:
    """Open the store (building it from ARTICLES_DIR when empty) and the library over it."""
    store = await FactStore.open(settings.database_url)
    try:
        library = await Library.open(store, settings.articles_dir)
    except BaseException:
        await store.close()
        raise
    if not settings.articles_dir.is_dir():
        logger.warning("Articles folder %s not found", settings.articles_dir)
    freeze_heap()
    # Each later index too (a full collection first: 0.17 s with 100,000 facts, once a reload).
    library.swap_listeners.append(lambda _index: freeze_heap())
    return store, library


def freeze_heap() -> None:
    """Move everything alive now (the index above all: millions of objects with 100,000
    facts) out of the cyclic collector's reach: a full collection no longer walks it.
    Reference counting still frees what goes away (the old index after a reload)."""
    gc.collect()
    gc.freeze()


def build_bot(
    token: str, *, api_base: str | None = None, session: BaseSession | None = None
) -> Bot:
    """A Bot with HTML replies and 429s waited out; `api_base` points it at another server."""
    if session is None:
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(api_base))
            if api_base
            else AiohttpSession()
        )
    session.middleware(RetryAfterMiddleware())
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_dispatcher(settings: Settings, library: Library, store: FactStore) -> Dispatcher:
    """The Dispatcher with every router and middleware; services reach handlers as kwargs."""
    storage: BaseStorage = MemoryStorage()
    redis = None
    if settings.redis_url:
        # Shared by the replicas: FSM state and the flood limit (closed by dp.storage.close()).
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        # A chat's data is its last answer, a context for half an hour: it need not outlive it.
        storage = RedisStorage.from_url(
            settings.redis_url,
            connection_kwargs=REDIS_TIMEOUTS,
            data_ttl=CONTEXT_SECONDS,
            key_builder=DefaultKeyBuilder(prefix=f"{settings.redis_prefix}:fsm"),
        )
        redis = storage.redis
    # Questions and 👍/👎, in the facts' database (knowledge.journal).
    journal = Journal(settings.database_url, salt=settings.journal_salt_value)
    # Topic subscriptions and the broadcast queue, in the same database (bot/outbox.py).
    subscriptions = Subscriptions(settings.database_url)
    broadcaster = Broadcaster(
        subscriptions,
        library,
        rate=settings.broadcast_rate,
        chat_interval=settings.broadcast_chat_interval,
    )
    dp = Dispatcher(
        storage=storage,
        library=library,
        store=store,
        settings=settings,
        suggestions=SuggestionMemory(),
        journal=journal,
        subscriptions=subscriptions,
        broadcaster=broadcaster,
    )
    dp.shutdown.register(journal.close)
    # Polling and the webhook server emit startup/shutdown; the console chat and the bench
    # do not, so they never broadcast.
    dp.startup.register(broadcaster.start)
    dp.shutdown.register(broadcaster.stop)
    dp.shutdown.register(subscriptions.close)
    dp.include_routers(*get_routers())
    throttle = ThrottlingMiddleware(
        settings.throttle_messages,
        settings.throttle_seconds,
        redis=redis,
        key_prefix=f"{settings.redis_prefix}:throttle:",
    )
    dp.message.outer_middleware(throttle)
    dp.callback_query.outer_middleware(throttle)
    dp.errors.register(on_error)
    return dp


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    """Log a handler's crash and tell the person, instead of leaving them without a reply."""
    logger.error("Update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    chat = None
    if update.message is not None:
        chat = update.message.chat
    elif update.callback_query is not None and update.callback_query.message is not None:
        chat = update.callback_query.message.chat
    if chat is not None:
        with suppress(TelegramAPIError):
            await bot.send_message(chat_id=chat.id, text=Text(SOMETHING_WENT_WRONG).as_html())
    return True


async def retry_until_stopped(
    call: Callable[[], Awaitable[T]],
    stop: asyncio.Event,
    *,
    what: str,  # the log line's start: «Telegram is unreachable»
    give_up: tuple[type[BaseException], ...] = (),
    backoff: BackoffConfig = STARTUP_BACKOFF,
) -> T | None:
    """`call()` until it returns, waiting longer after each failure (exponential back-off);
    None if `stop` is set first. The errors in `give_up` are raised at once: retrying them
    cannot help (a rejected token, a refused webhook URL)."""
    delays = Backoff(config=backoff)
    while not stop.is_set():
        try:
            return await call()
        except give_up:
            raise
        except Exception as error:  # network, 5xx, bad gateway…: all worth retrying
            delay = next(delays)
            logger.warning(
                "%s (%s: %s), retrying in %.1f s", what, type(error).__name__, error, delay
            )
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
    return None


async def wait_for_telegram(
    bot: Bot, stop: asyncio.Event, backoff: BackoffConfig = STARTUP_BACKOFF
) -> User | None:
    """getMe until it works; None if `stop` is set meanwhile.

    aiogram's start_polling calls getMe once and dies if Telegram is unreachable.
    A rejected token (401) is not retried: it raises TelegramUnauthorizedError.
    """
    return await retry_until_stopped(
        bot.me,
        stop,
        what="Telegram is unreachable",
        give_up=(TelegramUnauthorizedError,),
        backoff=backoff,
    )


@contextmanager
def _stop_on_signals(stop: asyncio.Event, enabled: bool) -> Iterator[None]:
    """SIGTERM/SIGINT set `stop` while waiting for Telegram (start_polling has its own)."""
    loop = asyncio.get_running_loop()
    installed = []
    if enabled:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def run_polling(
    settings: Settings,
    *,
    handle_signals: bool = True,
    backoff: BackoffConfig = STARTUP_BACKOFF,
    on_ready: Callable[[Dispatcher, Bot], object] | None = None,
) -> int:
    """Serve Telegram by long polling until stopped; returns the process exit code.

    `on_ready(dp, bot)` is called once both exist (before Telegram is reached), so a caller
    can stop polling with `dp.stop_polling()`.
    """
    token = settings.token
    if token is None:
        raise ValueError("run_polling needs BOT_TOKEN")
    stop = asyncio.Event()
    # Until start_polling installs its own handlers, SIGTERM/SIGINT just set `stop`.
    with _stop_on_signals(stop, handle_signals):
        store, library = await open_library(settings)
        try:
            bot = build_bot(token, api_base=settings.telegram_api_base)
            dp = build_dispatcher(settings, library, store)
            if on_ready is not None:
                on_ready(dp, bot)
            me = await _connect(bot, stop, backoff)
            if me is None:
                await bot.session.close()
                await dp.storage.close()
                await store.close()
                return 1 if not stop.is_set() else 0
        except BaseException:
            await store.close()
            raise
    watcher = build_watcher(settings, library)
    try:
        await watcher.start()
        try:
            # A webhook left behind by another deployment would make getUpdates fail (409).
            await bot.delete_webhook(drop_pending_updates=False)
            await set_commands(bot, settings.admin_ids)
        except TelegramAPIError as error:
            logger.warning("Could not prepare the bot (webhook, command menu): %s", error)
        await tell_admins(bot, settings, library)
        await dp.start_polling(
            bot,
            handle_signals=handle_signals,
            tasks_concurrency_limit=TASKS_CONCURRENCY_LIMIT,
        )
        return 0
    finally:
        await watcher.stop()
        await dp.storage.close()
        await store.close()


async def tell_admins(bot: Bot, settings: Settings, library: Library) -> None:
    """At start-up, tell each admin (in the private chat) why the library serves less than
    the store holds, if it does (Library.problem); an admin who never wrote to the bot
    cannot be reached, and that is only logged."""
    if library.problem is None:
        return
    text = Text(STARTED_WITH_A_PROBLEM.format(problem=library.problem)).as_html()
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.send_message(chat_id=admin_id, text=text)
        except TelegramAPIError as error:
            logger.warning("Could not tell admin %s of the start-up problem: %s", admin_id, error)


def build_watcher(settings: Settings, library: Library) -> GenerationWatcher:
    """The generation watch (a /reload on another replica reaches this one); not started."""
    return GenerationWatcher(
        library,
        interval=settings.watch_interval,
        redis_url=settings.redis_url,
        redis_prefix=settings.redis_prefix,
    )


async def _connect(bot: Bot, stop: asyncio.Event, backoff: BackoffConfig) -> User | None:
    """getMe with retries; None when stopped meanwhile or when the token is rejected."""
    if stop.is_set():
        logger.info("Stopped before Telegram was reached")
        return None
    try:
        me = await wait_for_telegram(bot, stop, backoff)
    except TelegramUnauthorizedError:
        logger.error("Telegram rejected BOT_TOKEN (401 Unauthorized): check it with @BotFather")
        return None
    if me is None:
        logger.info("Stopped before Telegram was reached")
    else:
        logger.info("Connected as @%s", me.username)
    return me
