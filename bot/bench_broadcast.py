"""`python -m bot bench --broadcast N [--json]`: the broadcast queue's sending rate.

N chats subscribe to a topic; an article on it is added (a real reload of a temporary
SQLite store of the seed articles); the real Broadcaster (bot/outbox.py: announce, claim,
the shared sending slots, mark sent) sends one message to each through a stand-in Bot API
session that answers after LATENCY_S, as Telegram would over the network, and notes when
each message arrived. Reported: how many were sent, missing and duplicated, the overall rate,
the most messages in any one second (Telegram: about 30), and the shortest gap between two
messages to one chat (Telegram: 1 s; with `--reloads 2` some chats get two messages).
"""

from __future__ import annotations

import asyncio
import bisect
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from knowledge import FactStore, Library, Subscriptions

from .app import build_bot
from .config import Settings
from .outbox import Broadcaster
from .recording import OFFLINE_TOKEN, RecordingSession
from .render import render_notice

LATENCY_S = 0.03  # a Bot API round trip
TOPIC = "туризм"
SECOND_TOPIC = "соцподдержка"
ARTICLES = (
    (
        "bench_news_1.txt",
        "---\ndate: 2026-03-01\ntitle: Туризм в 2026 году\n---\n\n"
        "В 2026 году количество туристов в Алматы достигнет 2,1 млн человек.\n",
    ),
    (
        "bench_news_2.txt",
        "---\ndate: 2026-03-02\ntitle: Соцподдержка в 2026 году\n---\n\n"
        "В 2026 году число получателей адресной социальной помощи составит 12 тыс. человек.\n",
    ),
)


class TimedSession(RecordingSession):
    """Answers like RecordingSession after `latency` seconds; keeps (time, chat) of each
    sendMessage, nothing else."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency
        self.sends: list[tuple[float, int]] = []
        self.texts: Counter[tuple[int, str]] = Counter()  # (chat, text) → times sent

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, SendMessage):  # when the request leaves, as Telegram counts
            self.sends.append((time.monotonic(), int(method.chat_id)))
            self.texts[(int(method.chat_id), method.text)] += 1
        await asyncio.sleep(self.latency)
        result = await super().make_request(bot, method, timeout)
        self.calls.clear()
        return result


async def measure(subscribers: int, reloads: int, settings: Settings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="citybot-broadcast-") as folder:
        root = Path(folder)
        articles = Path(shutil.copytree(Path(__file__).resolve().parents[1] / "seeds", root / "a"))
        url = f"sqlite+aiosqlite:///{root / 'bench.db'}"
        store = await FactStore.open(url)
        library = await Library.open(store, articles)
        subscriptions = Subscriptions(url)
        session = TimedSession(LATENCY_S)
        bot = build_bot(OFFLINE_TOKEN, session=session)
        broadcaster = Broadcaster(
            subscriptions,
            library,
            rate=settings.broadcast_rate,
            chat_interval=settings.broadcast_chat_interval,
        )
        try:
            await subscriptions.announce(library.index, render_notice)  # the seeds: not news
            chats = list(range(20_000_000, 20_000_000 + subscribers))
            rows = [(chat, TOPIC) for chat in chats]
            twice = chats[: max(1, subscribers // 20)] if reloads > 1 else []
            rows += [(chat, SECOND_TOPIC) for chat in twice]
            await subscriptions.subscribe_many(rows)
            expected = len(chats) + len(twice)
            await broadcaster.start(bot)
            start = time.monotonic()
            for name, body in ARTICLES[:reloads]:
                (articles / name).write_text(body, encoding="utf-8")
                await library.reload()
            await broadcaster.wait_until(
                lambda: broadcaster.sent + broadcaster.failed >= expected,
                timeout=expected / settings.broadcast_rate * 3 + 60,
            )
            elapsed = time.monotonic() - start
        finally:
            await broadcaster.stop()
            await subscriptions.close()
            await store.close()
    return summarize(session, expected, elapsed, broadcaster)


def summarize(
    session: TimedSession, expected: int, elapsed: float, broadcaster: Broadcaster
) -> dict[str, Any]:
    sends = session.sends
    times = sorted(t for t, _ in sends)
    # The most sends in any window of one second, [t, t + 1).
    most = max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)
    by_chat: defaultdict[int, list[float]] = defaultdict(list)
    for moment, chat in sends:
        by_chat[chat].append(moment)
    gaps = [
        b - a for moments in by_chat.values() for a, b in zip(moments, moments[1:], strict=False)
    ]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    repeated = sum(n - 1 for n in session.texts.values() if n > 1)
    return {
        "subscribers": len(by_chat),
        "messages": len(sends),
        "expected": expected,
        "failed": broadcaster.failed,
        "retried": broadcaster.retried,
        "seconds": round(elapsed, 2),
        "rate_per_s": round((len(times) - 1) / span, 2) if span else 0.0,
        "max_in_1s": most,
        "limit_per_s": broadcaster.rate,
        "min_gap_same_chat_s": round(min(gaps), 3) if gaps else None,
        "chats_with_two": len(gaps),
        "duplicates": repeated,
        "latency_s": LATENCY_S,
        "senders": broadcaster.workers,
    }


def format_result(result: dict[str, Any]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in result.items())


def run_broadcast(subscribers: int, reloads: int) -> dict[str, Any]:
    # Production defaults, not .env (like the update bench).
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return asyncio.run(measure(subscribers, reloads, settings))
