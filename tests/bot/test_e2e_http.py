"""The real polling entry point (bot.app.run_polling) long-polling a fake Bot API over HTTP.

The `server` and `running` fixtures are in conftest.py, the helpers in e2e_kit.py."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound, TelegramUnauthorizedError
from aiogram.methods import SetMyDefaultAdministratorRights
from e2e_kit import (
    FAST_BACKOFF,
    TOURISTS,
    USER_ID,
    VELO,
    VELO_ARTICLE,
    RunningBot,
    clean_env,
    e2e_settings,
    free_port,
    labels,
    start_bot,
    start_bot_process,
    text,
)
from fake_telegram import TOKEN, FakeTelegram, callback_update, message_update, sticker_update

from bot.app import build_bot, run_polling
from bot.config import Settings

pytestmark = pytest.mark.slow  # end to end: the bot over HTTP against a fake Bot API server


async def test_questions_buttons_and_odd_messages_over_http(running: RunningBot) -> None:
    server = running.server

    reply = await server.reply_to(message_update(USER_ID, TOURISTS))
    assert text(reply).startswith(
        "<b>1,9 млн человек — за девять месяцев 2025 года</b>\n«За девять месяцев 2025 года"
    )
    assert text(reply).endswith(", 9 января 2026")
    assert reply.params["parse_mode"] == "HTML"
    assert server.find("sendChatAction", where=lambda c: c.params["action"] == "typing")

    start = await server.reply_to(message_update(USER_ID, "/start"))
    assert len(labels(start)) == 3
    mark = server.mark()
    pressed = await server.reply_to(callback_update(USER_ID, labels(start)[0][1], start.result))
    assert text(pressed).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    assert server.find("answerCallbackQuery", since=mark)

    sticker = await server.reply_to(sticker_update(USER_ID))
    assert text(sticker).startswith("Я понимаю только текст.")

    long = await server.reply_to(message_update(USER_ID, "а" * 10_000))
    assert text(long) == "Вопрос слишком длинный: сформулируйте его короче (до 500 символов)."

    html = await server.reply_to(message_update(USER_ID, "<b>x</b> & <script>"))
    assert html.ok and "<script>" not in text(html)

    # Every message the bot sent passed the server's strict checks.
    assert all(call.ok for call in server.find("sendMessage"))


async def test_command_menu_is_set_for_everyone_and_for_admins(
    running: RunningBot, admin_id: int
) -> None:
    calls = running.server.find("setMyCommands")
    scopes = {call.params["scope"]["type"]: call.params for call in calls}
    public = [c["command"] for c in scopes["default"]["commands"]]
    admin = [c["command"] for c in scopes["chat"]["commands"]]
    assert public == [
        "start",
        "help",
        "topics",
        "sources",
        "subscribe",
        "subscriptions",
        "unsubscribe",
    ]
    assert admin == [*public, "reload", "add", "unanswered", "stats"]
    assert scopes["chat"]["scope"]["chat_id"] == admin_id


async def test_reload_new_article_and_broken_file_over_http(
    running: RunningBot, articles_dir: Path, admin_id: int
) -> None:
    server = running.server
    generation = running.library.index.generation
    (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")

    refused = await server.reply_to(message_update(USER_ID, "/reload"))
    assert text(refused) == "Эта команда только для администраторов."
    assert running.library.index.generation == generation
    not_yet = await server.reply_to(message_update(USER_ID, VELO))
    assert not text(not_yet).startswith("<b>120 км — в 2026 году</b>")

    reloaded = await server.reply_to(message_update(admin_id, "/reload"))
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in text(reloaded)
    assert "Сейчас в базе: <b>4 статьи</b>" in text(reloaded)
    assert running.library.index.generation == generation + 1
    velo = await server.reply_to(message_update(USER_ID, VELO))
    assert text(velo).startswith("<b>120 км — в 2026 году</b>")
    assert text(velo).endswith("В Алматы построят новые велодорожки, 1 февраля 2026")

    (articles_dir / "broken.txt").write_bytes(bytes(range(256)) * 8)
    skipped = await server.reply_to(message_update(admin_id, "/reload"))
    assert "Пропущено: broken.txt — " in text(skipped)
    assert running.library.index.generation == generation + 1
    still = await server.reply_to(message_update(USER_ID, TOURISTS))
    assert text(still).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")


async def test_429_on_send_message_is_waited_out(running: RunningBot) -> None:
    server = running.server
    server.too_many_requests(1, retry_after=1)
    mark = server.mark()
    reply = await server.reply_to(message_update(USER_ID, TOURISTS))
    assert text(reply).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    attempts = server.find("sendMessage", since=mark)
    assert [c.status for c in attempts] == [429, 200]


async def test_get_me_failing_at_start_is_retried(
    settings: Settings, server: FakeTelegram
) -> None:
    server.get_me_failures = 2
    running = await start_bot(e2e_settings(settings, server), server)
    try:
        assert [c.status for c in server.find("getMe")] == [500, 500, 200]
        reply = await server.reply_to(message_update(USER_ID, TOURISTS))
        assert text(reply).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    finally:
        assert await running.stop() == 0


class _Signal(logging.Handler):
    """Sets an asyncio event when a matching record is logged (no polling of caplog)."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.event = asyncio.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(line)
        if self.needle in line:
            self.event.set()


