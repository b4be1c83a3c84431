"""Resource bounds: per-user throttling, at most TASKS_CONCURRENCY_LIMIT handlers at once
(polling and webhook), and no matching work at all for a question over MAX_QUESTION_CHARS.
So one user cannot slow everyone else down.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.methods import SendMessage
from aiohttp.test_utils import TestClient, TestServer
from e2e_kit import FAST_BACKOFF, TOURISTS, TOURISTS_ANSWER
from fake_telegram import TOKEN, FakeTelegram, message_update
from pydantic import SecretStr
from reliability_kit import (
    FIGURES,
    Driver,
    error_log,
    text_update,
)

from bot.app import TASKS_CONCURRENCY_LIMIT, run_polling
from bot.config import Settings
from bot.middlewares import THROTTLE_NOTICE
from bot.recording import RecordingSession
from bot.render import TOO_LONG
from bot.webhook import SECRET_HEADER, build_webhook_app
from knowledge import Context, FactIndex, FactStore
from knowledge.answer import MAX_QUESTION_CHARS
from knowledge.library import Library

FLOODER = 2000
OTHER = 3000
# Everything the matcher does for a question; none of it may run for an over-long one.
MATCHING = ("parse_question", "to_russian", "match", "rank", "digest", "suggestions")


@pytest.fixture
def matching_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts calls of FactIndex's matching methods."""
    calls: Counter[str] = Counter()
    for name in MATCHING:
        real = getattr(FactIndex, name, None)
        if real is None:
            continue

        def counting(
            self: FactIndex, *args: Any, _name: str = name, _real: Any = real, **kwargs: Any
        ) -> Any:
            calls[_name] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(FactIndex, name, counting)
    return calls


@pytest.fixture
def chat(dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession) -> Driver:
    return Driver(dispatcher, recording_bot, session)


