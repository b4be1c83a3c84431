"""Journal record ids in order (1, 2, 3 …) in the bot's tests, so expected callback data
can be written out; the journal itself makes random 62-bit ids (knowledge.journal).

And the end-to-end tests' fixture: the real polling loop long-polling the stand-in Bot API
server (`server`, tests/conftest.py; helpers in e2e_kit.py)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from e2e_kit import RunningBot, e2e_settings, start_bot
from fake_telegram import FakeTelegram

import knowledge.journal
from bot.config import Settings


@pytest.fixture(autouse=True)
def sequential_record_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count(1)
    monkeypatch.setattr(knowledge.journal, "_new_id", lambda: next(counter))


@pytest.fixture
async def running(settings: Settings, server: FakeTelegram) -> AsyncIterator[RunningBot]:
    running = await start_bot(e2e_settings(settings, server), server)
    yield running
    assert await running.stop() == 0
