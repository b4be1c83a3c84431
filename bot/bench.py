"""`python -m bot bench [--updates N] [--facts N] [--concurrency K] [--json] [--profile]`:
updates per second through the whole bot.

The real Dispatcher (`build_dispatcher`: routers, throttling, the question journal, HTML
rendering) runs on a Bot whose session never leaves the process (`RecordingSession`), over
a temporary SQLite store: the seed articles, or with `--facts N` the synthetic corpus of
`python -m knowledge bench` (knowledge.dev.bench.make_corpus), built by the real parser and store.

The updates are a deterministic mix from many users, each following a short script — /start
then an example button, questions (paraphrased from the facts, some with typos, some that
must be abstained on: knowledge.dev.bench.make_questions), 👍/👎 and "did you mean" buttons
under answers, suggestion buttons under "not found", /help, /topics, a topic and its next
page. A button is pressed on the message the bot really sent that user, so its callback data
is what the bot made. Users get at most a few updates each: the flood limit (10 per 10 s)
never drops one, and `throttled` reports it if it did.

Each update arrives as Telegram's JSON would: `Update.model_validate` (bound to the bot),
then `dp.feed_update`; both are timed. Every update must get its reply (a message, an edit or
a callback answer): `replies` counts those that did, `missing` the others, `errors` the
exceptions and error log lines. The timed loop is sequential on one event loop; the process
is pinned to one CPU (`--all-cores` not to). `--concurrency K` also feeds K updates at a
time with asyncio.gather (each user's own updates stay in order, as in Telegram).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import gc
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, Message, Update

from knowledge import Journal
from knowledge.dev import make_corpus, make_questions, write_corpus

from .app import build_bot, build_dispatcher, open_library
from .config import Settings
from .logs import setup_logging
from .messages import (
    EXAMPLE_QUESTIONS,
    SOMETHING_WENT_WRONG,
    STALE_BUTTON,
    THROTTLE_NOTICE,
    TOPICS_CHANGED,
)
from .recording import OFFLINE_TOKEN, Call, RecordingSession

TARGET_UPDATES_PER_S = 500  # issue 5: through the Dispatcher, on one core
DEFAULT_UPDATES = 2000
WARM_UP_UPDATES = 60
FIRST_USER_ID = 10_000_000
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# What users do, one script each (picked in turn with a seeded RNG). A press step presses a
# button of the latest message with buttons the bot sent that user.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("start", "press_example", "answerable", "vote"),
    ("answerable", "vote", "typo", "help"),
    ("abstain", "press_suggestion", "answerable"),
    ("topics", "press_topic", "press_page", "answerable"),
    ("typo", "vote", "abstain", "answerable"),
    ("answerable", "answerable", "vote"),
)
# Callback data prefixes (bot/callbacks.py) a press step looks for, best first.
PRESS_PREFIXES: dict[str, tuple[str, ...]] = {
    "press_example": ("ex:",),
    "vote": ("fb:", "pk:", "sg:"),
    "press_suggestion": ("sg:",),
    "press_topic": ("tp:",),
    "press_page": ("tpg:",),
}
MESSAGE_STEPS = {"start": "/start", "help": "/help", "topics": "/topics"}
STALE_TEXTS = (STALE_BUTTON, TOPICS_CHANGED)

# Which update a Bot API call was made for: set by each update's task, so the calls of
# concurrent updates are told apart.
_current_update: contextvars.ContextVar[int] = contextvars.ContextVar("bench_update")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchSession(RecordingSession):
    """A RecordingSession that files each call under the update it was made for, and keeps
    nothing else (a long run must not grow a list of every call)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_update: dict[int, list[Call]] = {}

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        result = await super().make_request(bot, method, timeout)
        # No await between the parent's append and here: the last call is this one.
        call = self.calls.pop()
        update_id = _current_update.get(None)
        if update_id is not None:
            self.by_update.setdefault(update_id, []).append(call)
        return result


class GcTimer:
    """Time spent in the cyclic garbage collector (it walks the whole heap: 100,000 facts
    make every full collection slow)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0  # generation-2 collections
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.full += info.get("generation") == 2

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


class ErrorCounter(logging.Handler):
    """Counts ERROR records: on_error and the journal log failures instead of raising."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass(frozen=True)
