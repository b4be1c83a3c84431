"""Issue 20, defects 1 and 2: a build that fails must not commit, a store that cannot be
indexed must not stop the bot from starting, and SIGTERM must stop the bot mid-build."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from e2e_kit import clean_env, start_bot_process
from fake_telegram import TOKEN, FakeTelegram, message_update
from reliability_kit import FIGURES, store_counts

from knowledge import BuildError, Fact, FactIndex, FactStore
from knowledge.library import Library

NEW = "050_new.txt"
NEW_ARTICLE = (
    "---\ndate: 2026-02-01\ntitle: Велодорожки\n---\n\n"
    "В 2026 году в Алматы построят 120 км велодорожек.\n"
)
SEED_ARTICLES = 3


def _failing_for(article_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """FactIndex.build runs out of memory whenever the facts hold `article_id`'s."""
    real = FactIndex.build

    def build(facts: Iterable[Fact], generation: int = 0) -> FactIndex:
        facts = list(facts)
        if any(fact.article_id == article_id for fact in facts):
            raise MemoryError("the index of this article does not fit")
        return real(facts, generation=generation)

    monkeypatch.setattr(FactIndex, "build", staticmethod(build))


async def test_a_generation_that_cannot_be_indexed_is_never_committed(
    library: Library,
    store: FactStore,
    articles_dir: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The store committed the article, then the index build failed: every start after that
    died. Now the index is built from the new generation first; it fails, nothing is written."""
    before = await store_counts(database_url)
    served = library.index
    (articles_dir / NEW).write_text(NEW_ARTICLE, encoding="utf-8")
    _failing_for(NEW, monkeypatch)
    with pytest.raises(BuildError, match="не удалось проиндексировать .*MemoryError"):
        await library.reload()
    assert await store_counts(database_url) == before
    assert library.index is served
    assert library.ask("Сколько туристов приехало в Алматы в 2025 году?").found


async def test_start_on_what_can_be_indexed_when_the_stored_generation_cannot(
    store: FactStore,
    articles_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A store written by an older version (or on a machine with more memory) holds an
    article whose index cannot be built: the bot starts anyway, without that article, logs
    why and keeps the reason for the admins."""
    (articles_dir / NEW).write_text(NEW_ARTICLE, encoding="utf-8")
    await store.rebuild_from(articles_dir)  # committed without a check, as before
    generation = await store.generation()
    _failing_for(NEW, monkeypatch)
    with caplog.at_level(logging.ERROR, logger="knowledge.library"):
        library = await Library.open(store, articles_dir)
    assert library.index.generation == generation
    assert {fact.article_id for fact in library.index.facts} == {
        p.name for p in articles_dir.iterdir() if p.name != NEW
    }
    assert library.problem == (
        f"Версию {generation} не удалось проиндексировать целиком "
        f"(MemoryError: the index of this article does not fit). Работаю без статей: {NEW}."
    )
    assert "cannot be indexed" in caplog.text
    assert library.ask("Сколько туристов приехало в Алматы в 2025 году?").found


async def test_a_generation_that_cannot_be_indexed_is_tried_once(
    library: Library, store: FactStore, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another replica's generation that does not index here: the served index stays, and
    the watcher's next look does not build it again."""
    served = library.index
    (articles_dir / NEW).write_text(NEW_ARTICLE, encoding="utf-8")
    await store.rebuild_from(articles_dir)
    calls: list[int] = []
    real = FactIndex.build

    def build(facts: Iterable[Fact], generation: int = 0) -> FactIndex:
        calls.append(generation)
        raise MemoryError("no")

    monkeypatch.setattr(FactIndex, "build", staticmethod(build))
    with pytest.raises(MemoryError):
        await library.refresh()
    assert await library.refresh() is False
    assert library.index is served and len(calls) == 1
    monkeypatch.setattr(FactIndex, "build", real)


# --- SIGTERM in the middle of a long build -----------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _slow_article(number: int) -> str:
    """Just under 2 MB of sentences of 2,400 bare numbers: within every cap, about a million
    numbers to read, which takes a long time whatever the extraction does."""
    sentence = "1 " * 2_400 + "."
    return f"---\ndate: 2026-01-0{number}\ntitle: Числа {number}\n---\n\n" + "\n\n".join(
        [sentence] * 400
    )


@pytest.mark.slow
async def test_sigterm_stops_the_bot_in_the_middle_of_a_build(
    server: FakeTelegram, articles_dir: Path, database_url: str, tmp_path: Path, admin_id: int
) -> None:
    """`python -m bot` gets /reload of a folder that takes minutes to extract, then SIGTERM:
    it exits within the compose grace period (30 s), having committed nothing. Before, the
    build's worker thread was joined at exit and the process needed SIGKILL."""
    env = clean_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=server.base_url,
        ADMIN_IDS=str(admin_id),
        ARTICLES_DIR=str(articles_dir),
        DATABASE_URL=database_url,
        LOG_LEVEL="INFO",
    )
    proc = await start_bot_process(env, tmp_path)
    try:
        await server.wait_for_call("getUpdates", ok=None, timeout=120)
        before = await store_counts(database_url)
        for number in range(1, 5):
            (articles_dir / f"09{number}_numbers.txt").write_text(
                _slow_article(number), encoding="utf-8"
            )
        mark = server.mark()
        server.push_update(message_update(admin_id, "/reload"))
        await server.wait_for_call("sendChatAction", since=mark, ok=None, timeout=30)
        # Reading the files takes a fraction of a second; 3 s of CPU later the build is deep
        # in extraction (about a minute of it).
        started = _cpu_seconds(proc.pid)
        while _cpu_seconds(proc.pid) < started + 3:  # polled, not slept on: CPU, not wall time
            assert proc.returncode is None, "the bot exited during the build"
            await asyncio.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        try:
            _, err = await asyncio.wait_for(proc.communicate(), 30)
            FIGURES.record(
                "hostile.sigterm_mid_build_exit_s", round(time.monotonic() - signalled, 2)
            )
        except TimeoutError:
            pytest.fail("the bot did not stop within 30 s of SIGTERM in the middle of a build")
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log
    assert "Reload requested" in log and "Received SIGTERM signal" in log
    assert await store_counts(database_url) == before
