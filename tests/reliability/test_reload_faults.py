"""The /reload fault matrix: one broken thing at a time in a tmp copy of seeds/, driven through
the admin's /reload handler of the real Dispatcher.

For every fault: the admin's reply has a line naming the file (or folder) and the reason,
every other article is loaded, and a question is still answered. When the new store cannot be
built at all, the previous store and index keep serving, unchanged.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from e2e_kit import TOURISTS, TOURISTS_ANSWER, VELO, VELO_ANSWER, VELO_ARTICLE
from reliability_kit import (
    ADMIN_ID,
    FIGURES,
    ROOT,
    Driver,
    store_counts,
)

import knowledge.articles as articles_module
import knowledge.store as store_module
from bot.recording import RecordingSession
from knowledge import FactIndex, FactStore
from knowledge.articles import MAX_ARTICLE_BYTES
from knowledge.library import Library

USER_ID = 2000
SEED_IDS = ["000_76f55cd445ededdb.txt", "001_9e8737218ffa3194.txt", "004_e37ac366897bb94f.txt"]
RELOADED = "<b>Статьи перечитаны.</b>"
FAILED_TAIL = ". Работает прежняя версия."


@pytest.fixture
def chat(dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession) -> Driver:
    return Driver(dispatcher, recording_bot, session)


async def reload(chat: Driver) -> list[str]:
    """/reload from the admin; the lines of the one reply."""
    return (await chat.reply("/reload", ADMIN_ID)).splitlines()


async def still_answers(chat: Driver) -> None:
    assert (await chat.reply(TOURISTS, USER_ID)).startswith(TOURISTS_ANSWER)


async def assert_skipped_but_rest_loaded(
    chat: Driver, store: FactStore, articles_dir: Path, name: str, reason: str
) -> list[str]:
    """The fault sits next to a new good article: the reload names the fault and loads the
    new article and the seeds."""
    (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
    lines = await reload(chat)
    assert lines[0] == RELOADED, lines
    assert f"Пропущено: {name} — {reason}" in lines, lines
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in lines, lines
    assert [a.id for a in await store.articles()] == [*SEED_IDS, "010_velo.txt"]
    assert (await chat.reply(VELO, USER_ID)).startswith(VELO_ANSWER)
    await still_answers(chat)
    FIGURES.add("reload_faults.injected", 1)
    return lines


async def assert_previous_store_serves(
    chat: Driver,
    library: Library,
    served: FactIndex,
    url: str,
    before: Any,
    lines: list[str],
    *needles: str,
) -> None:
    """The reload failed as a whole: one line says why; nothing changed; the index served
    before the reload (`served`) is still the one answering."""
    assert len(lines) == 1 and lines[0].startswith("Не удалось обновить: "), lines
    assert lines[0].endswith(FAILED_TAIL), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines)
    assert library.index is served
    assert await store_counts(url) == before
    await still_answers(chat)
    FIGURES.add("reload_faults.injected", 1)


def bytes_read() -> int | None:
    """Bytes this process has read through read() calls so far (Linux), else None."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# --- one broken file next to good ones -------------------------------------------------------


async def test_binary_file(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    (articles_dir / "broken.txt").write_bytes(bytes(range(256)) * 64)
    await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "broken.txt", "двоичный файл, не текст"
    )


async def test_empty_file(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    (articles_dir / "empty.txt").write_bytes(b"")
    (articles_dir / "blank.md").write_bytes(b" \n\t\r\n")
    lines = await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "empty.txt", "пустой файл"
    )
    assert "Пропущено: blank.md — пустой файл" in lines


async def test_50_mb_sparse_file_is_refused_without_reading_it(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    huge = articles_dir / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: no disk space, no time
    read_before, started = bytes_read(), time.perf_counter()
    await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "huge.txt", "файл больше 2 МБ (52,5 МБ)"
    )
    elapsed = time.perf_counter() - started
    read_after = bytes_read()
    if read_before is not None and read_after is not None:
        # Everything this process read meanwhile (seeds, SQLite…): far below 50 MB.
        assert read_after - read_before < 10 * 1024 * 1024, read_after - read_before
    assert elapsed < 10, elapsed
    FIGURES.record("reload_faults.50mb_file_seconds", round(elapsed, 2))


