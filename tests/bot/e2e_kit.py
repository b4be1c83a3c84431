"""Helpers of the end-to-end tests: the questions and the new article they use, the real
polling loop (bot.app.run_polling) as a task against the stand-in Bot API (fake_telegram),
and `python -m bot` as a subprocess.

Imported by name: pytest puts this folder on sys.path for the tests here, and the conftest.py
of tests/reliability and of tests/scale put it there for theirs.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.utils.backoff import BackoffConfig
from fake_telegram import TOKEN, ApiCall, FakeTelegram
from pydantic import SecretStr

from bot.app import run_polling
from bot.config import Settings
from knowledge.library import Library

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
FAST_BACKOFF = BackoffConfig(min_delay=0.05, max_delay=0.2, factor=2.0, jitter=0.0)
T = TypeVar("T")

USER_ID = 2000
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
TOURISTS_ANSWER = "<b>1,9 млн человек — за девять месяцев 2025 года</b>"
VELO = "Сколько км велодорожек построят в Алматы в 2026 году?"
VELO_ANSWER = "<b>120 км — в 2026 году</b>"
# Not in seeds/: the answer to VELO once a test adds it.
VELO_ARTICLE = (
    "---\n"
    "date: 2026-02-01\n"
    "title: В Алматы построят новые велодорожки\n"
    "---\n\n"
    "В 2026 году в Алматы построят 120 км велодорожек.\n\n"
    "На это направят 15 млрд тенге.\n"
)


# --- the polling loop in this process ------------------------------------------------------


@dataclass
class RunningBot:
    server: FakeTelegram
    task: asyncio.Task[int]
    dp: Dispatcher
    bot: Bot

    @property
    def library(self) -> Library:
        return self.dp["library"]

    async def stop(self) -> int:
        await self.dp.stop_polling()
        return await asyncio.wait_for(self.task, 10)


def e2e_settings(settings: Settings, server: FakeTelegram) -> Settings:
    """`settings` with the fake server's token and address."""
    return settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "telegram_api_base": server.base_url,
            "throttle_messages": 100,  # a test is one busy user; throttling has its own
        }
    )


async def start_bot(settings: Settings, server: FakeTelegram) -> RunningBot:
    """run_polling as a task; returns once the bot is long-polling the fake server."""
    ready: asyncio.Future[tuple[Dispatcher, Bot]] = asyncio.get_running_loop().create_future()
    mark = server.mark()
    task = asyncio.create_task(
        run_polling(
            settings,
            handle_signals=False,
            backoff=FAST_BACKOFF,
            on_ready=lambda dp, bot: ready.set_result((dp, bot)),
        )
    )
    dp, bot = await unless_crashed(task, asyncio.wait_for(ready, 10))
    await unless_crashed(task, server.wait_for_call("getUpdates", since=mark, ok=None))
    return RunningBot(server, task, dp, bot)


async def unless_crashed(task: asyncio.Task[Any], awaitable: Awaitable[T]) -> T:
    """Await `awaitable`, but fail at once with the bot's error if the bot task ends first."""
    waiter = asyncio.ensure_future(awaitable)
    await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    if not waiter.done():
        waiter.cancel()
        raise AssertionError(f"the bot stopped early: {task.result()!r}")
    return waiter.result()


def text(call: ApiCall) -> str:
    return str(call.params["text"])


def labels(call: ApiCall) -> list[tuple[str, str]]:
    markup = call.params["reply_markup"]
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- `python -m bot` in a subprocess -------------------------------------------------------


def clean_env(**settings: str) -> dict[str, str]:
    """The environment for `python -m bot`: this checkout, none of the caller's settings
    (BOT_TOKEN, DATABASE_URL… from the developer's shell), then `settings`."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env.update(PYTHONPATH=str(ROOT))
    env.update(settings)
    return env


async def start_bot_process(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """`python -m bot`, stdout and stderr piped; `cwd` a temp dir, so that no .env is read."""
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
