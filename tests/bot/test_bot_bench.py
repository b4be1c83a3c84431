"""`python -m bot bench`: the whole bot under a stream of updates, offline; every update gets
its reply, nothing fails. No timings are asserted (they depend on the machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.bench import PRESS_PREFIXES, SCRIPTS, make_steps
from knowledge.dev.bench import make_questions, seed_facts

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
KEYS = (
    "updates",
    "facts",
    "updates_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "replies",
    "errors",
    "missing",
    "throttled",
    "stale",
    "concurrent_updates_per_s",
    "concurrent_replies",
    "concurrent_errors",
)


def _bench(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot bench … --json` in `folder` (no .env there), with extra settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "bench", *args, "--json"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_bench_json(tmp_path: Path) -> None:
    # cwd is a temp dir and the settings are the bench's own: no .env, no BOT_TOKEN, no Redis.
    done = _bench(
        tmp_path, "--updates", "50", "--concurrency", "4", REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    result = json.loads(lines[0])
    assert set(KEYS) <= set(result)
    assert result["updates"] == 50
    assert result["facts"] > 0
    for prefix in ("", "concurrent_"):
        assert result[f"{prefix}errors"] == 0, result
        assert result[f"{prefix}replies"] == 50, result
        assert result[f"{prefix}missing"] == 0, result
        assert result[f"{prefix}throttled"] == 0, result
        assert result[f"{prefix}stale"] == 0, result  # the buttons pressed were the bot's own
    kinds = result["kinds"]
    assert sum(kinds.values()) == 50
    assert {"answerable", "typo", "abstain", "start", "vote"} <= set(kinds)
    assert "updates/s" in done.stderr  # progress goes to stderr, the JSON alone to stdout


def test_steps_are_a_deterministic_mix_with_presses_after_messages() -> None:
    questions = make_questions(list(seed_facts(SEEDS)), 80, 0)
    steps = make_steps(300, questions, 1_000, 0)
    assert steps == make_steps(300, questions, 1_000, 0)
    assert len(steps) == 300
    kinds = Counter(step.kind for step in steps)
    every_kind = {kind for script in SCRIPTS for kind in script}
    assert set(kinds) == every_kind
    per_user = Counter(step.user_id for step in steps)
    assert max(per_user.values()) <= max(len(s) for s in SCRIPTS) < 10  # under the flood limit
    seen: set[int] = set()
    for step in steps:
        if step.kind in PRESS_PREFIXES:
            assert step.user_id in seen and step.text is None  # a press follows a reply
        else:
            assert step.text
        seen.add(step.user_id)


@pytest.mark.slow
def test_broadcast_bench_json(tmp_path: Path) -> None:
    """`python -m bot bench --broadcast N`: every subscriber gets its message once; the rate
    figures are reported, not asserted (they are the benchmark's to measure)."""
    done = _bench(tmp_path, "--broadcast", "40")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["subscribers"], result["messages"], result["expected"]) == (40, 42, 42)
    assert (result["duplicates"], result["failed"], result["chats_with_two"]) == (0, 0, 2)
    for key in ("rate_per_s", "max_in_1s", "min_gap_same_chat_s", "seconds", "limit_per_s"):
        assert isinstance(result[key], int | float), key