async def test_file_growing_after_stat_is_read_at_most_2_mb(
    chat: Driver,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """stat() says 100 bytes, the file really holds 50 MB: the read stops at the limit."""
    growing = articles_dir / "growing.txt"
    with growing.open("wb") as file:
        file.write("Текст.\n".encode())
        file.truncate(50 * 1024 * 1024)
    real_stat = pathlib.Path.stat

    def small_stat(self: Path, *args: Any, **kwargs: Any) -> os.stat_result:
        result = real_stat(self, *args, **kwargs)
        if self.name != "growing.txt":
            return result
        fields = list(result)
        fields[6] = 100  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(pathlib.Path, "stat", small_stat)
    read_before = bytes_read()
    await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "growing.txt", "файл больше 2 МБ (2,1 МБ)"
    )
    read_after = bytes_read()
    if read_before is not None and read_after is not None:
        assert read_after - read_before < MAX_ARTICLE_BYTES + 8 * 1024 * 1024


async def test_non_utf8_file(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    text = "---\ndate: 2026-02-02\ntitle: Статья в cp1251\n---\n\nВ 2026 году построят 5 школ.\n"
    (articles_dir / "cp1251.txt").write_bytes(text.encode("cp1251"))
    await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "cp1251.txt", "файл не в кодировке UTF-8"
    )


