"""Helpers of the scale-out tests (issue 5): real Redis on 127.0.0.1 (PostgreSQL is in
tests/pg_kit.py), a fake Bot API that also takes setWebhook, hand-made updates, `python -m
bot` subprocesses.

Imported by name (this folder is on sys.path); `tests/bot` is put on sys.path by
tests/conftest.py, for fake_telegram and e2e_kit (the questions, the new article and the
`python -m bot` helpers shared with the end-to-end tests there).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from aiogram.types import Chat, Message, Update, User
from e2e_kit import clean_env
from fake_telegram import TOKEN, BadRequest, FakeTelegram

T = TypeVar("T")
REDIS_URL = os.environ.get("CITYBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# --- Redis --------------------------------------------------------------------------------


async def redis_or_skip(url: str = REDIS_URL) -> Any:
    """A redis.asyncio client that answered PING; skips when Redis is unreachable."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()
    except (OSError, RedisError) as error:
        await client.aclose()
        pytest.skip(f"Redis not reachable at {url}: {error!r}")
    return client


# --- waiting -------------------------------------------------------------------------------


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], timeout: float, step: float = 0.05
) -> float:
    """Check `condition` every `step` s until true; the seconds it took. Fails at `timeout`."""
    start = time.monotonic()
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true within {timeout} s")
        await asyncio.sleep(step)


# --- a fake Bot API that also takes webhooks -----------------------------------------------

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookTelegram(FakeTelegram):
    """FakeTelegram plus setWebhook / getWebhookInfo, as strict as Telegram about them."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self.webhook: dict[str, Any] = {}
        self.set_webhook_failures = 0  # the next N setWebhook calls answer 502

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        if self.set_webhook_failures > 0:
            self.set_webhook_failures -= 1
            raise BadRequest("Bad Gateway", status=502)
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise BadRequest("Bad Request: secret token contains unallowed characters")
        self.webhook = dict(params)
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "pending_update_count": 0}


# --- hand-made updates for Dispatcher.feed_update ------------------------------------------

_ids = itertools.count(1)


def message(user_id: int, text: str) -> Update:
    """A private text message from `user_id` (a command gets its bot_command entity)."""
    from aiogram.types import MessageEntity

    entities = None
    if text.startswith("/"):
        command = text.split()[0]
        entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
    return Update(
        update_id=next(_ids),
        message=Message(
            message_id=next(_ids),
            date=dt.datetime.now(dt.UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=User(id=user_id, is_bot=False, first_name=f"User{user_id}"),
            text=text,
            entities=entities,
        ),
    )


# --- `python -m bot` in a subprocess -------------------------------------------------------


def bot_env(**settings: str) -> dict[str, str]:
    """e2e_kit.clean_env, logging at INFO and with throttling out of the tests' way."""
    return clean_env(**{"LOG_LEVEL": "INFO", "THROTTLE_MESSAGES": "1000", **settings})


async def stop_bot_process(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, then the exit code and stderr (killed if it does not stop within 30 s)."""
    if proc.returncode is None:
        proc.terminate()
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    except TimeoutError:
        proc.kill()
        _, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, err.decode(errors="replace")


async def unless_exited(proc: asyncio.subprocess.Process, awaitable: Awaitable[T], who: str) -> T:
    """Await `awaitable`, but fail at once with the process's stderr if it exits first."""
    waiting = asyncio.ensure_future(awaitable)
    exited = asyncio.ensure_future(proc.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    exited.cancel()
    if not waiting.done():
        waiting.cancel()
        _, err = await stop_bot_process(proc)
        raise AssertionError(f"{who} stopped early:\n{err}")
    return waiting.result()