class Step:
    user_id: int
    kind: str
    text: str | None = None  # message steps: what the user types
    choice: int = 0  # press steps: which of the matching buttons (modulo their number)


@dataclass
class Outcome:
    """What one run of steps did."""

    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    gc_s: float = 0.0
    gc_full: int = 0
    replies: int = 0
    missing: int = 0
    exceptions: int = 0
    throttled: int = 0
    stale: int = 0
    failed: int = 0  # replies saying SOMETHING_WENT_WRONG
    api_calls: int = 0
    kinds: Counter[str] = field(default_factory=Counter)  # after press fallbacks
    by_kind_ms: dict[str, list[float]] = field(default_factory=dict)


def make_steps(count: int, questions: Sequence[Any], first_user: int, seed: int) -> list[Step]:
    """`count` steps from users with a script each, interleaved round by round: every user's
    first step, then every user's second…; so a press always follows its user's message."""
    rng = random.Random(f"bot-bench/{seed}/{count}")
    by_kind: dict[str, list[str]] = {}
    for question in questions:
        by_kind.setdefault(question.kind, []).append(question.text)
    used: Counter[str] = Counter()

    def question_text(kind: str) -> str:
        pool = by_kind.get(kind) or by_kind.get("abstain") or list(EXAMPLE_QUESTIONS)
        text = pool[used[kind] % len(pool)]
        used[kind] += 1
        return text

    scripts: list[list[Step]] = []
    total = 0
    while total < count:
        user_id = first_user + len(scripts)
        script = []
        for kind in rng.choice(SCRIPTS):
            if kind in MESSAGE_STEPS:
                script.append(Step(user_id, kind, MESSAGE_STEPS[kind]))
            elif kind in PRESS_PREFIXES:
                script.append(Step(user_id, kind, choice=rng.randrange(12)))
            else:
                script.append(Step(user_id, kind, question_text(kind)))
        scripts.append(script)
        total += len(script)
    rounds = max(len(s) for s in scripts)
    steps = [s[r] for r in range(rounds) for s in scripts if r < len(s)]
    return steps[:count]


