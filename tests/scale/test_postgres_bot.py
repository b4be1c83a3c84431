"""The bot on PostgreSQL: the same Dispatcher, handlers and answers as on SQLite.

`database_url` is overridden here, so the fixtures of tests/conftest.py (store, library,
settings, dispatcher) run on a fresh PostgreSQL database of each test's own.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from e2e_kit import TOURISTS, TOURISTS_ANSWER, USER_ID, VELO, VELO_ANSWER, VELO_ARTICLE
from scale_kit import message

from bot.recording import RecordingSession
from knowledge import FactStore
from knowledge.library import Library
from knowledge.store import GENERATION_CHANNEL

pytestmark = pytest.mark.slow  # PostgreSQL


@pytest.fixture
def database_url(pg_url: str) -> str:
    return pg_url


async def say(dp: Dispatcher, bot: Bot, session: RecordingSession, user_id: int, text: str) -> str:
    """Feed one message to the Dispatcher; the one message the bot sent back."""
    mark = len(session.calls)
    await dp.feed_update(bot, message(user_id, text))
    [reply] = session.sent(mark)
    return reply.text


async def test_store_is_postgresql(store: FactStore, library: Library) -> None:
    assert store.url.startswith("postgresql+asyncpg://")
    assert await store.generation() == 1
    assert len(library.index.facts) > 0


async def test_tourists_question_and_admin_reload_on_postgres(
    dispatcher: Dispatcher,
    recording_bot: Bot,
    session: RecordingSession,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    admin_id: int,
) -> None:
    async def ask(user_id: int, text: str) -> str:
        return await say(dispatcher, recording_bot, session, user_id, text)

    tourists = await ask(USER_ID, TOURISTS)
    assert tourists.startswith(TOURISTS_ANSWER + "\n«За девять месяцев 2025 года")
    assert tourists.endswith(", 9 января 2026")
    assert not (await ask(USER_ID, VELO)).startswith(VELO_ANSWER)

    (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
    refused = await ask(USER_ID, "/reload")
    assert refused == "Эта команда только для администраторов."
    assert await store.generation() == 1

    reloaded = await ask(admin_id, "/reload")
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in reloaded
    assert "Сейчас в базе: <b>4 статьи</b>" in reloaded
    assert await store.generation() == 2 == library.index.generation
    assert [a.id for a in await store.articles()][-1] == "010_velo.txt"

    velo = await ask(USER_ID, VELO)
    assert velo.startswith(VELO_ANSWER)
    assert velo.endswith("В Алматы построят новые велодорожки, 1 февраля 2026")
    assert (await ask(USER_ID, TOURISTS)).startswith(TOURISTS_ANSWER)

    unchanged = await ask(admin_id, "/reload")
    assert "Изменений нет (статей: 4" in unchanged
    assert await store.generation() == 2


async def test_rebuild_notifies_at_commit_only_when_something_changed(
    store: FactStore, library: Library, articles_dir: Path
) -> None:
    """NOTIFY citybot_generation '<n>' reaches a listener; a no-op reload sends nothing."""
    import asyncpg

    from knowledge.watch import _asyncpg_params

    received: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(**_asyncpg_params(store.url))
    try:
        await listener.add_listener(
            GENERATION_CHANNEL, lambda *args: received.put_nowait(args[-1])
        )
        (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
        report = await library.reload()
        assert report.generation == 2
        assert await asyncio.wait_for(received.get(), 5) == "2"

        assert not (await library.reload()).changed_anything
        # A round trip on the listening connection delivers anything already queued.
        await listener.execute("SELECT 1")
        assert received.empty()
    finally:
        await listener.close()


async def test_failed_rebuild_sends_no_notification(
    store: FactStore, library: Library, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The NOTIFY is part of the transaction: a rebuild that rolls back announces nothing."""
    import asyncpg

    import knowledge.store as store_module
    from knowledge.watch import _asyncpg_params

    received: list[Any] = []
    listener = await asyncpg.connect(**_asyncpg_params(store.url))
    try:
        await listener.add_listener(GENERATION_CHANNEL, lambda *args: received.append(args))

        (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
        real_count = store_module._count_facts
        calls = 0

        async def count_then_fail(conn: Any) -> int:
            nonlocal calls
            calls += 1
            if calls == 2:  # facts_after: after the NOTIFY, before the commit
                raise store_module.SQLAlchemyError("disk full")
            return await real_count(conn)

        monkeypatch.setattr(store_module, "_count_facts", count_then_fail)
        with pytest.raises(store_module.BuildError, match="disk full"):
            await library.reload()
        monkeypatch.undo()
        await listener.execute("SELECT 1")
        assert received == []
        assert await store.generation() == 1
    finally:
        await listener.close()