async def test_over_long_question_is_refused_before_any_matching(
    chat: Driver, matching_calls: Counter[str]
) -> None:
    too_long = TOO_LONG.format(limit=MAX_QUESTION_CHARS)
    for length in (MAX_QUESTION_CHARS + 1, 2_000, 20_000):
        question = (TOURISTS + " ") * (length // len(TOURISTS) + 1)
        assert await chat.reply(question[:length], FLOODER) == too_long
    assert sum(matching_calls.values()) == 0, matching_calls
    # The counter works: a question within the limit is matched.
    answer = await chat.reply((TOURISTS + " " * MAX_QUESTION_CHARS)[:MAX_QUESTION_CHARS], OTHER)
    assert answer.startswith(TOURISTS_ANSWER)
    assert sum(matching_calls.values()) > 0


async def test_one_user_flooding_does_not_slow_another(
    make_dispatcher: Callable[..., Dispatcher],
    settings: Settings,
    library: Library,
    store: FactStore,
    recording_bot: Bot,
    session: RecordingSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """200 messages from one user at once (half of them 20,000 characters long) and one
    question from another: the other is answered; the flood costs 10 answers and 1 notice."""
    chat = Driver(make_dispatcher(settings, library, store), recording_bot, session)
    asked = [0]
    real_ask = library.ask

    def counting_ask(question: str, context: Context | None = None) -> Any:
        asked[0] += 1
        return real_ask(question, context)

    monkeypatch.setattr(library, "ask", counting_ask)

    async def send(user_id: int, text: str) -> tuple[float, list[str]]:
        started = time.perf_counter()
        texts = await chat.send(text, user_id)
        return time.perf_counter() - started, texts

    flood = [TOURISTS if i % 2 else "туризм " * 2_857 for i in range(200)]
    mark = len(session.calls)
    with error_log() as errors:
        started = time.perf_counter()
        results = await asyncio.gather(
            *(send(FLOODER, text) for text in flood[:100]),
            send(OTHER, TOURISTS),
            *(send(FLOODER, text) for text in flood[100:]),
        )
        elapsed = time.perf_counter() - started
    assert not errors.records, errors.lines()
    other_seconds, other_texts = results[100]
    assert len(other_texts) == 1 and other_texts[0].startswith(TOURISTS_ANSWER)
    flooder_texts = [
        call.method.text
        for call in session.calls[mark:]
        if isinstance(call.method, SendMessage) and call.method.chat_id == FLOODER
    ]
    limit = settings.throttle_messages
    assert flooder_texts.count(THROTTLE_NOTICE) == 1
    assert len(flooder_texts) == limit + 1  # 10 served, 1 notice, 189 dropped unread
    assert asked[0] == limit + 1, asked  # the matcher ran 11 times: 10 + the other user
    FIGURES.record("bounds.flood_messages", len(flood))
    FIGURES.record("bounds.flood_served", len(flooder_texts) - 1)
    FIGURES.record("bounds.other_user_answer_seconds", round(other_seconds, 3))
    FIGURES.record("bounds.flood_seconds", round(elapsed, 3))


class Gate(BaseMiddleware):
    """Holds every update at the door until released; counts how many are inside at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.peak = 0
        self.release = asyncio.Event()
        self.changed = asyncio.Event()

    async def __call__(
        self,
        handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
        event: Any,
        data: dict[str, Any],
    ) -> Any:
        self.inside += 1
        self.peak = max(self.peak, self.inside)
        self.changed.set()
        try:
            await self.release.wait()
            return await handler(event, data)
        finally:
            self.inside -= 1

    async def wait_until(self, inside: int, timeout: float = 10.0) -> None:
        async def wait() -> None:
            while self.inside < inside:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), timeout)


@pytest.mark.slow  # a real polling loop / webhook server under load
async def test_polling_handles_at_most_the_concurrency_limit_at_once(
    settings: Settings, server: FakeTelegram
) -> None:
    config = settings.model_copy(
        update={"bot_token": SecretStr(TOKEN), "telegram_api_base": server.base_url}
    )
    gate = Gate()

    def on_ready(dp: Dispatcher, bot: Bot) -> None:
        dp.update.outer_middleware(gate)
        ready.set_result(dp)

    ready: asyncio.Future[Dispatcher] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_polling(config, handle_signals=False, backoff=FAST_BACKOFF, on_ready=on_ready)
    )
    dp = await asyncio.wait_for(ready, 30)
    try:
        await server.wait_for_call("getUpdates", ok=None, timeout=30)
        users = range(10_000, 10_100)
        for user_id in users:
            server.push_update(message_update(user_id, TOURISTS))
        await gate.wait_until(TASKS_CONCURRENCY_LIMIT)
        await asyncio.sleep(0.5)  # time for more to get in, if the bound did not hold
        assert gate.inside == gate.peak == TASKS_CONCURRENCY_LIMIT
        gate.release.set()
        for user_id in users:
            await server.wait_for_call(
                "sendMessage", where=lambda c, u=user_id: c.params.get("chat_id") == u
            )
    finally:
        gate.release.set()
        await dp.stop_polling()
        assert await asyncio.wait_for(task, 30) == 0
    FIGURES.record("bounds.polling_peak_handlers", gate.peak)
    FIGURES.record("bounds.polling_updates", len(users))


@pytest.mark.slow  # a real polling loop / webhook server under load
async def test_webhook_handles_at_most_the_concurrency_limit_at_once(
    make_dispatcher: Callable[..., Dispatcher],
    settings: Settings,
    library: Library,
    store: FactStore,
    recording_bot: Bot,
    session: RecordingSession,
) -> None:
    """100 updates POSTed at once to the webhook (aiogram alone would start 100 handler
    tasks): 32 run, the other requests wait for a slot; then every one is answered."""
    secret = "s3cret_Webhook-token"
    config = settings.model_copy(
        update={"webhook_secret": SecretStr(secret), "throttle_messages": 1_000}
    )
    dp = make_dispatcher(config, library, store)
    gate = Gate()
    dp.update.outer_middleware(gate)
    users = range(20_000, 20_100)
    async with TestClient(TestServer(build_webhook_app(config, dp, recording_bot))) as client:

        async def post(user_id: int) -> int:
            body = text_update(user_id, TOURISTS)
            headers = {SECRET_HEADER: secret}
            async with client.post(config.webhook_path, json=body, headers=headers) as response:
                return response.status

        posts = [asyncio.create_task(post(user_id)) for user_id in users]
        try:
            await gate.wait_until(TASKS_CONCURRENCY_LIMIT)
            await asyncio.sleep(0.5)  # time for more to get in, if the bound did not hold
            assert gate.inside == gate.peak == TASKS_CONCURRENCY_LIMIT
            waiting = sum(not task.done() for task in posts)
            assert waiting >= len(users) - TASKS_CONCURRENCY_LIMIT, waiting
        finally:
            gate.release.set()
        assert await asyncio.gather(*posts) == [200] * len(users)

        async def all_answered() -> None:
            while len({m.chat_id for m in session.sent()} & set(users)) < len(users):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(all_answered(), 30)
    assert gate.peak == TASKS_CONCURRENCY_LIMIT
    FIGURES.record("bounds.webhook_peak_handlers", gate.peak)
    FIGURES.record("bounds.webhook_updates", len(users))
