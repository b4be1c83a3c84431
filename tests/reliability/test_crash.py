"""Crash safety: SIGKILL a process in the middle of a rebuild, restart, find a whole store.

tests/reliability/crash_worker.py rebuilds 2,000 synthetic articles from one edition to the
other (every article changes; the editions differ in fact count) and prints markers. The test
kills it at a random moment after "rebuild started" (extracting facts) or after
"write started" (inside the write transaction, old rows being deleted and new ones
inserted), then opens the store as a restarted bot would and checks that it holds exactly
the old generation or exactly the new one: every fact of one edition, the fact count of that
edition, a question answered from it. Never a mix, never empty. Killed before COMMIT was
sent, it must be the old one; after "rebuild done", the new one; around COMMIT, either.
Then the next kill. The worker also shows how its write transaction took the lock
(BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL), before the first DELETE.

SQLite (WAL, busy timeout, BEGIN IMMEDIATE) and PostgreSQL (a database created and dropped
per test; skipped only if the server is unreachable).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from crash_worker import (
    DEFAULT_ARTICLES,
    LIBRARIES,
    LIBRARY_QUESTION,
    expected_facts,
)
from pg_kit import fresh_pg_database
from reliability_kit import FIGURES, ROOT

from knowledge import FactStore
from knowledge.library import Library

pytestmark = pytest.mark.slow  # SIGKILLed subprocesses, PostgreSQL

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS_CI = 4
KILLS_LONG = 20
_EDITION = re.compile(r"выпуска? ([AB])\b")


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
        return
    async with fresh_pg_database("citybot_crash") as pg_url:
        yield pg_url


# --- the worker ------------------------------------------------------------------------------


@dataclass
class Run:
    """One worker process and the markers it printed."""

    lines: list[str] = field(default_factory=list)
    killed: bool = False
    returncode: int | None = None
    stderr: str = ""

    @property
    def phase(self) -> str:
        """Where the rebuild was when the process ended."""
        if any(line.startswith("rebuild done") for line in self.lines):
            return "committed"
        if "commit started" in self.lines:
            return "committing"  # killed around COMMIT: either generation may be there
        if "write started" in self.lines:
            return "writing"
        if "rebuild started" in self.lines:
            return "extracting"
        return "starting"


async def run_worker(
    url: str,
    edition: str,
    count: int,
    *,
    kill_after: str | None = None,
    delay: float = 0.0,
) -> Run:
    """Run the worker; with `kill_after`, SIGKILL it `delay` s after that marker."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        url,
        edition,
        str(count),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    run = Run()
    try:
        if kill_after is not None:
            while True:
                line = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode().strip()
                if not line:
                    break  # ended before the marker
                run.lines.append(line)
                if line == kill_after:
                    await asyncio.sleep(delay)
                    if proc.returncode is None:
                        proc.send_signal(signal.SIGKILL)
                        run.killed = True
                    break
        out, err = await asyncio.wait_for(proc.communicate(), 120)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    run.lines += [line for line in out.decode().splitlines() if line]
    run.stderr = err.decode()
    run.returncode = proc.returncode
    if not run.killed:
        assert run.returncode == 0, run.stderr
    return run


# --- the check after a restart ---------------------------------------------------------------


@dataclass(frozen=True)
class State:
    generation: int
    edition: str
    facts: int