class Runner:
    """Feeds steps to the Dispatcher and checks each update's replies."""

    def __init__(self, dp: Dispatcher, bot: Bot, session: BenchSession) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self._update_ids = iter(range(1, 2**62))
        # The latest message with inline buttons the bot sent each user.
        self._buttons: dict[int, Message] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.errors = ErrorCounter()

    def raw_update(self, step: Step, update_id: int) -> tuple[dict[str, Any], str]:
        """The update as Telegram's JSON, and the step kind it became (a press with no
        matching button on the user's last message presses an example button instead)."""
        user = {"id": step.user_id, "is_bot": False, "first_name": "Bench", "language_code": "ru"}
        if step.text is not None:
            message = {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": step.user_id, "type": "private", "first_name": "Bench"},
                "from": user,
                "text": step.text,
            }
            return {"update_id": update_id, "message": message}, step.kind
        kind = step.kind
        shown = self._buttons.get(step.user_id)
        data = self._pick(shown, PRESS_PREFIXES[step.kind], step.choice)
        if shown is None or data is None:
            kind, data = "press_example_fallback", f"ex:{update_id % len(EXAMPLE_QUESTIONS)}"
        query: dict[str, Any] = {
            "id": str(update_id),
            "from": user,
            "chat_instance": str(step.user_id),
            "data": data,
        }
        if shown is not None:
            query["message"] = shown.model_dump(mode="json", exclude_none=True, by_alias=True)
        else:
            query["message"] = {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": step.user_id, "type": "private"},
                "text": "…",
            }
        return {"update_id": update_id, "callback_query": query}, kind

    @staticmethod
    def _pick(message: Message | None, prefixes: tuple[str, ...], choice: int) -> str | None:
        markup = message.reply_markup if message is not None else None
        if not isinstance(markup, InlineKeyboardMarkup):
            return None
        data = [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data]
        for prefix in prefixes:
            found = [d for d in data if d.startswith(prefix)]
            if found:
                return found[choice % len(found)]  # 👍 or 👎, any suggestion or topic
        return None

    async def feed(self, step: Step, outcome: Outcome) -> None:
        """One update: build, parse and feed it, then check its replies."""
        lock = self._locks.setdefault(step.user_id, asyncio.Lock())
        async with lock:  # a user's next update waits for the reply to the previous one
            update_id = next(self._update_ids)
            raw, kind = self.raw_update(step, update_id)
            _current_update.set(update_id)  # this task's context only
            started = time.perf_counter()
            try:
                update = Update.model_validate(raw, context={"bot": self.bot})
                await self.dp.feed_update(self.bot, update)
            except Exception as error:  # on_error should have caught it: count, go on
                outcome.exceptions += 1
                log(f"update {update_id} raised {type(error).__name__}: {error}")
            elapsed_ms = (time.perf_counter() - started) * 1000.0
            outcome.latencies_ms.append(elapsed_ms)
            outcome.kinds[kind] += 1
            outcome.by_kind_ms.setdefault(kind, []).append(elapsed_ms)
            self._check(step, update_id, "callback_query" in raw, outcome)

    def _check(self, step: Step, update_id: int, is_callback: bool, outcome: Outcome) -> None:
        calls = self.session.by_update.pop(update_id, [])
        outcome.api_calls += len(calls)
        replied = False
        for call in calls:
            method = call.method
            # A message is answered by a message (or an edit); a button press must be
            # answered with answerCallbackQuery, or the user's client keeps spinning.
            if isinstance(method, AnswerCallbackQuery):
                replied = replied or is_callback
                text = method.text or ""
            elif isinstance(method, SendMessage | EditMessageText):
                replied = replied or not is_callback
                text = method.text or ""
                result = call.result
                if isinstance(result, Message) and isinstance(
                    result.reply_markup, InlineKeyboardMarkup
                ):
                    self._buttons[step.user_id] = result
            else:
                continue
            if text == THROTTLE_NOTICE:
                outcome.throttled += 1
            elif text in STALE_TEXTS:
                outcome.stale += 1
            elif SOMETHING_WENT_WRONG in text:
                outcome.failed += 1
        if replied:
            outcome.replies += 1
        else:
            outcome.missing += 1

    async def run(self, steps: Sequence[Step], concurrency: int = 1) -> Outcome:
        """Feed every step, `concurrency` at a time; wall and CPU time of the whole run."""
        outcome = Outcome()
        errors_before = self.errors.count
        wall, cpu = time.perf_counter(), time.process_time()
        with GcTimer() as collector:
            if concurrency <= 1:
                for step in steps:
                    await self.feed(step, outcome)
            else:
                for start in range(0, len(steps), concurrency):
                    batch = steps[start : start + concurrency]
                    await asyncio.gather(*(self.feed(step, outcome) for step in batch))
        outcome.wall_s = time.perf_counter() - wall
        outcome.cpu_s = time.process_time() - cpu
        outcome.gc_s, outcome.gc_full = collector.seconds, collector.full
        outcome.exceptions += self.errors.count - errors_before
        return outcome


def bench_settings(articles_dir: Path, database_url: str) -> Settings:
    """Production defaults, whatever the environment or .env says (no Redis, no token)."""
    values = {
        name: info.get_default(call_default_factory=True)
        for name, info in Settings.model_fields.items()
    }
    values.update(articles_dir=articles_dir, database_url=database_url, log_level="WARNING")
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.contextmanager
def one_cpu(enabled: bool) -> Iterator[int | None]:
    """Pin every thread of the process (the event loop's, aiosqlite's) to one CPU."""
    if not enabled or not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    tasks = _threads()
    for tid in tasks:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(tid, {cpu})
    try:
        yield cpu
    finally:
        for tid in _threads():
            with contextlib.suppress(OSError):
                os.sched_setaffinity(tid, before)


def _threads() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/task")]
    except OSError:
        return [0]


def _percentiles(latencies_ms: Sequence[float]) -> tuple[float, float, float]:
    if not latencies_ms:
        return 0.0, 0.0, 0.0
    p50, p95, p99 = np.percentile(np.asarray(latencies_ms), [50, 95, 99])
    return float(p50), float(p95), float(p99)


def _p50_p99(latencies_ms: Sequence[float]) -> list[float]:
    p50, _, p99 = _percentiles(latencies_ms)
    return [round(p50, 2), round(p99, 2)]