async def test_unreadable_file_permission_error(
    chat: Driver,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """We run as root in CI, where chmod 000 does not stop reading: the read itself fails."""
    (articles_dir / "secret.txt").write_text(VELO_ARTICLE.replace("120", "130"), "utf-8")
    real_open = pathlib.Path.open

    def denied(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", denied)
    await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "secret.txt", "нет прав на чтение файла"
    )


@pytest.mark.slow
async def test_unreadable_file_chmod_000(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path, tmp_path: Path
) -> None:
    """A real EACCES from the kernel, not a mock. As root (CI, Docker), chmod 000 does not stop
    reading: the check runs in unreadable_worker.py, a process that drops the capabilities
    root reads through (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), with the real Dispatcher."""
    if sys.platform == "win32":
        pytest.skip("no chmod 000 on Windows")
    if os.geteuid() != 0:
        secret = articles_dir / "secret.txt"
        secret.write_text(VELO_ARTICLE.replace("120", "130"), "utf-8")
        secret.chmod(0)
        try:
            with pytest.raises(PermissionError):
                secret.read_bytes()
            await assert_skipped_but_rest_loaded(
                chat, store, articles_dir, "secret.txt", "нет прав на чтение файла"
            )
        finally:
            secret.chmod(0o644)
        return
    workdir = tmp_path / "unreadable"
    workdir.mkdir()
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(Path(__file__).with_name("unreadable_worker.py")), str(workdir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    if "skip" in out:
        pytest.skip(f"cannot drop root's read capabilities here: {out['skip']}")
    assert out["euid"] == 0 and out["really_unreadable"], out  # root, and the kernel says no
    lines = out["reload"]
    assert lines[0] == RELOADED, lines
    assert "Пропущено: secret.txt — нет прав на чтение файла" in lines, lines
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in lines, lines
    assert out["articles"] == [*SEED_IDS, "010_velo.txt"], out
    assert out["velo"].startswith(VELO_ANSWER), out
    assert out["tourists"].startswith(TOURISTS_ANSWER), out
    assert not out["errors"], out
    FIGURES.add("reload_faults.injected", 1)
    FIGURES.record("reload_faults.unreadable_as_root_capabilities", out["capabilities"])


async def test_file_removed_while_reloading(
    chat: Driver,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A seed disappears between the folder listing and its reading: it is named, its facts
    stay until the next reload, and that reload removes it."""
    gone = SEED_IDS[2]
    real_parse = articles_module.parse_article

    def vanishing(path: Path, **kwargs: Any) -> Any:
        if path.name == gone and path.exists():
            path.unlink()
        return real_parse(path, **kwargs)

    monkeypatch.setattr(articles_module, "parse_article", vanishing)
    (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
    lines = await reload(chat)
    assert lines[0] == RELOADED, lines
    assert f"Пропущено: {gone} — файл не найден (удалён во время чтения?)" in lines, lines
    assert f"Оставлена прежняя версия: {gone}" in lines, lines
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 2" in lines, lines
    assert (await chat.reply(VELO, USER_ID)).startswith(VELO_ANSWER)
    await still_answers(chat)
    # The next reload sees the file is gone for good.
    lines = await reload(chat)
    assert "Статей: добавлено 0, изменено 0, удалено 1, без изменений 3" in lines, lines
    assert gone not in [a.id for a in await store.articles()]
    FIGURES.add("reload_faults.injected", 1)


async def test_duplicate_article(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    """Every sentence of the new file is already in seed 001 (only the header differs)."""
    seed = (articles_dir / SEED_IDS[1]).read_text(encoding="utf-8")
    body = seed.split(" ", 3)[3]  # without the legacy " date YYYY-MM-DD" start
    copy = "---\ndate: 2026-01-10\ntitle: Копия\n---\n\n" + body
    (articles_dir / "zz_copy.txt").write_text(copy, encoding="utf-8")
    lines = await assert_skipped_but_rest_loaded(
        chat,
        store,
        articles_dir,
        "zz_copy.txt",
        f"повторяет {SEED_IDS[1]}: все предложения уже есть там",
    )
    # And the digest does not list the same sentence twice.
    digest = await chat.reply("Что известно про туризм?", USER_ID)
    items = [line for line in digest.splitlines() if line.startswith("• ")]
    quotes = [line.split(" — ", 1)[-1].rsplit(" (", 1)[0] for line in items]
    assert len(quotes) == len(set(quotes)), digest
    assert lines


async def test_named_pipe_does_not_hang_the_reload(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    """open() of a FIFO blocks until someone writes: a reload must not wait for that."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(articles_dir / "pipe.txt")
    await assert_skipped_but_rest_loaded(
        chat, store, articles_dir, "pipe.txt", "не обычный файл (канал, устройство или сокет)"
    )


# --- the store cannot be built: the previous one keeps serving -------------------------------


async def test_articles_folder_missing(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path, database_url: str
) -> None:
    before = await store_counts(database_url)
    moved = articles_dir.rename(articles_dir.with_name("elsewhere"))
    served = library.index
    lines = await reload(chat)
    await assert_previous_store_serves(
        chat,
        library,
        served,
        database_url,
        before,
        lines,
        f"папка со статьями не найдена: {articles_dir}",
    )
    assert moved.is_dir()


async def test_articles_folder_unreadable(
    chat: Driver,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = await store_counts(database_url)
    real_iterdir = pathlib.Path.iterdir

    def denied(self: Path) -> Any:
        if self == articles_dir:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(pathlib.Path, "iterdir", denied)
    served = library.index
    lines = await reload(chat)
    await assert_previous_store_serves(
        chat,
        library,
        served,
        database_url,
        before,
        lines,
        f"не удалось прочитать папку со статьями {articles_dir}",
        "Permission denied",
    )


async def test_extraction_crash_in_one_article(
    chat: Driver,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug in fact extraction for one file: the reload names it and changes nothing."""
    before = await store_counts(database_url)
    real_extract = store_module.extract_facts

    def crashing(article: Any) -> Any:
        if article.id == "010_velo.txt":
            raise RuntimeError("extractor bug")
        return real_extract(article)

    monkeypatch.setattr(store_module, "extract_facts", crashing)
    (articles_dir / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
    served = library.index
    lines = await reload(chat)
    await assert_previous_store_serves(
        chat, library, served, database_url, before, lines, "010_velo.txt", "extractor bug"
    )


async def test_database_failure_in_the_middle_of_the_write(
    chat: Driver, library: Library, store: FactStore, articles_dir: Path, database_url: str
) -> None:
    """A real database error after the old rows are deleted and new articles and facts are
    in (a trigger refuses the figures): the transaction is rolled back whole, and the admin
    gets one line, not the SQL with its parameters."""
    before = await store_counts(database_url)
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TRIGGER refuse_figures BEFORE INSERT ON figures "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    seed = articles_dir / SEED_IDS[0]
    seed.write_text(seed.read_text(encoding="utf-8") + "\n\nВ 2027 году откроют 9 парков.\n")
    served = library.index
    lines = await reload(chat)
    await assert_previous_store_serves(
        chat,
        library,
        served,
        database_url,
        before,
        lines,
        "ошибка базы данных: database or disk is full",
    )
    assert len(lines[0]) < 200, lines
