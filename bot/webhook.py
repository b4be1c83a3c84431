"""Webhook mode (WEBHOOK_URL set): Telegram calls this process instead of being long-polled.

aiogram's aiohttp integration serves WEBHOOK_PATH on WEBHOOK_LISTEN. Every request must
carry the secret in X-Telegram-Bot-Api-Secret-Token (Telegram sends the `secret_token` given
to setWebhook); anything else gets 401 and reaches no handler.

On start: getMe with the same retries as polling, the server starts listening, then
setWebhook(WEBHOOK_URL, secret_token=…, drop_pending_updates=False). On stop the webhook
is left in place (no deleteWebhook): the other replicas behind the same URL keep serving,
and Telegram keeps the updates that arrive meanwhile until a replica is back.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.utils.backoff import BackoffConfig
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from knowledge import FactStore, Library

from .app import (
    STARTUP_BACKOFF,
    TASKS_CONCURRENCY_LIMIT,
    _connect,
    _stop_on_signals,
    build_bot,
    build_dispatcher,
    build_watcher,
    open_library,
    retry_until_stopped,
    tell_admins,
)
from .commands import set_commands
from .config import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 2.0  # seconds each dependency gets to answer /healthz
# On stop: how long updates already accepted may take to finish.
SHUTDOWN_GRACE = 10.0
# Telegram refuses these for good: retrying setWebhook would not help.
_REFUSED = (
    TelegramBadRequest,
    TelegramUnauthorizedError,
    TelegramForbiddenError,
    TelegramNotFound,
)


class SecretRequestHandler(SimpleRequestHandler):
    """aiogram's SimpleRequestHandler, with the secret required and compared as bytes.

    aiogram compares with secrets.compare_digest on str, which is constant-time but raises
    TypeError for a non-ASCII header (a 500 instead of a 401). Updates are handled in the
    background (Telegram gets its 200 as soon as a handler slot is free); close() lets the
    running ones finish.

    At most `concurrency` updates are in handlers at once (TASKS_CONCURRENCY_LIMIT, as when
    polling): aiogram would start a task for every request. A request over the limit waits
    for a slot before its 200, so Telegram (at most max_connections requests in flight)
    slows down instead of the process piling up tasks.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        secret_token: str,
        concurrency: int = TASKS_CONCURRENCY_LIMIT,
    ) -> None:
        if not secret_token:
            raise ValueError("a webhook needs a secret token")
        super().__init__(dispatcher, bot, handle_in_background=True, secret_token=secret_token)
        self._secret = secret_token.encode()
        self._slots = asyncio.Semaphore(concurrency)

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        await self._slots.acquire()
        try:
            task = asyncio.create_task(self._feed_in_slot(bot, update))
        except BaseException:
            self._slots.release()
            raise
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def _feed_in_slot(self, bot: Bot, update: dict[str, Any]) -> None:
        try:
            await self._background_feed_update(bot, update)
        finally:
            self._slots.release()

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self._secret)

    async def close(self) -> None:
        pending = set(self._background_feed_update_tasks)
        if pending:
            logger.info("Finishing %d update(s) in progress", len(pending))
            await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
        await super().close()


def build_webhook_app(settings: Settings, dp: Dispatcher, bot: Bot) -> web.Application:
    """The aiohttp app: POST WEBHOOK_PATH (Telegram) and GET /healthz (load balancers)."""
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_SECRET is required in webhook mode")
    app = web.Application()
    handler = SecretRequestHandler(
        dp, bot, secret_token=settings.webhook_secret.get_secret_value()
    )
    handler.register(app, path=settings.webhook_path)
    library: Library = dp["library"]

    async def health(_request: web.Request) -> web.Response:
        problems = await serving_problems(dp)
        body: dict[str, object] = {"ok": not problems, "generation": library.index.generation}
        if problems:
            body["problems"] = problems
        return web.json_response(body, status=503 if problems else 200)

    app.router.add_get(HEALTH_PATH, health)
    setup_application(app, dp, bot=bot)
    return app