def summarize(outcome: Outcome, prefix: str = "") -> dict[str, Any]:
    p50, p95, p99 = _percentiles(outcome.latencies_ms)
    count = len(outcome.latencies_ms)
    return {
        f"{prefix}updates_per_s": round(count / outcome.wall_s, 1) if outcome.wall_s else 0.0,
        f"{prefix}p50_ms": round(p50, 3),
        f"{prefix}p95_ms": round(p95, 3),
        f"{prefix}p99_ms": round(p99, 3),
        f"{prefix}mean_ms": round(statistics.fmean(outcome.latencies_ms), 3) if count else 0.0,
        f"{prefix}replies": outcome.replies,
        f"{prefix}missing": outcome.missing,
        f"{prefix}errors": outcome.exceptions + outcome.failed,
        f"{prefix}throttled": outcome.throttled,
        f"{prefix}stale": outcome.stale,
        f"{prefix}cpu_share": round(outcome.cpu_s / outcome.wall_s, 2) if outcome.wall_s else 0,
        # CPU time of all threads: what one core could do if nothing else ran on it
        # (and nothing waited on the disk); steadier than wall time on a shared machine.
        f"{prefix}updates_per_cpu_s": round(count / outcome.cpu_s, 1) if outcome.cpu_s else 0.0,
        f"{prefix}gc_share": round(outcome.gc_s / outcome.wall_s, 3) if outcome.wall_s else 0,
        f"{prefix}gc_full": outcome.gc_full,
    }


async def _measure(
    settings: Settings,
    n_updates: int,
    seed: int,
    concurrency: int,
    profile: bool,
    pin: bool,
    journal: bool,
) -> dict[str, Any]:
    started = time.perf_counter()
    store, library = await open_library(settings)
    dp: Dispatcher | None = None
    runner: Runner | None = None
    try:
        load_s = time.perf_counter() - started
        facts = library.index.facts
        log(f"store and index: {len(facts)} facts in {load_s:.1f} s")
        session = BenchSession()
        bot = build_bot(OFFLINE_TOKEN, session=session)
        dp = build_dispatcher(settings, library, store)
        if not journal:
            # What the journal costs: handlers take journal=None as "no journal" (no 👍/👎).
            found = dp.workflow_data.get("journal")
            if isinstance(found, Journal):
                await found.close()
            dp.workflow_data["journal"] = None
        runner = Runner(dp, bot, session)
        logging.getLogger().addHandler(runner.errors)
        phases = 1 + (concurrency > 1) + profile
        questions = make_questions(facts, WARM_UP_UPDATES + phases * n_updates, seed)
        user = FIRST_USER_ID
        asked = 0

        def steps(count: int) -> list[Step]:
            # Every phase has its own users (nobody reaches the flood limit across phases)
            # and its own questions (none is asked twice).
            nonlocal user, asked
            made = make_steps(count, questions[asked : asked + count], user, seed + user)
            user += count + 1
            asked += count
            return made

        await runner.run(steps(WARM_UP_UPDATES))  # lazy imports, dictionaries, the salt
        result: dict[str, Any] = {}
        with one_cpu(pin) as cpu:
            sequential = await runner.run(steps(n_updates))
            log(f"sequential: {len(sequential.latencies_ms) / sequential.wall_s:.0f} updates/s")
            if concurrency > 1:
                concurrent = await runner.run(steps(n_updates), concurrency)
                log(
                    f"concurrency {concurrency}: "
                    f"{len(concurrent.latencies_ms) / concurrent.wall_s:.0f} updates/s"
                )
                result.update(summarize(concurrent, "concurrent_"))
            if profile:
                await _profile(runner, steps(n_updates))
        result = {
            "updates": len(sequential.latencies_ms),
            "facts": len(facts),
            "articles": len(await store.articles()),
            **summarize(sequential),
            "concurrency": concurrency,
            **result,
            "target_updates_per_s": TARGET_UPDATES_PER_S,
            "meets_target": len(sequential.latencies_ms) / sequential.wall_s
            >= TARGET_UPDATES_PER_S,
            "api_calls_per_update": round(
                sequential.api_calls / max(1, len(sequential.latencies_ms)), 2
            ),
            "kinds": dict(sorted(sequential.kinds.items())),
            # Which kind of update is slow: p50 and p99 in ms per kind (sequential run).
            "kind_ms": {
                kind: _p50_p99(times) for kind, times in sorted(sequential.by_kind_ms.items())
            },
            "journal": journal,
            "cpu": cpu,
            "load_s": round(load_s, 2),
        }
        return result
    finally:
        if runner is not None:
            logging.getLogger().removeHandler(runner.errors)
        if dp is not None:
            opened = dp.workflow_data.get("journal")
            if isinstance(opened, Journal):
                await opened.close()
            await dp.storage.close()
        await store.close()


