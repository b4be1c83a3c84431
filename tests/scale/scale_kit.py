"""Helpers of the scale-out tests (issue 5): real PostgreSQL and Redis on 127.0.0.1, a fake
Bot API that also takes setWebhook, hand-made updates, `python -m bot` subprocesses.

Imported by name (this folder is on sys.path); `tests/bot` is put on sys.path by this
folder's conftest.py, for fake_telegram.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import re
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiogram.types import Chat, Message, Update, User
from fake_telegram import TOKEN, ApiCall, BadRequest, FakeTelegram

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
POSTGRES_URL = os.environ.get(
    "CITYBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CITYBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

USER_ID = 2000
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
VELO = "Сколько км велодорожек построят в Алматы в 2026 году?"
NEW_ARTICLE = (
    "---\n"
    "date: 2026-02-01\n"
    "title: В Алматы построят новые велодорожки\n"
    "---\n\n"
    "В 2026 году в Алматы построят 120 км велодорожек.\n\n"
    "На это направят 15 млрд тенге.\n"
)
VELO_ANSWER = "<b>120 км</b>"
TOURISTS_ANSWER = "<b>1,9 млн человек</b>"


# --- PostgreSQL and Redis ------------------------------------------------------------------


async def pg_admin() -> Any:
    """An asyncpg connection to the server's `test` database; skips when unreachable."""
    import asyncpg

    base = sa.make_url(POSTGRES_URL)
    try:
        return await asyncpg.connect(
            host=base.host or "127.0.0.1",
            port=base.port or 5432,
            user=base.username or "postgres",
            password=base.password,
            database=base.database or "test",
            timeout=5,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        pytest.skip(f"PostgreSQL not reachable at {base.host}:{base.port}: {error!r}")


@asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """A new, empty database `citybot_t_<random>` (dropped afterwards); yields its URL."""
    admin = await pg_admin()
    name = f"citybot_t_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
            )
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def text(call: ApiCall) -> str:
    return str(call.params["text"])


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
    """The environment for `python -m bot`: this checkout, none of the caller's settings."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env.update(PYTHONPATH=str(ROOT), LOG_LEVEL="INFO", THROTTLE_MESSAGES="1000")
    env.update(settings)
    return env


async def start_bot_process(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


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
