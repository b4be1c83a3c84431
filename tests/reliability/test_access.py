"""Access control: admin features (/reload, /add, .txt uploads, /stats, /unanswered) refuse
everyone else, however the command arrives (group, edited, forwarded from the admin, in a
caption, with a real downloadable file); every handler of the admin router sits behind
IsAdmin; forged callback data gets a polite answer and changes nothing, and a 👍/👎 or a pick
is taken only from a button really under the message; the webhook secret is compared in
constant time; the bot token never reaches a log line or an error, even at DEBUG.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import BaseMiddleware, Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import AnswerCallbackQuery, SendMessage
from e2e_kit import FAST_BACKOFF, TOURISTS, TOURISTS_ANSWER, clean_env, start_bot_process
from fake_telegram import BadRequest, FakeTelegram, message_update
from pydantic import SecretStr
from reliability_kit import (
    ADMIN_ID,
    ADMINS_ONLY,
    FIGURES,
    Driver,
    bot_message,
    callback,
    edited,
    error_log,
    forwarded,
    journal_counts,
    message,
    outgoing_problems,
    photo,
    store_counts,
    update,
)

import bot.callbacks as callbacks_module
import bot.handlers
import knowledge.journal
from bot.app import run_polling
from bot.config import Settings
from bot.filters import IsAdmin
from bot.handlers import admin as admin_handlers
from bot.logs import RedactingFilter, Redactor, install_redaction
from bot.messages import STALE_BUTTON
from bot.middlewares import THROTTLE_NOTICE
from bot.recording import RecordingSession
from bot.webhook import SecretRequestHandler
from knowledge import FactStore
from knowledge.library import Library

USER_ID = 2000
# Shaped like a real token (the redactor also masks anything of this shape).
TOKEN = "7012345678:AAHk3xQ9v-Zp4LmN8rT2sW6yB1cD5eF7gH0"
SECRET_PART = TOKEN.split(":", 1)[1]


# --- admin features --------------------------------------------------------------------------


def admin_commands() -> list[str]:
    """Every command the admin router serves (read from its handlers' Command filters)."""
    names: list[str] = []
    for handler in admin_handlers.admin_router().message.handlers:
        for item in handler.filters or []:
            if isinstance(item.callback, Command):
                names += [c for c in item.callback.commands if isinstance(c, str)]
    return sorted(set(names))


class Recorder(BaseMiddleware):
    """An inner middleware: runs only when an admin handler's filters passed."""

    def __init__(self) -> None:
        self.reached: list[Any] = []

    async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        self.reached.append(event)
        return await handler(event, data)


@pytest.fixture
def admin_reached(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Records every update that reaches any handler of the admin router of each Dispatcher
    built during the test."""
    recorder = Recorder()
    build = admin_handlers.admin_router

    def recorded() -> Router:
        router = build()
        for observer in router.observers.values():
            observer.middleware(recorder)
        return router

    monkeypatch.setattr(bot.handlers, "admin_router", recorded)
    return recorder


@pytest.fixture
def chat(dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession) -> Driver:
    return Driver(dispatcher, recording_bot, session)


def folder_state(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def article(title: str, figure: int) -> str:
    """A valid article, as /add and a .txt upload take it."""
    return (
        f"---\ndate: 2026-02-0{figure % 9 + 1}\ntitle: {title}\n---\n\n"
        f"В 2026 году в Алматы откроют {figure} новых катков.\n"
    )


def deliveries(
    command: str, sender: int | None, arguments: str, file_id: str
) -> list[tuple[str, dict[str, Any]]]:
    """The same command from `sender`, every way it can reach the bot. `arguments` is what
    the admin would send after it (an article for /add), `file_id` a downloadable .txt."""
    document = {
        "document": {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": "article.txt",
            "mime_type": "text/plain",
            "file_size": 100,
        },
    }
    return [
        ("private", update("message", message(sender, command))),
        ("private, with arguments", update("message", message(sender, f"{command} {arguments}"))),
        ("mentioning the bot", update("message", message(sender, command + "@citybot"))),
        ("group", update("message", message(sender, command, chat_kind="group"))),
        ("supergroup", update("message", message(sender, command, chat_kind="supergroup"))),
        ("edited", edited(message(sender, command))),
        ("edited, with arguments", edited(message(sender, f"{command} {arguments}"))),
        ("forwarded from the admin", forwarded(message(sender, command), ADMIN_ID)),
        (
            "forwarded from the admin, in a group",
            forwarded(message(sender, f"{command} {arguments}", chat_kind="group"), ADMIN_ID),
        ),
        ("photo caption", update("message", message(sender, None, **photo(command)))),
        (
            "photo caption, with arguments",
            update("message", message(sender, None, **photo(f"{command} {arguments}"))),
        ),
        ("document", update("message", message(sender, None, **document))),
        (
            "document with the command as caption",
            update("message", message(sender, None, **document, caption=command)),
        ),
        (
            "document in a group",
            update("message", message(sender, None, chat_kind="group", **document)),
        ),
        ("edited document", edited(message(sender, None, **document))),
        ("channel post", update("channel_post", message(None, command, chat_kind="channel"))),
    ]


class FeatureSpy:
    """Counts calls of what the admin features do (a reload, an article added, a file
    fetched, the journal read for /stats and /unanswered), wherever they come from."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, library: Library, journal: Any) -> None:
        self.calls: list[str] = []

        def spy(owner: Any, name: str) -> None:
            real = getattr(owner, name)

            async def counting(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return await real(*args, **kwargs)

            monkeypatch.setattr(owner, name, counting)

        spy(library, "reload")
        spy(journal, "stats")
        spy(journal, "unanswered")
        spy(admin_handlers, "add_article")
        spy(admin_handlers, "download")


def test_every_handler_of_the_admin_router_is_behind_is_admin() -> None:
    """The admin router's filter is set per observer (aiogram has no router-wide filter):
    a handler added later for edited messages or callbacks must not escape it."""
    checked = 0
    for name, observer in admin_handlers.admin_router().observers.items():
        if not observer.handlers:
            continue
        own_filters = observer._handler.filters or []
        guarded = any(isinstance(item.callback, IsAdmin) for item in own_filters)
        assert guarded, f"admin router: {name} handlers without IsAdmin"
        checked += len(observer.handlers)
    assert checked >= 5, checked  # reload, unanswered, stats, add, the .txt upload


async def test_admin_features_refuse_non_admins_however_they_arrive(
    make_dispatcher: Callable[..., Dispatcher],
    settings: Settings,
    admin_reached: Recorder,
    recording_bot: Bot,
    session: RecordingSession,
    library: Library,
    store: FactStore,
    articles_dir: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands = admin_commands()
    assert {"reload", "add", "stats", "unanswered"} <= set(commands), commands
    # No throttling: every delivery must reach the routers (a throttled one proves nothing).
    unthrottled = settings.model_copy(update={"throttle_messages": 1_000_000})
    dispatcher = make_dispatcher(unthrottled, library, store)
    chat = Driver(dispatcher, recording_bot, session)
    spy = FeatureSpy(monkeypatch, library, dispatcher["journal"])
    # Something for the features to change: a new file to reload, an article for /add, a .txt.
    (articles_dir / "010_new.txt").write_text(article("Новые катки", 7), encoding="utf-8")
    for_add = article("Статья из чата", 11)
    file_id = session.add_file(article("Статья файлом", 13).encode())
    await chat.send("Какая погода завтра в Алматы?", USER_ID)  # a journal row for /unanswered
    before = await store_counts(database_url)
    await dispatcher["journal"].flush()  # the journal writes in batches
    journal = await journal_counts(database_url)
    files = folder_state(articles_dir)
    index = library.index
    # A user, an anonymous group admin (no from_user: the group speaks) and another bot.
    senders = [USER_ID, None, 3_000_000_001]
    tried = 0
    with error_log() as errors:
        for command in commands:
            arguments = for_add if command == "add" else "x y"
            for sender in senders:
                for how, raw in deliveries(f"/{command}", sender, arguments, file_id):
                    calls = await chat.feed(raw)
                    tried += 1
                    assert not admin_reached.reached, (command, sender, how)
                    assert not spy.calls, (command, sender, how, spy.calls)
                    assert not outgoing_problems(calls)
                    for call in calls:
                        if isinstance(call.method, SendMessage):
                            text = call.method.text
                            assert "Статьи перечитаны" not in text, (command, how)
                            assert "Статья добавлена" not in text, (command, how)
                            assert "Статистика" not in text, (command, how)
                            assert "Без ответа" not in text, (command, how)
                            assert text != THROTTLE_NOTICE, (command, how)
                    if how == "private" and command in ("reload", "stats"):
                        sent = [c.method.text for c in calls if isinstance(c.method, SendMessage)]
                        assert sent == [ADMINS_ONLY], (sender, sent)
    assert not errors.records, errors.lines()
    assert await store_counts(database_url) == before
    await dispatcher["journal"].flush()
    assert await journal_counts(database_url) == journal
    assert folder_state(articles_dir) == files
    assert library.index is index

    # The same checks see the admin: every feature, reached the ways the test refused.
    replies = {
        "reload": await chat.send("/reload", ADMIN_ID),
        "stats": await chat.send("/stats", ADMIN_ID),  # in a group: refused (test_hostile_bot)
        "unanswered": await chat.texts(
            update("message", message(ADMIN_ID, None, **photo("/unanswered")))
        ),
        "add": await chat.send(f"/add {for_add}", ADMIN_ID),
        "upload": await chat.texts(
            update(
                "message",
                message(
                    ADMIN_ID,
                    None,
                    document={
                        "file_id": file_id,
                        "file_unique_id": file_id,
                        "file_name": "article.txt",
                        "mime_type": "text/plain",
                    },
                ),
            )
        ),
    }
    assert replies["reload"][0].startswith("<b>Статьи перечитаны.</b>"), replies
    assert replies["stats"][0].startswith("<b>Статистика</b>"), replies
    assert "Какая погода" in replies["unanswered"][0], replies
    assert replies["add"][0].startswith("<b>Статья добавлена: </b>Статья из чата"), replies
    assert replies["upload"][0].startswith("<b>Статья добавлена: </b>Статья файлом"), replies
    assert admin_reached.reached
    assert sorted(set(spy.calls)) == sorted(
        ["reload", "stats", "unanswered", "add_article", "download"]
    ), spy.calls
    FIGURES.record("access.admin_commands", commands)
    FIGURES.record("access.refused_deliveries", tried)
    FIGURES.record("access.admin_actions_by_non_admins", 0)


def forged_callback_data() -> list[str]:
    """Wrong payloads for every kind of button the bot has, and some that fit none."""
    prefixes = sorted(
        {
            obj.__prefix__
            for obj in vars(callbacks_module).values()
            if isinstance(obj, type) and issubclass(obj, CallbackData) and obj is not CallbackData
        }
    )
    assert {"ex", "sg"} <= set(prefixes), prefixes
    data = ["", "garbage", ":", "::::", "x" * 64, "ex", "sg:", "ex:0:1:2", "\x00", "😀" * 16]
    for prefix in prefixes:
        data += [
            f"{prefix}:99999",
            f"{prefix}:-1",
            f"{prefix}:abc",
            f"{prefix}:" + "9" * 50,
            f"{prefix}:1:2:3:4:5:6",
            f"{prefix}:0:zzzzzz:0",
            f"{prefix}:0:0",
            f"{prefix}:'; DROP TABLE facts; --"[:64],
        ]
    return [d for d in data if len(d.encode()) <= 64]


async def test_forged_callback_data_gets_a_polite_answer_and_changes_nothing(
    chat: Driver,
    admin_reached: Recorder,
    library: Library,
    store: FactStore,
    database_url: str,
) -> None:
    before = await store_counts(database_url)
    index = library.index
    forged = forged_callback_data()
    with error_log() as errors:
        for number, data in enumerate(forged):
            presser = USER_ID + number  # one user each: 3 presses stay under the flood limit
            for under in (None, bot_message(presser), bot_message(presser, [("Кнопка", "sg:0")])):
                calls = await chat.feed(callback(presser, data, under))
                answers = [c.method for c in calls if isinstance(c.method, AnswerCallbackQuery)]
                assert len(answers) == 1, (data, calls)  # the spinner stops, politely
                assert answers[0].text, data
                assert not [c for c in calls if isinstance(c.method, SendMessage)], data
                assert not outgoing_problems(calls)
    assert not errors.records, errors.lines()
    assert not admin_reached.reached
    assert await store_counts(database_url) == before
    assert library.index is index
    FIGURES.record("access.forged_callbacks", len(forged) * 3)


@pytest.fixture
def sequential_record_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Journal record ids 1, 2, 3 … (the journal makes random ones), so that forged data
    can name the first question's record."""
    counter = itertools.count(1)
    monkeypatch.setattr(knowledge.journal, "_new_id", lambda: next(counter))


@pytest.mark.usefixtures("sequential_record_ids")
async def test_votes_and_picks_are_taken_only_from_buttons_the_bot_sent(
    chat: Driver, database_url: str
) -> None:
    """👍/👎 and "did you mean" buttons name a journal record: forged data naming someone
    else's record, pressed under a message without that button, changes and shows nothing."""
    asker, other = USER_ID, USER_ID + 1
    assert (await chat.reply(TOURISTS, asker)).startswith(TOURISTS_ANSWER)  # record 1
    await chat.dp.workflow_data["journal"].flush()  # the journal writes in batches
    before = await journal_counts(database_url)
    assert before.questions == 1 and before.votes == 0
    forged = ["fb:1:0", "fb:1:1", "pk:1:0", "pk:1:1"]
    unders: list[tuple[str, dict[str, Any] | None]] = [
        ("inline message", None),
        ("no buttons", bot_message(other)),
        ("other buttons", bot_message(other, [("Кнопка", "sg:0"), ("👍", "fb:2:1")])),
        ("inaccessible", {"chat": {"id": other, "type": "private"}, "message_id": 1, "date": 0}),
    ]
    tried = 0
    with error_log() as errors:
        for data in forged:
            for how, under in unders:
                # A new presser each time: the flood limit must not answer instead.
                calls = await chat.feed(callback(50_000 + tried, data, under))
                answers = [c.method for c in calls if isinstance(c.method, AnswerCallbackQuery)]
                assert [a.text for a in answers] == [STALE_BUTTON], (data, how, answers)
                assert not [c for c in calls if isinstance(c.method, SendMessage)], (data, how)
                tried += 1
        await chat.dp.workflow_data["journal"].flush()
        assert await journal_counts(database_url) == before
        # The check can fail: the same presses under the buttons the bot sent are served.
        for data in forged:
            under = bot_message(other, [("👍", "fb:1:1"), ("👎", "fb:1:0"), ("1", data)])
            calls = await chat.feed(callback(60_000 + forged.index(data), data, under))
            answers = [c.method for c in calls if isinstance(c.method, AnswerCallbackQuery)]
            assert answers and answers[0].text != STALE_BUTTON, (data, answers)
    assert not errors.records, errors.lines()
    await chat.dp.workflow_data["journal"].flush()
    assert (await journal_counts(database_url)).votes == 2
    FIGURES.record("access.forged_record_presses", tried)


# --- the webhook secret ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "accepted"),
    [
        ("s3cret_TOKEN-1", True),
        ("s3cret_TOKEN-2", False),  # one character off
        ("s3cret_TOKEN-", False),  # a prefix
        ("", False),
        ("сек\udcff", False),  # non-ASCII, a lone surrogate: 401, not 500
    ],
)
def test_webhook_secret_is_compared_in_constant_time(
    sent: str, accepted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    handler = SecretRequestHandler(Dispatcher(), Bot(TOKEN), secret_token="s3cret_TOKEN-1")
    assert handler.verify_secret(sent, handler.bot) is accepted
    assert len(calls) == 1, calls  # the answer came from the constant-time comparison


# --- the token in logs -----------------------------------------------------------------------


@pytest.fixture
def redaction() -> Iterator[None]:
    """What setup_logging does at start-up (without replacing pytest's log handlers)."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    install_redaction(Redactor([TOKEN]))
    try:
        yield
    finally:
        root.setLevel(level)
        for handler in root.handlers:
            for item in list(handler.filters):
                if isinstance(item, RedactingFilter):
                    handler.removeFilter(item)


class QuotingTelegram(FakeTelegram):
    """The stand-in server, but its getMe failures quote the request URL, token and all (as
    a proxy's error page may): the bot gets an error text that holds the token, and logs it."""

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        if self.get_me_failures > 0:
            self.get_me_failures -= 1
            url = f"https://api.telegram.org/bot{self.token}/getMe"
            raise BadRequest(f"Internal Server Error: upstream {url} timed out", status=500)
        return await super()._api_getme(params)


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    server = QuotingTelegram(token=TOKEN)
    await server.start()
    yield server
    await server.stop()


def leaks(text: str) -> list[str]:
    return [secret for secret in (TOKEN, SECRET_PART) if secret in text]


async def test_token_never_logged_in_process_at_debug(
    settings: Settings,
    server: FakeTelegram,
    redaction: None,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Polling the fake server: getMe fails twice, a 429, a handler crash whose error quotes
    the token in a URL, a refused token; every record and all output, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    config = settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "telegram_api_base": server.base_url,
            "log_level": "DEBUG",
            "throttle_messages": 100,
        }
    )
    server.get_me_failures = 2
    ready: asyncio.Future[tuple[Dispatcher, Bot]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_polling(
            config,
            handle_signals=False,
            backoff=FAST_BACKOFF,
            on_ready=lambda dp, bot: ready.set_result((dp, bot)),
        )
    )
    dp, _bot = await asyncio.wait_for(ready, 30)
    try:
        await server.wait_for_call("getUpdates", ok=None, timeout=30)
        server.too_many_requests(1, retry_after=1)
        reply = await server.reply_to(message_update(USER_ID, TOURISTS))
        assert str(reply.params["text"]).startswith(TOURISTS_ANSWER)

        library: Library = dp["library"]

        def crash(question: str, context: object = None) -> Any:
            raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")

        library.ask = crash  # type: ignore[method-assign]
        apology = await server.reply_to(message_update(USER_ID, TOURISTS))
        assert "Что-то пошло не так" in str(apology.params["text"])
    finally:
        await dp.stop_polling()
        assert await asyncio.wait_for(task, 30) == 0

    # A token Telegram refuses (401): exit code 1, and still no token in the logs.
    refusing = FakeTelegram(token="1:SOME-OTHER-TOKEN")
    await refusing.start()
    try:
        rejected = config.model_copy(update={"telegram_api_base": refusing.base_url})
        assert await run_polling(rejected, handle_signals=False, backoff=FAST_BACKOFF) == 1
    finally:
        await refusing.stop()

    records = caplog.records
    assert any(r.levelno == logging.DEBUG for r in records)  # DEBUG really was captured
    assert any("Update" in r.getMessage() and "failed" in r.getMessage() for r in records)
    assert any(r.getMessage().startswith("Telegram rejected BOT_TOKEN") for r in records)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    formatted = "\n".join(handler.format(r) for r in records)  # messages and tracebacks
    assert "RuntimeError: cannot reach https://api.telegram.org/bot***/sendMessage" in formatted
    assert formatted.count("upstream https://api.telegram.org/bot***/getMe") == 2, formatted
    out, err = capfd.readouterr()
    for text in (caplog.text, formatted, out, err):
        assert not leaks(text), [line for line in text.splitlines() if leaks(line)][:5]
    FIGURES.record("access.log_records_checked_in_process", len(records))


@pytest.mark.slow
async def test_token_never_logged_by_python_m_bot_at_debug(
    server: FakeTelegram, articles_dir: Path, database_url: str, tmp_path: Path
) -> None:
    """The whole program at LOG_LEVEL=DEBUG: getMe fails (quoting the token), a 429, a question,
    a /reload, SIGTERM."""
    env = clean_env(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=server.base_url,
        ADMIN_IDS=str(ADMIN_ID),
        ARTICLES_DIR=str(articles_dir),
        DATABASE_URL=database_url,
        LOG_LEVEL="DEBUG",
    )
    server.get_me_failures = 1  # each failure costs a second of the bot's backoff
    proc = await start_bot_process(env, tmp_path)
    # Read while it runs: at DEBUG it logs more than the pipes and asyncio's buffers hold
    # (about 190 KB), and a process blocked writing its log would never answer.
    assert proc.stdout is not None and proc.stderr is not None
    reading = asyncio.gather(proc.stdout.read(), proc.stderr.read())
    try:
        await server.wait_for_call("getUpdates", ok=None, timeout=120)
        server.too_many_requests(1, retry_after=1)
        reply = await server.reply_to(message_update(USER_ID, TOURISTS), timeout=30)
        assert str(reply.params["text"]).startswith(TOURISTS_ANSWER)
        reply = await server.reply_to(message_update(ADMIN_ID, "/reload"), timeout=30)
        assert "Статьи перечитаны" in str(reply.params["text"])
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(reading, 30)
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = err.decode()
    assert proc.returncode == 0, log[-2000:]
    assert " DEBUG " in log and "Telegram is unreachable" in log  # DEBUG, and the retries
    # The error texts quoting the token were logged, masked (so the grep below has teeth).
    assert log.count("upstream https://api.telegram.org/bot***/getMe") == 1, log[-3000:]
    assert not leaks(log + out.decode()), [line for line in log.splitlines() if leaks(line)][:5]
    FIGURES.record("access.log_lines_checked_python_m_bot", len(log.splitlines()))
