"""Webhook mode over real HTTP on 127.0.0.1: Telegram (a stand-in) POSTs updates to the bot.

The bot's replies go to the stand-in Bot API server, as in the polling end-to-end tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram.utils.backoff import BackoffConfig
from e2e_kit import TOURISTS, TOURISTS_ANSWER, USER_ID, free_port, start_bot_process, text
from fake_telegram import TOKEN, message_update
from pydantic import SecretStr
from scale_kit import WebhookTelegram, bot_env, stop_bot_process, unless_exited

from bot.config import ConfigError, Settings, load_settings
from bot.webhook import HEALTH_PATH, SECRET_HEADER, run_webhook

pytestmark = pytest.mark.slow  # webhook bot processes

FAST_BACKOFF = BackoffConfig(min_delay=0.05, max_delay=0.2, factor=2.0, jitter=0.0)
SECRET = "s3cret_Webhook-token"
PUBLIC_URL = "https://bot.example.com/telegram"
_update_ids = itertools.count(1)


@dataclass
class Endpoint:
    """Where the bot listens for Telegram, and the stand-in Telegram it replies to."""

    telegram: WebhookTelegram
    port: int

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.root}/telegram"

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """POST `update` as Telegram would; the HTTP status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        body = {**update, "update_id": next(_update_ids)}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url, json=body, headers=headers) as response,
        ):
            return response.status


@dataclass
class RunningWebhook(Endpoint):
    task: asyncio.Task[int]
    stop: asyncio.Event

    async def finish(self) -> int:
        self.stop.set()
        return await asyncio.wait_for(self.task, 15)


def webhook_settings(settings: Settings, telegram: WebhookTelegram, port: int) -> Settings:
    return settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "telegram_api_base": telegram.base_url,
            "webhook_url": PUBLIC_URL,
            "webhook_secret": SecretStr(SECRET),
            "webhook_listen": f"127.0.0.1:{port}",
            "webhook_path": "/telegram",
            "throttle_messages": 100,
        }
    )