async def _profile(runner: Runner, steps: Sequence[Step]) -> None:
    """The sequential loop again under pyinstrument (cProfile when it is not installed)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        log("pyinstrument is not installed: cProfile instead")
        profiler = cProfile.Profile()
        profiler.enable()
        await runner.run(steps)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        return
    # async_mode "enabled": time this task spends awaiting (the journal's SQLite thread)
    # shows up as [await] under the code that awaited.
    profile = Profiler(interval=0.0005, async_mode="enabled")
    profile.start()
    await runner.run(steps)
    profile.stop()
    print(profile.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)


def run(
    n_updates: int = DEFAULT_UPDATES,
    n_facts: int | None = None,
    *,
    concurrency: int = 1,
    profile: bool = False,
    pin: bool = True,
    journal: bool = True,
    seeds: Path = SEEDS,
) -> dict[str, Any]:
    """Build the store, feed the updates; the measurements as a flat dict (module doc)."""
    with tempfile.TemporaryDirectory(prefix="citybot-bot-bench-") as tmp:
        root = Path(tmp)
        articles_dir = seeds
        if n_facts is not None:
            started = time.perf_counter()
            articles_dir = root / "articles"
            write_corpus(make_corpus(n_facts, seeds), articles_dir)
            log(f"corpus of about {n_facts} facts: {time.perf_counter() - started:.1f} s")
        settings = bench_settings(articles_dir, f"sqlite+aiosqlite:///{root / 'bench.db'}")
        seed = n_facts if n_facts is not None else 0
        return asyncio.run(_measure(settings, n_updates, seed, concurrency, profile, pin, journal))


TABLE = (
    ("facts", "facts"),
    ("articles", "articles"),
    ("updates", "updates (sequential)"),
    ("updates_per_s", "updates per second"),
    ("p50_ms", "latency p50, ms"),
    ("p95_ms", "latency p95, ms"),
    ("p99_ms", "latency p99, ms"),
    ("replies", "updates answered"),
    ("missing", "updates without a reply"),
    ("errors", "errors"),
    ("throttled", "throttled"),
    ("api_calls_per_update", "Bot API calls per update"),
    ("cpu_share", "CPU time / wall time"),
    ("updates_per_cpu_s", "updates per CPU second"),
    ("gc_share", "share of time in the garbage collector"),
    ("concurrency", "concurrency"),
    ("concurrent_updates_per_s", "  updates per second"),
    ("concurrent_p50_ms", "  latency p50, ms"),
    ("concurrent_p99_ms", "  latency p99, ms"),
    ("concurrent_errors", "  errors"),
    ("meets_target", f"≥ {TARGET_UPDATES_PER_S} updates/s"),
)


def format_table(result: dict[str, Any]) -> str:
    width = max(len(label) for _, label in TABLE)
    lines = [f"{label:<{width}}  {result[key]}" for key, label in TABLE if key in result]
    lines.append("")
    lines.append(f"{'kind of update':<24}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, (p50, p99) in result.get("kind_ms", {}).items():
        lines.append(f"{kind:<24}{result['kinds'][kind]:>7}{p50:>9}{p99:>9}")
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    """`python -m bot bench …` once the arguments are parsed."""
    # aiogram logs every update at INFO: that would be timed too.
    setup_logging("WARNING")
    if args.broadcast:
        from .bench_broadcast import format_result, run_broadcast

        sent = run_broadcast(args.broadcast, args.reloads)
        print(json.dumps(sent, ensure_ascii=False) if args.json else format_result(sent))
        return 0 if sent["messages"] == sent["expected"] and not sent["duplicates"] else 1
    result = run(
        args.updates,
        args.facts,
        concurrency=args.concurrency,
        profile=args.profile,
        pin=not args.all_cores,
        journal=not args.no_journal,
        seeds=args.seeds or SEEDS,
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_table(result))
    return 0
