"""`python -m bot` in a subprocess: the console chat, `ask`, `ask --json`, bad settings, and
SIGTERM while Telegram is unreachable (with the token kept out of the output).

Starting Python with aiogram takes seconds, so the runs start together once per module and
each test reads its own result.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from e2e_kit import ROOT, TOURISTS, clean_env, start_bot_process

pytestmark = pytest.mark.slow  # console subprocesses

WEATHER = "Какая погода завтра в Алматы?"
SECRET_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def bot_env(workdir: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no settings from the developer's shell, a private db and articles."""
    articles = workdir / "articles"
    if not articles.exists():
        shutil.copytree(ROOT / "seeds", articles)
    env = clean_env(
        ARTICLES_DIR=str(articles),
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'data' / 'citybot.db'}",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


SCENARIOS: dict[str, tuple[list[str], str, dict[str, str]]] = {
    "console": ([], f"{TOURISTS}\n/start\n1\n{WEATHER}\n/reload\n", {}),
    "console_admin": (["--admin"], "/reload\n/sources\n", {}),
    "ask": (["ask", TOURISTS], "", {}),
    "ask_json": (["ask", "--json"], f"{TOURISTS}\n{WEATHER}\n\n   \n", {}),
    "bad_setting": ([], "", {"ADMIN_IDS": "1, x"}),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every scenario run once, all at the same time; cwd is a temp dir, so no .env is read."""
    procs = {}
    for name, (args, _, extra) in SCENARIOS.items():
        workdir = tmp_path_factory.mktemp(name)
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=workdir,
            env=bot_env(workdir, **extra),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(SCENARIOS[name][1], timeout=180)
        results[name] = Run(proc.returncode, out, err)
    return results


def test_console_chat_answers_and_presses_buttons(runs: dict[str, Run]) -> None:
    run = runs["console"]
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "BOT_TOKEN не задан — запускаю чат в консоли (выход: Ctrl+D)."
    assert f"> {TOURISTS}" in lines
    # The answer, as a person reads it: no tags, the figure first.
    answer = lines.index(f"> {TOURISTS}") + 1
    assert lines[answer].startswith("1,9 млн человек — за девять месяцев 2025 года")
    assert lines[answer + 1].startswith("«За девять месяцев 2025 года")
    assert lines[answer + 2].endswith(", 9 января 2026")
    assert "<b>" not in run.stdout
    # /start lists three examples as options; typing 1 presses the first one.
    assert "[1] Сколько туристов приехало в Алматы в 2025 году?" in lines
    assert "[3] Сколько выделят на образование в 2026 году?" in lines
    pressed = lines.index("> 1") + 1
    assert lines[pressed].startswith("1,9 млн человек — за девять месяцев 2025 года")
    weather = lines.index(f"> {WEATHER}") + 1
    assert lines[weather] == "В статьях нет ответа на этот вопрос."
    assert lines[weather + 2].startswith("[1] ")
    assert lines[lines.index("> /reload") + 1] == "Эта команда только для администраторов."


def test_console_admin_can_reload(runs: dict[str, Run]) -> None:
    run = runs["console_admin"]
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    reload = lines.index("> /reload") + 1
    assert lines[reload] == "Статьи перечитаны."
    assert re.fullmatch(r"Изменений нет \(статей: 3, фактов: \d+\)", lines[reload + 1])
    assert re.fullmatch(r"Сейчас в базе: 3 статьи, \d+ факт\w*\.", lines[reload + 2])
    assert "Загружено 3 статьи:" in lines


def test_ask_prints_the_reply_as_plain_text(runs: dict[str, Run]) -> None:
    run = runs["ask"]
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("1,9 млн человек — за девять месяцев 2025 года")
    assert lines[1].startswith("«За девять месяцев 2025 года количество туристов")
    assert lines[2].startswith("Источник: ") and lines[2].endswith(", 9 января 2026")
    assert len(lines) == 3


def test_ask_json_answers_each_line_in_order(runs: dict[str, Run]) -> None:
    run = runs["ask_json"]
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["question"] for r in rows] == [TOURISTS, WEATHER, "", "   "]
    for row in rows:
        assert set(row) == {
            "question",
            "found",
            "answer",
            "matches",
            "clarify",
            "near_miss",
            "digest",
            "resolved",
        }
    tourists, weather, empty, blank = rows
    assert tourists["found"] is True
    assert tourists["answer"].startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>\n«")
    best = tourists["matches"][0]
    assert set(best) == {"fact_id", "text", "figure", "source", "source_date", "score"}
    assert best["figure"] == "1,9 млн человек"
    assert best["source"] == "001_9e8737218ffa3194.txt"
    assert best["source_date"] == "2026-01-09"
    assert best["fact_id"].startswith("001_9e8737218ffa3194.txt#")
    assert weather["found"] is False
    assert weather["answer"].startswith("В статьях нет ответа на этот вопрос.")
    for row in (empty, blank):
        assert row["found"] is False and row["matches"] == []
        assert row["answer"].startswith("Напишите вопрос словами")


def test_bad_setting_stops_with_one_clear_line(runs: dict[str, Run]) -> None:
    run = runs["bad_setting"]
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        "Ошибка настройки ADMIN_IDS: «x» — не число; нужны id через запятую, например 1,2,3"
    ]


async def test_sigterm_while_telegram_is_unreachable_stops_cleanly_without_leaking_token(
    tmp_path: Path,
) -> None:
    # Port 99999 does not exist: aiohttp's error quotes the whole URL, token included.
    env = bot_env(
        tmp_path,
        BOT_TOKEN=SECRET_TOKEN,
        TELEGRAM_API_BASE="http://127.0.0.1:99999",
        LOG_LEVEL="DEBUG",
    )
    proc = await start_bot_process(env, tmp_path)
    assert proc.stderr is not None and proc.stdout is not None
    seen: list[str] = []

    async def until_retrying() -> None:
        while True:
            line = (await proc.stderr.readline()).decode()
            assert line, "".join(seen)
            seen.append(line)
            if "Telegram is unreachable" in line:
                return

    try:
        await asyncio.wait_for(until_retrying(), 120)
        proc.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
    stderr = "".join(seen) + rest.decode()
    assert proc.returncode == 0, stderr
    assert SECRET_TOKEN not in stderr
    assert SECRET_TOKEN.split(":")[1] not in stderr
    assert "retrying in" in stderr
    assert "http://127.0.0.1:99999/bot***/getMe" in stderr


def test_ask_json_stops_quietly_when_the_reader_goes_away(tmp_path: Path) -> None:
    # `ask --json < questions | head -1`: far more output than a pipe buffers, then the
    # reader closes its end.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json"],
        cwd=tmp_path,
        env=bot_env(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    # The questions go in from a thread: the bot blocks on its full stdout meanwhile.
    feeder = threading.Thread(target=_feed, args=(proc.stdin, f"{TOURISTS}\n".encode() * 1500))
    feeder.start()
    first = json.loads(proc.stdout.readline())
    proc.stdout.close()
    assert proc.wait(timeout=180) == 0
    feeder.join(timeout=10)
    assert first["found"] is True
    assert "Traceback" not in proc.stderr.read().decode()


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with suppress(BrokenPipeError):
        pipe.write(data)
        pipe.close()