async def start_webhook(settings: Settings, telegram: WebhookTelegram) -> RunningWebhook:
    """run_webhook as a task; returns once it has set the webhook (it is listening then)."""
    port = free_port()
    stop = asyncio.Event()
    mark = telegram.mark()
    task = asyncio.create_task(
        run_webhook(
            webhook_settings(settings, telegram, port),
            handle_signals=False,
            backoff=FAST_BACKOFF,
            stop=stop,
        )
    )
    waiting = asyncio.ensure_future(telegram.wait_for_call("setWebhook", since=mark, timeout=30))
    await asyncio.wait({waiting, task}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        raise AssertionError(f"run_webhook ended early: {task.result()!r}")
    waiting.result()
    return RunningWebhook(telegram, port, task, stop)


@pytest.fixture
async def running(settings: Settings, telegram: WebhookTelegram) -> AsyncIterator[RunningWebhook]:
    running = await start_webhook(settings, telegram)
    try:
        yield running
    finally:
        assert await running.finish() == 0


async def reply(running: Endpoint, update: dict[str, Any]) -> Any:
    """POST `update` with the right secret; the bot's sendMessage to that chat."""
    mark = running.telegram.mark()
    chat_id = update["message"]["chat"]["id"]
    assert await running.post(update) == 200
    return await running.telegram.wait_for_call(
        "sendMessage", since=mark, where=lambda c: c.params.get("chat_id") == chat_id
    )


async def test_set_webhook_with_the_secret_then_updates_are_answered(
    running: RunningWebhook,
) -> None:
    telegram = running.telegram
    assert [c.method for c in telegram.calls[:2]] == ["getMe", "setWebhook"]
    [set_webhook] = telegram.find("setWebhook")
    assert set_webhook.ok
    assert set_webhook.params["url"] == PUBLIC_URL
    assert set_webhook.params["secret_token"] == SECRET
    assert str(set_webhook.params["drop_pending_updates"]).lower() == "false"
    allowed = set_webhook.params["allowed_updates"]
    allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
    assert {"message", "callback_query"} <= set(allowed)
    assert telegram.find("setMyCommands")
    assert not telegram.find("getUpdates") and not telegram.find("deleteWebhook")

    answer = await reply(running, message_update(USER_ID, TOURISTS))
    assert text(answer).startswith(TOURISTS_ANSWER + "\n«За девять месяцев 2025 года")
    assert answer.params["parse_mode"] == "HTML"


async def test_wrong_or_missing_secret_is_401_and_reaches_no_handler(
    running: RunningWebhook,
) -> None:
    telegram = running.telegram
    mark = telegram.mark()
    bad_chats = list(range(9001, 9009))
    secrets = (None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper())
    for chat, secret in zip(bad_chats, secrets, strict=False):
        assert await running.post(message_update(chat, TOURISTS), secret) == 401
    # A header that is not even ASCII: 401 too (aiogram's own str compare would raise: 500).
    assert await raw_post(running, bad_chats[6], "секрет".encode()) == 401
    assert await raw_post(running, bad_chats[7], SECRET.encode() + b"\xff") == 401
    control = 9100
    assert await raw_post(running, control, SECRET.encode()) == 200  # the same, but right
    await telegram.wait_for_call("sendMessage", where=lambda c: c.params["chat_id"] == control)

    # By the time later, good updates are answered, nothing has gone to a rejected chat.
    await reply(running, message_update(USER_ID, TOURISTS))
    sent_to = {c.params.get("chat_id") for c in telegram.calls[mark:]}
    assert sent_to.isdisjoint(bad_chats)
    assert {control, USER_ID} <= sent_to
    # Only POST on the path; anything else is not a way in.
    async with aiohttp.ClientSession() as http:
        async with http.get(running.url, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 405
        async with http.post(running.root + "/other", headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 404


async def raw_post(running: Endpoint, chat_id: int, secret: bytes) -> int:
    """POST with the secret header as raw bytes (aiohttp's client would not send them)."""
    body = json.dumps({**message_update(chat_id, TOURISTS), "update_id": next(_update_ids)})
    payload = body.encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", running.port)
    try:
        writer.write(
            b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\n"
            + SECRET_HEADER.encode()
            + b": "
            + secret
            + b"\r\n"
            + f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    return int(status_line.split()[1])


async def test_health_endpoint_and_stop_leaves_the_webhook_in_place(
    settings: Settings, telegram: WebhookTelegram
) -> None:
    running = await start_webhook(settings, telegram)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(running.root + HEALTH_PATH) as response,
        ):
            assert response.status == 200
            assert await response.json() == {"ok": True, "generation": 1}
        await reply(running, message_update(USER_ID, TOURISTS))
    finally:
        assert await running.finish() == 0
    assert not telegram.find("deleteWebhook")
    assert telegram.webhook["url"] == PUBLIC_URL  # still set for the other replicas
    with pytest.raises(aiohttp.ClientConnectionError):  # and this one has stopped listening
        async with aiohttp.ClientSession() as http, http.get(running.root + HEALTH_PATH):
            pass


async def test_get_me_and_set_webhook_failures_are_retried(
    settings: Settings, telegram: WebhookTelegram
) -> None:
    telegram.get_me_failures = 2
    telegram.set_webhook_failures = 2
    running = await start_webhook(settings, telegram)
    try:
        assert [c.status for c in telegram.find("getMe")] == [500, 500, 200]
        await telegram.wait_for_call("setWebhook")
        assert [c.status for c in telegram.find("setWebhook")] == [502, 502, 200]
        answer = await reply(running, message_update(USER_ID, TOURISTS))
        assert text(answer).startswith(TOURISTS_ANSWER)
    finally:
        assert await running.finish() == 0


async def test_webhook_refused_by_telegram_stops_with_exit_code_1(
    settings: Settings, telegram: WebhookTelegram
) -> None:
    """http:// passes our check when TELEGRAM_API_BASE is set (a local server), but this
    server, like Telegram, wants https://: a refusal is final, not retried."""
    refused = webhook_settings(settings, telegram, free_port()).model_copy(
        update={"webhook_url": "http://bot.example.com/telegram"}
    )
    code = await asyncio.wait_for(
        run_webhook(refused, handle_signals=False, backoff=FAST_BACKOFF), 30
    )
    assert code == 1
    assert [c.status for c in telegram.find("setWebhook")] == [400]


# --- settings ------------------------------------------------------------------------------


def load(**values: Any) -> Settings:
    return load_settings(_env_file=None, **values)


def test_webhook_settings_and_their_errors() -> None:
    plain = load()
    assert plain.webhook_url is None and plain.webhook_secret is None
    assert plain.webhook_host_port == ("0.0.0.0", 8080)
    assert plain.webhook_path == "/telegram"
    assert plain.watch_interval == 2.0 and plain.redis_url is None

    good = load(
        webhook_url=PUBLIC_URL,
        webhook_secret="a" * 256,
        webhook_listen="[::]:8443",
        webhook_path="/hook/x",
        redis_url="redis://redis:6379/0",
    )
    assert good.webhook_host_port == ("::", 8443)
    assert "a" * 256 not in repr(good)

    errors: dict[str, dict[str, Any]] = {
        "WEBHOOK_SECRET: нужен, когда задан WEBHOOK_URL": {"webhook_url": PUBLIC_URL},
        "WEBHOOK_SECRET: нужно 1–256 символов": {
            "webhook_url": PUBLIC_URL,
            "webhook_secret": "a" * 257,
        },
        "WEBHOOK_URL: Telegram принимает только адреса https://": {
            "webhook_url": "http://bot.example.com/telegram",
            "webhook_secret": SECRET,
        },
        "WEBHOOK_URL: нужен адрес вида": {"webhook_url": "bot.example.com"},
        "WEBHOOK_LISTEN: нужно host:port": {"webhook_listen": "8080"},
        "WEBHOOK_PATH: нужен путь вида /telegram": {"webhook_path": "telegram"},
        "REDIS_URL: нужен адрес вида redis://": {"redis_url": "127.0.0.1:6379"},
        "WATCH_INTERVAL": {"watch_interval": 0},
    }
    for expected, values in errors.items():
        with pytest.raises(ConfigError, match=f"^Ошибка настройки {expected}"):
            load(**values)
    for bad_secret in ("with space", "кириллица", "a\n", "semi;colon"):
        with pytest.raises(ConfigError, match="^Ошибка настройки WEBHOOK_SECRET: ") as error:
            load(webhook_url=PUBLIC_URL, webhook_secret=bad_secret)
        assert bad_secret not in str(error.value)  # a secret is never echoed
    # A local Bot API server (TELEGRAM_API_BASE) may call an http:// webhook.
    local = load(
        telegram_api_base="http://localhost:8081",
        webhook_url="http://bot:8080/telegram",
        webhook_secret=SECRET,
    )
    assert local.webhook_url == "http://bot:8080/telegram"


def test_python_m_bot_names_the_missing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)  # no .env here
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", PUBLIC_URL)
    assert main([]) == 2
    assert capsys.readouterr().err.startswith(
        "Ошибка настройки WEBHOOK_SECRET: нужен, когда задан WEBHOOK_URL"
    )


def test_python_m_bot_webhook_flag_never_falls_back_to_polling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--webhook` (the Compose replicas): without WEBHOOK_URL or BOT_TOKEN, exit 2."""
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    assert main(["--webhook"]) == 2
    assert capsys.readouterr().err == "Ошибка настройки BOT_TOKEN: нужен для --webhook\n"
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert main(["--webhook"]) == 2
    assert capsys.readouterr().err == "Ошибка настройки WEBHOOK_URL: нужен для --webhook\n"


# --- the whole program ---------------------------------------------------------------------


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(
    telegram: WebhookTelegram, articles_dir: Path, database_url: str, tmp_path: Path
) -> None:
    """`python -m bot` with WEBHOOK_URL: webhook mode, no polling, webhook kept on SIGTERM."""
    port = free_port()
    env = bot_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=telegram.base_url,
        ARTICLES_DIR=str(articles_dir),
        DATABASE_URL=database_url,
        WEBHOOK_URL=PUBLIC_URL,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    proc = await start_bot_process(env, tmp_path)
    try:
        await unless_exited(proc, telegram.wait_for_call("setWebhook", timeout=60), "the bot")
        endpoint = Endpoint(telegram, port)
        assert await endpoint.post(message_update(USER_ID, TOURISTS), "wrong") == 401
        answer = await reply(endpoint, message_update(USER_ID, TOURISTS))
        assert text(answer).startswith(TOURISTS_ANSWER)
        assert proc.returncode is None  # still serving
    finally:
        code, err = await stop_bot_process(proc)  # SIGTERM
    assert code == 0, err
    assert "Webhook set: " + PUBLIC_URL in err
    assert "the webhook stays set" in err
    assert TOKEN not in err and SECRET not in err
    assert not telegram.find("deleteWebhook") and not telegram.find("getUpdates")