async def serving_problems(dp: Dispatcher) -> dict[str, str]:
    """What serving needs and does not have now: the store (every handler may read it, and
    the journal is in it) and, when REDIS_URL is set, Redis (every update goes through it).
    Empty when all answer within HEALTH_TIMEOUT s; a load balancer sends no traffic to a
    replica whose /healthz answers 503."""
    problems: dict[str, str] = {}
    store: FactStore = dp["store"]
    checks: list[tuple[str, Awaitable[object]]] = [("store", store.generation())]
    redis = getattr(dp.storage, "redis", None)
    if redis is not None:
        checks.append(("redis", redis.ping()))
    for name, check in checks:
        try:
            await asyncio.wait_for(check, HEALTH_TIMEOUT)
        except Exception as error:
            problems[name] = f"{type(error).__name__}: {error}"[:200]
    return problems


async def run_webhook(
    settings: Settings,
    *,
    handle_signals: bool = True,
    backoff: BackoffConfig = STARTUP_BACKOFF,
    stop: asyncio.Event | None = None,
) -> int:
    """Serve Telegram's webhook calls until SIGTERM/SIGINT or `stop`; returns the exit code."""
    token = settings.token
    if token is None or settings.webhook_url is None or settings.webhook_secret is None:
        raise ValueError("run_webhook needs BOT_TOKEN, WEBHOOK_URL and WEBHOOK_SECRET")
    stop = stop if stop is not None else asyncio.Event()
    with _stop_on_signals(stop, handle_signals):
        store, library = await open_library(settings)
        try:
            bot = build_bot(token, api_base=settings.telegram_api_base)
            dp = build_dispatcher(settings, library, store)
        except BaseException:
            await store.close()
            raise
        watcher = build_watcher(settings, library)
        runner: web.AppRunner | None = None
        try:
            if await _connect(bot, stop, backoff) is None:
                return 1 if not stop.is_set() else 0
            await watcher.start()
            runner = web.AppRunner(
                build_webhook_app(settings, dp, bot),
                handle_signals=False,
                shutdown_timeout=SHUTDOWN_GRACE,
                access_log=None,
            )
            await runner.setup()
            host, port = settings.webhook_host_port
            await web.TCPSite(runner, host, port).start()
            logger.info("Listening for Telegram on %s:%d%s", host, port, settings.webhook_path)
            if not await set_webhook(bot, dp, settings, stop, backoff):
                return 1 if not stop.is_set() else 0
            try:
                await set_commands(bot, settings.admin_ids)
            except TelegramAPIError as error:
                logger.warning("Could not set the command menu: %s", error)
            await tell_admins(bot, settings, dp["library"])
            await stop.wait()
            logger.info("Stopping; the webhook stays set for the other replicas")
            return 0
        finally:
            if runner is not None:
                # Stops accepting, lets accepted updates finish, closes the bot's session.
                await runner.cleanup()
            await bot.session.close()
            await watcher.stop()
            await dp.storage.close()
            await store.close()


async def set_webhook(
    bot: Bot,
    dp: Dispatcher,
    settings: Settings,
    stop: asyncio.Event,
    backoff: BackoffConfig = STARTUP_BACKOFF,
) -> bool:
    """setWebhook, retried like getMe while Telegram is unreachable; False if refused/stopped."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    url, secret = settings.webhook_url, settings.webhook_secret.get_secret_value()
    try:
        done = await retry_until_stopped(
            lambda: bot.set_webhook(
                url=url,
                secret_token=secret,
                drop_pending_updates=False,
                allowed_updates=dp.resolve_used_update_types(),
            ),
            stop,
            what="Could not set the webhook",
            give_up=_REFUSED,
            backoff=backoff,
        )
    except _REFUSED as error:
        logger.error("Telegram refused the webhook %s: %s", settings.webhook_url, error)
        return False
    if done is None:
        return False
    logger.info("Webhook set: %s", settings.webhook_url)
    return True
