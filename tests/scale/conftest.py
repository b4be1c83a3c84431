"""Scale-out tests (issue 5): PostgreSQL, Redis, several replicas, webhook mode.

They use the real services on 127.0.0.1 (PostgreSQL :5432, Redis :6379; override with
CITYBOT_TEST_POSTGRES_URL / CITYBOT_TEST_REDIS_URL) and skip, saying why, only when one is
unreachable. The fixtures of tests/conftest.py (settings, articles_dir, admin_id…) are
available here too.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pg_kit import fresh_pg_database
from scale_kit import REDIS_URL, WebhookTelegram, redis_or_skip


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of this test's own (created here, dropped afterwards)."""
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture
async def redis_url() -> str:
    """The test Redis (it may be shared: tests use random user ids and delete their keys)."""
    client = await redis_or_skip(REDIS_URL)
    await client.aclose()
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A REDIS_PREFIX of this test's own: what it publishes no other test run hears."""
    return f"citybot-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Any]:
    client = await redis_or_skip(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def telegram() -> AsyncIterator[WebhookTelegram]:
    """A stand-in Bot API server on 127.0.0.1 (setWebhook included)."""
    async with WebhookTelegram() as server:
        yield server
