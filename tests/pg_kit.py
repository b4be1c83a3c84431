"""The PostgreSQL test server (CITYBOT_TEST_POSTGRES_URL, else postgres@127.0.0.1:5432/test)
for the tests of tests/knowledge, tests/reliability and tests/scale.

Imported by name from every test folder: it sits next to tests/conftest.py, whose folder
pytest puts on sys.path.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get(
    "CITYBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def pg_admin() -> tuple[Any, str]:
    """An asyncpg connection to the server's `test` database and the user it connected as
    (the URL's, else postgres, else root); skips the test when none connects."""
    import asyncpg

    base = sa.make_url(POSTGRES_URL)
    users = [base.username] if base.username else []
    users += [u for u in ("postgres", "root") if u not in users]
    errors: list[str] = []
    for user in users:
        try:
            connection = await asyncpg.connect(
                host=base.host or "127.0.0.1",
                port=base.port or 5432,
                user=user,
                password=base.password,
                database=base.database or "test",
                timeout=5,
            )
            return connection, user
        except Exception as exc:  # refused, auth failure, no such database…
            errors.append(f"{user}: {exc!r}")
    pytest.skip(f"PostgreSQL is not reachable at {base.host}:{base.port}: {'; '.join(errors)}")


async def can_create_databases() -> bool:
    """Whether the user of `pg_admin` may CREATE DATABASE (CREATEDB, or a superuser)."""
    admin, _ = await pg_admin()
    try:
        return bool(
            await admin.fetchval(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            )
        )
    finally:
        await admin.close()


@asynccontextmanager
async def fresh_pg_database(prefix: str = "citybot_t") -> AsyncIterator[str]:
    """A new, empty database `<prefix>_<random>` (dropped afterwards); yields its URL."""
    admin, user = await pg_admin()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = sa.make_url(POSTGRES_URL).set(username=user, database=name)
            yield url.render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def store_url(kind: str, folder: Path, prefix: str) -> AsyncIterator[str]:
    """A database URL for a test parametrised over "sqlite" (a file in `folder`) and
    "postgresql" (a fresh database named from `prefix`; skipped without CREATEDB)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/citybot.db"
        return
    if not await can_create_databases():
        pytest.skip("no CREATEDB right on the PostgreSQL test server")
    async with fresh_pg_database(prefix) as url:
        yield url
