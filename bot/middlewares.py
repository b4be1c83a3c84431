"""Flood control both ways: per-user throttling of updates, waiting out Telegram's 429s."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.bases import NextMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import CallbackQuery, Message, TelegramObject

from .logs import Redactor
from .messages import THROTTLE_NOTICE

logger = logging.getLogger(__name__)

# Redis keys of the shared flood limit: <REDIS_PREFIX>:throttle:<user id>, one per user and
# window (this is the default prefix's).
THROTTLE_KEY_PREFIX = "citybot:throttle:"


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    notified: bool = False


@dataclass(eq=False)  # eq=False: compared and hashed as itself, like any middleware
class ThrottlingMiddleware(BaseMiddleware):
    """At most `limit` updates per `period` seconds per user; others are still served.

    The first update over the limit gets a polite notice, further ones are dropped until the
    window has room again. Memory is bounded: the least recently seen users
    (over `max_users`) are forgotten.

    With `redis` (a redis.asyncio client, REDIS_URL), the count lives in Redis, so several
    replicas share one limit: the user's first update opens a window, a key that expires
    after `period`; every update INCRs it. If Redis fails, updates are served (fail open).
    """

    limit: int = 10
    period: float = 10.0
    _: KW_ONLY
    max_users: int = 10_000
    clock: Callable[[], float] = time.monotonic
    redis: Any = None
    key_prefix: str = THROTTLE_KEY_PREFIX
    _windows: OrderedDict[int, _Window] = field(
        default_factory=OrderedDict, init=False, repr=False
    )

    def allow(self, user_id: int) -> bool | None:
        """True: serve it. None: over the limit, notify once. False: over the limit, drop."""
        now = self.clock()
        window = self._windows.get(user_id)
        if window is None:
            window = self._windows[user_id] = _Window()
            if len(self._windows) > self.max_users:
                self._windows.popitem(last=False)
        self._windows.move_to_end(user_id)
        while window.times and now - window.times[0] >= self.period:
            window.times.popleft()
        if len(window.times) < self.limit:
            window.times.append(now)
            window.notified = False
            return True
        if window.notified:
            return False
        window.notified = True
        return None

    async def check(self, user_id: int) -> bool | None:
        """Like allow(), counted in Redis when the middleware has a client."""
        if self.redis is None:
            return self.allow(user_id)
        key = f"{self.key_prefix}{user_id}"
        try:
            # One MULTI: the window's key is created with its expiry (SET NX PX, so it can
            # never be left without one) and counted (INCR keeps the expiry).
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, nx=True, px=max(1, round(self.period * 1000)))
                pipe.incr(key)
                _, count = await pipe.execute()
        except Exception as error:  # Redis down: better unthrottled than silent
            logger.warning("Throttling skipped, Redis failed: %s: %s", type(error).__name__, error)
            return True
        if count <= self.limit:
            return True
        return None if count == self.limit + 1 else False

    async def __call__(
        self,
        handler: NextMiddlewareType[TelegramObject],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        verdict = await self.check(user.id)
        if verdict:
            return await handler(event, data)
        if verdict is None:
            logger.info("Throttled user %s", user.id)
            await self._notify(event)
        return None

    @staticmethod
    async def _notify(event: TelegramObject) -> None:
        try:
            if isinstance(event, Message):
                await event.answer(THROTTLE_NOTICE, parse_mode=None)
            elif isinstance(event, CallbackQuery):
                await event.answer(THROTTLE_NOTICE)
        except TelegramAPIError as error:
            logger.warning("Could not send the throttling notice: %s", error)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Wait out Telegram's "Too Many Requests: retry after N" and send again (bounded).

    Also keeps the token out of aiogram's error messages, which may quote request URLs.
    """

    def __init__(self, tries: int = 3, max_wait: float = 60.0) -> None:
        self.tries = tries
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt >= self.tries or error.retry_after > self.max_wait:
                    raise
                logger.warning(
                    "%s: Telegram asks to wait %s s (attempt %d of %d)",
                    method.__api_method__,
                    error.retry_after,
                    attempt,
                    self.tries,
                )
                attempt += 1
                await asyncio.sleep(error.retry_after)
            except TelegramAPIError as error:
                error.message = Redactor([bot.token])(error.message)
                raise