async def test_server_not_up_yet_then_polling_starts(settings: Settings) -> None:
    port = free_port()
    server = FakeTelegram()
    server.port = port  # not listening yet
    signal = _Signal("Telegram is unreachable")
    logging.getLogger("bot.app").addHandler(signal)
    task: asyncio.Task[Any] | None = None
    try:
        ready: asyncio.Future[Dispatcher] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            run_polling(
                e2e_settings(settings, server),
                handle_signals=False,
                backoff=FAST_BACKOFF,
                on_ready=lambda dp, bot: ready.set_result(dp),
            )
        )
        await asyncio.wait_for(signal.event.wait(), 10)
        await server.start(port)
        await server.wait_for_call("getUpdates", ok=None, timeout=15)
        dp = await ready
        reply = await server.reply_to(message_update(USER_ID, TOURISTS))
        assert text(reply).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
        await dp.stop_polling()
        assert await asyncio.wait_for(task, 10) == 0
        assert not any(TOKEN in line for line in signal.lines)
    finally:
        logging.getLogger("bot.app").removeHandler(signal)
        if task is not None and not task.done():
            task.cancel()
        await server.stop()


@pytest.mark.slow
async def test_python_m_bot_polls_and_stops_on_sigterm(
    server: FakeTelegram, articles_dir: Path, database_url: str, tmp_path: Path, admin_id: int
) -> None:
    """The whole program: `python -m bot` in a subprocess, long-polling the fake server."""
    env = clean_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=server.base_url,
        ADMIN_IDS=str(admin_id),
        ARTICLES_DIR=str(articles_dir),
        DATABASE_URL=database_url,
    )
    proc = await start_bot_process(env, tmp_path)
    try:
        await server.wait_for_call("getUpdates", ok=None, timeout=120)
        reply = await server.reply_to(message_update(USER_ID, TOURISTS))
        assert text(reply).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    assert out == b""  # polling prints nothing; logs go to stderr
    assert TOKEN not in err.decode()
    assert "Received SIGTERM signal" in err.decode()


async def test_fake_server_is_as_strict_as_telegram(server: FakeTelegram) -> None:
    """The end-to-end checks mean something only if the stand-in refuses what Telegram would."""
    bot = build_bot(TOKEN, api_base=server.base_url)
    try:
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(chat_id=1, text="я" * 4097)
        with pytest.raises(TelegramBadRequest, match="message text is empty"):
            await bot.send_message(chat_id=1, text="<b> </b>")
        for bad in ("<script>x</script>", "<b>x", "a & b", "<b>x</i>", '<a name="x">y</a>'):
            with pytest.raises(TelegramBadRequest, match="can't parse entities"):
                await bot.send_message(chat_id=1, text=bad)
        sent = await bot.send_message(chat_id=1, text="<b>1 &amp; 2</b> &lt;ок&gt;")
        assert sent.text == "1 & 2 <ок>"
        assert (await bot.send_message(chat_id=1, text="я" * 4096)).message_id > 0
        with pytest.raises(TelegramNotFound):
            await bot(SetMyDefaultAdministratorRights())
    finally:
        await bot.session.close()
    wrong = build_bot("1:WRONG", api_base=server.base_url)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()


async def test_rejected_token_stops_at_once_with_exit_code_1(settings: Settings) -> None:
    server = FakeTelegram(token="1:SOME-OTHER-TOKEN")
    await server.start()
    try:
        code = await asyncio.wait_for(
            run_polling(e2e_settings(settings, server), handle_signals=False), 30
        )
    finally:
        await server.stop()
    assert code == 1
    assert [c.status for c in server.find("getMe")] == [401]