async def check_store(url: str, count: int) -> State:
    """Open the store as a restarted bot does; it must hold one whole edition, answering."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite+aiosqlite:///")
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    store = await FactStore.open(url)
    try:
        if url.startswith("sqlite"):
            async with store._engine.connect() as conn:  # the store's own connection settings
                assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 30_000
                assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        # What a restarted bot does: snapshot the store, build the index over it.
        library = Library(store, Path("unused"))
        await library.refresh()
        generation, facts = library.index.generation, list(library.index.facts)
        assert facts, "the store is empty after a crash"
        editions = {match.group(1) for fact in facts if (match := _EDITION.search(fact.text))}
        titles = {fact.article_title.rsplit(" ", 1)[-1] for fact in facts}
        assert len(editions) == 1 and titles == editions, f"a mix: {editions} {titles}"
        edition = editions.pop()
        assert len(facts) == expected_facts(edition, count), (edition, len(facts))
        articles = await store.articles()
        assert len(articles) == count
        assert sum(a.facts for a in articles) == len(facts)
        assert await store.generation() == generation
        # Answering: the index serves this edition's figure.
        answer = library.ask(LIBRARY_QUESTION)
        assert answer.found and answer.figure is not None, answer
        assert answer.figure.label.startswith(str(LIBRARIES[edition])), answer.figure
        return State(generation, edition, len(facts))
    finally:
        await store.close()


def wal_bytes(url: str) -> int:
    if not url.startswith("sqlite"):
        return 0
    wal = Path(url.removeprefix("sqlite+aiosqlite:///") + "-wal")
    return wal.stat().st_size if wal.exists() else 0


# --- the test --------------------------------------------------------------------------------


async def test_sigkill_in_the_middle_of_a_rebuild_leaves_old_or_new_never_a_mix(
    url: str, long_run: bool
) -> None:
    backend = url.split("+", 1)[0]
    count = DEFAULT_ARTICLES
    kills_wanted = KILLS_LONG if long_run else KILLS_CI
    seed = int(os.environ.get("CITYBOT_CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    started = time.perf_counter()

    first = await run_worker(url, "A", count)
    assert first.phase == "committed", first.lines
    # The write transaction takes its lock first: BEGIN IMMEDIATE / SELECT … FOR UPDATE.
    lock = "write lock: BEGIN IMMEDIATE" if backend == "sqlite" else "write lock: FOR UPDATE"
    assert lock in first.lines, first.lines
    state = await check_store(url, count)
    assert (state.generation, state.edition) == (1, "A")

    kills = {"extracting": 0, "writing": 0, "committing": 0}
    committed_before_kill = 0
    attempts = 0
    while sum(kills.values()) < kills_wanted:
        attempts += 1
        assert attempts <= kills_wanted * 4, (kills, committed_before_kill, seed)
        target = "B" if state.edition == "A" else "A"
        # Alternate: inside the write transaction, or anywhere in the rebuild.
        if attempts % 2:
            marker, delay = "write started", rng.uniform(0.0, 0.3)
        else:
            marker, delay = "rebuild started", rng.uniform(0.0, 1.5)
        run = await run_worker(url, target, count, kill_after=marker, delay=delay)
        unflushed_wal = wal_bytes(url)
        after = await check_store(url, count)
        context = (backend, seed, attempts, marker, round(delay, 3), run.lines)
        if after.generation == state.generation:
            assert after.edition == state.edition, context  # the old one, whole
        else:
            assert (after.generation, after.edition) == (state.generation + 1, target), context
        if "write started" in run.lines:
            assert run.lines.index(lock) < run.lines.index("write started"), run.lines
        if run.phase in ("extracting", "writing"):
            # Killed before COMMIT was sent: the old generation serves, exactly as it was.
            assert after == state, context
        elif run.phase == "committed":
            assert after.generation == state.generation + 1, context
        if run.killed and run.phase in kills:
            kills[run.phase] += 1
            if run.phase == "writing" and backend == "sqlite":
                FIGURES.add("crash.sqlite.wal_bytes_left_by_kills", unflushed_wal)
        else:
            committed_before_kill += 1
        state = after

    # After all that, a rebuild still runs to the end.
    target = "B" if state.edition == "A" else "A"
    final = await run_worker(url, target, count)
    assert final.phase == "committed"
    end = await check_store(url, count)
    assert (end.generation, end.edition) == (state.generation + 1, target)

    mode = "long" if long_run else "ci"
    FIGURES.record(f"crash.{backend}.{mode}.kills_survived", sum(kills.values()))
    FIGURES.record(f"crash.{backend}.{mode}.kills_inside_write_transaction", kills["writing"])
    FIGURES.record(f"crash.{backend}.{mode}.kills_while_extracting", kills["extracting"])
    FIGURES.record(f"crash.{backend}.{mode}.kills_around_commit", kills["committing"])
    FIGURES.record(f"crash.{backend}.{mode}.mixed_or_empty_stores", 0)
    FIGURES.record(f"crash.{backend}.{mode}.runs_finished_before_the_kill", committed_before_kill)
    FIGURES.record(f"crash.{backend}.{mode}.articles", count)
    FIGURES.record(
        f"crash.{backend}.{mode}.facts_per_edition", [expected_facts(e, count) for e in "AB"]
    )
    FIGURES.record(f"crash.{backend}.{mode}.seconds", round(time.perf_counter() - started, 1))
    assert kills["writing"] >= 1, kills  # at least one kill really hit the write transaction
