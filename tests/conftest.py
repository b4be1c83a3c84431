"""Shared fixtures: a private copy of the seed articles, a store and library on tmp_path
sqlite, settings with one admin, the real Dispatcher and a Bot whose session records calls,
and the stand-in Bot API server.

Helpers live in the test modules, not here: `from conftest import …` would pick up whichever
conftest.py was imported first (tests/knowledge has one too)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher

from bot.app import build_bot, build_dispatcher
from bot.config import Settings
from bot.recording import OFFLINE_TOKEN, RecordingSession
from knowledge import FactStore
from knowledge.library import Library

# The stand-in Bot API server (fake_telegram) and the end-to-end kit live in tests/bot; the
# tests of every folder import them by name.
_BOT_TESTS = str(Path(__file__).resolve().parent / "bot")
if _BOT_TESTS not in sys.path:
    sys.path.insert(0, _BOT_TESTS)

from fake_telegram import FakeTelegram  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ADMIN_ID = 1000  # the one admin in `settings`


@pytest.fixture
def admin_id() -> int:
    """The Telegram id that `settings` lists in ADMIN_IDS."""
    return ADMIN_ID


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """A copy of seeds/ that a test may add files to."""
    return Path(shutil.copytree(SEEDS, tmp_path / "articles"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'citybot.db'}"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[FactStore]:
    store = await FactStore.open(database_url)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def library(store: FactStore, articles_dir: Path) -> Library:
    return await Library.open(store, articles_dir)


@pytest.fixture
def settings(articles_dir: Path, database_url: str) -> Settings:
    # _env_file=None and explicit values: the developer's .env or BOT_TOKEN never leak in.
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=None,
        admin_ids=frozenset({ADMIN_ID}),
        articles_dir=articles_dir,
        database_url=database_url,
        telegram_api_base=None,
        log_level="INFO",
        throttle_messages=10,
        throttle_seconds=10.0,
    )


@pytest.fixture
async def make_dispatcher(
    recording_bot: Bot,
) -> AsyncIterator[Callable[[Settings, Library, FactStore], Dispatcher]]:
    """`build_dispatcher`, with each Dispatcher shut down after the test as polling does on
    stop (the journal writes its queue and stops its background writer)."""
    built: list[Dispatcher] = []

    def make(settings: Settings, library: Library, store: FactStore) -> Dispatcher:
        built.append(build_dispatcher(settings, library, store))
        return built[-1]

    yield make
    for dp in built:
        await dp.emit_shutdown(bot=recording_bot)


@pytest.fixture
def dispatcher(
    make_dispatcher: Callable[[Settings, Library, FactStore], Dispatcher],
    settings: Settings,
    library: Library,
    store: FactStore,
) -> Dispatcher:
    """The real Dispatcher, built by the same factory __main__ uses."""
    return make_dispatcher(settings, library, store)


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    """The stand-in Bot API server (tests/bot/fake_telegram.py), on 127.0.0.1."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def recording_bot(session: RecordingSession) -> Bot:
    """A Bot whose requests never leave the process: see `session.calls`."""
    return build_bot(OFFLINE_TOKEN, session=session)
