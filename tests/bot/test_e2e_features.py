"""Issue 7 over HTTP: the real polling loop (bot.app.run_polling) against the stand-in Bot API
server — inline queries, topic and 👍 buttons, and an admin's .txt upload (getFile + the
file download route)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiogram import Bot, Dispatcher
from aiogram.utils.backoff import BackoffConfig
from fake_telegram import (
    TOKEN,
    ApiCall,
    FakeTelegram,
    callback_update,
    document_update,
    inline_query_update,
    message_update,
)
from pydantic import SecretStr

from bot.app import run_polling
from bot.config import Settings
from knowledge.library import Library

FAST_BACKOFF = BackoffConfig(min_delay=0.05, max_delay=0.2, factor=2.0, jitter=0.0)
T = TypeVar("T")
USER_ID = 2000
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
VELO = "Сколько км велодорожек построят в Алматы в 2026 году?"
ARTICLE = (
    "---\n"
    "date: 2026-02-01\n"
    "title: В Алматы построят новые велодорожки\n"
    "---\n\n"
    "В 2026 году в Алматы построят 120 км велодорожек.\n\n"
    "На это направят 15 млрд тенге.\n"
)


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


async def unless_crashed(task: asyncio.Task[Any], awaitable: Awaitable[T]) -> T:
    """Await `awaitable`, but fail at once with the bot's error if the bot task ends first."""
    waiter = asyncio.ensure_future(awaitable)
    await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    if not waiter.done():
        waiter.cancel()
        raise AssertionError(f"the bot stopped early: {task.result()!r}")
    return waiter.result()


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def running(settings: Settings, server: FakeTelegram) -> AsyncIterator[RunningBot]:
    settings = settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "telegram_api_base": server.base_url,
            "throttle_messages": 100,
        }
    )
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
    bot_ = RunningBot(server, task, dp, bot)
    yield bot_
    assert await bot_.stop() == 0


def text(call: ApiCall) -> str:
    return str(call.params["text"])


def labels(call: ApiCall) -> list[tuple[str, str]]:
    markup = call.params["reply_markup"]
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def press(server: FakeTelegram, data: str, message: dict[str, Any]) -> int:
    """Press a button under `message`; wait for its answerCallbackQuery; returns the mark."""
    mark = server.mark()
    server.push_update(callback_update(USER_ID, data, message))
    await server.wait_for_call("answerCallbackQuery", since=mark)
    return mark


async def test_inline_query_over_http(running: RunningBot) -> None:
    server = running.server
    mark = server.mark()
    server.push_update(inline_query_update(USER_ID, TOURISTS))
    call = await server.wait_for_call("answerInlineQuery", since=mark)
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["type"] == "article"
    assert results[0]["title"] == "1,9 млн человек"
    content = results[0]["input_message_content"]
    assert content["message_text"].startswith("<b>1,9 млн человек</b>\n«За девять месяцев")
    assert content["message_text"].endswith(", 9 января 2026")
    assert call.params["is_personal"] in (False, "false", "False")
    assert int(call.params["cache_time"]) == 10

    mark = server.mark()
    server.push_update(inline_query_update(USER_ID, "Какая погода завтра?"))
    empty = await server.wait_for_call("answerInlineQuery", since=mark)
    assert empty.params["results"] == []
    assert empty.params["button"]["start_parameter"] == "inline"


async def test_topic_buttons_and_a_thumbs_up_over_http(running: RunningBot) -> None:
    server = running.server
    topics = await server.reply_to(message_update(USER_ID, "/topics"))
    first_label, first_data = labels(topics)[0]
    assert first_label == "инвестиции (6)"

    mark = await press(server, first_data, topics.result)
    page = await server.wait_for_call("sendMessage", since=mark)
    assert text(page).startswith("Тема «<b>инвестиции</b>»: факты 1–5 из 6, сначала новые")
    [(more_label, more_data)] = labels(page)
    assert more_label == "ещё »"

    # «ещё» edits the page message on the server (which refuses edits of unknown messages
    # and edits that change nothing).
    mark = await press(server, more_data, page.result)
    edit = await server.wait_for_call("editMessageText", since=mark)
    assert edit.params["message_id"] == page.result["message_id"]
    assert text(edit).startswith("Тема «<b>инвестиции</b>»: факты 6–6 из 6")
    # Pressing «ещё» again under the old page shows the same page: "not modified" is fine.
    mark = await press(server, more_data, page.result)
    again = await server.wait_for_call("editMessageText", since=mark, ok=False)
    assert "message is not modified" in again.response["description"]
    assert not server.find("sendMessage", since=mark)

    answer = await server.reply_to(message_update(USER_ID, TOURISTS))
    assert labels(answer) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]
    mark = await press(server, "fb:1:1", answer.result)
    [ack] = server.find("answerCallbackQuery", since=mark)
    assert ack.params["text"] == "Спасибо! Рад, что ответ помог."
    assert all(call.ok for call in server.find("sendMessage"))


async def test_admin_uploads_an_article_file_over_http(
    running: RunningBot, articles_dir: Path, admin_id: int
) -> None:
    server = running.server
    document = server.add_file(ARTICLE.encode(), file_name="../../etc/passwd.txt")

    mark = server.mark()
    refused = await server.reply_to(document_update(USER_ID, document))
    assert text(refused).startswith("Статьи файлами принимаю только от администраторов.")
    assert not server.find("getFile", since=mark)

    mark = server.mark()
    added = await server.reply_to(document_update(admin_id, document), timeout=30)
    assert text(added).startswith("<b>Статья добавлена: </b>В Алматы построят новые велодорожки")
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in text(added)
    [get_file] = server.find("getFile", since=mark)
    [download] = server.find("download", since=mark)
    assert download.status == 200
    assert download.params["file_path"] == get_file.result["file_path"]
    [saved] = [p for p in articles_dir.iterdir() if p.name.startswith("add_")]
    assert re.fullmatch(r"add_\d{8}_\d{6}_[0-9a-f]{8}\.txt", saved.name)
    assert saved.read_bytes() == ARTICLE.encode()

    velo = await server.reply_to(message_update(USER_ID, VELO))
    assert text(velo).startswith("<b>120 км</b>")
    assert text(velo).endswith("В Алматы построят новые велодорожки, 1 февраля 2026")
