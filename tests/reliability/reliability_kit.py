"""Helpers shared by the reliability tests: raw Telegram updates, checks of what the bot sent,
an error-log counter, store counts, and the figures the tests report.

Named so that it cannot clash with another test folder's module (pytest puts each test
folder on sys.path). `tests/bot` is put on sys.path by tests/conftest.py, for
`fake_telegram` (the strict Telegram HTML parser); the questions and the new article the
tests ask about come from `e2e_kit` there.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiogram.client.default import Default
from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery, EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from fake_telegram import EntityError, parse_html, text_length
from sqlalchemy.ext.asyncio import create_async_engine

from bot.recording import BOT_USER, Call

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
ADMIN_ID = 1000  # the admin of the root conftest's `settings`
ADMINS_ONLY = "Эта команда только для администраторов."
MAX_TEXT = 4096
MAX_CALLBACK_TEXT = 200
MAX_INLINE_RESULTS = 50
# The store: the fact tables. The journal's tables (journal_questions, journal_votes) and its
# salt in `meta` are the question log, counted separately (journal_counts).
STORE_TABLES = ("articles", "facts", "figures", "meta")
JOURNAL_SALT_KEY = "journal_salt"
# Keys of the meta table that are not the store's: the journal's salt, and the generation the
# broadcaster last announced to subscribers (knowledge/subscriptions.py), which a starting bot
# writes whatever the build does.
OTHER_META_KEYS = frozenset({JOURNAL_SALT_KEY, "announced_generation"})

_ids = itertools.count(1)


def next_id() -> int:
    return next(_ids)


# --- raw updates, as Telegram sends them -----------------------------------------------------


def user(user_id: int, *, is_bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "is_bot": is_bot, "first_name": f"User{user_id}", "language_code": "ru"}


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    result: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind == "private":
        result["first_name"] = f"User{chat_id}"
    else:
        result["title"] = f"Chat {chat_id}"
    return result


def message(
    user_id: int | None,
    text: str | None = None,
    *,
    chat_kind: str = "private",
    chat_id: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A raw Message: from `user_id` (None: no sender, as in channels) in a chat of `chat_kind`."""
    if chat_id is None:
        chat_id = user_id if chat_kind == "private" and user_id else -100_000_000_000 - next_id()
    raw: dict[str, Any] = {
        "message_id": next_id(),
        "date": int(time.time()),
        "chat": chat(chat_id, chat_kind),
        **content,
    }
    if user_id is not None:
        raw["from"] = user(user_id)
    elif chat_kind != "private":
        raw["sender_chat"] = chat(chat_id, chat_kind)
    if text is not None:
        raw["text"] = text
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            raw["entities"] = [
                {"type": "bot_command", "offset": 0, "length": text_length(command)}
            ]
    return raw


def photo(caption: str | None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "photo": [{"file_id": "AgACAgIAAxk", "file_unique_id": "AQADx", "width": 90, "height": 90}]
    }
    if caption is not None:
        content["caption"] = caption
    return content


def update(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """{"update_id": …, kind: body}: kind is message, edited_message, callback_query…"""
    return {"update_id": next_id(), kind: body}


def text_update(user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
    return update("message", message(user_id, text, **kwargs))


def edited(raw_message: dict[str, Any]) -> dict[str, Any]:
    return update("edited_message", {**raw_message, "edit_date": int(time.time())})


def forwarded(raw_message: dict[str, Any], origin_user_id: int) -> dict[str, Any]:
    origin = {"type": "user", "date": int(time.time()) - 60, "sender_user": user(origin_user_id)}
    return update("message", {**raw_message, "forward_origin": origin})


def bot_message(chat_id: int, buttons: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """A message as the bot sent it, optionally with inline buttons (label, callback data)."""
    raw: dict[str, Any] = {
        "message_id": next_id(),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": BOT_USER,
        "text": "…",
    }
    rows = [[{"text": label, "callback_data": data}] for label, data in buttons]
    if rows:
        raw["reply_markup"] = {"inline_keyboard": rows}
    return raw


def callback(user_id: int, data: str | None, raw_message: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(next_id()),
        "from": user(user_id),
        "chat_instance": f"ci{user_id}",
    }
    if data is not None:
        body["data"] = data
    if raw_message is not None:
        body["message"] = raw_message
    else:
        body["inline_message_id"] = f"im{next_id()}"
    return update("callback_query", body)


# --- what the bot sent -----------------------------------------------------------------------


def visible_text(method: SendMessage | EditMessageText) -> str:
    """What Telegram would show; EntityError when Telegram would refuse the HTML."""
    mode = method.parse_mode
    if isinstance(mode, Default):
        mode = "HTML"  # build_bot's default
    return parse_html(method.text) if mode == "HTML" else method.text


def outgoing_problems(calls: Iterable[Call]) -> list[str]:
    """Everything Telegram would refuse in these calls: HTML, lengths, buttons."""
    problems: list[str] = []
    for call in calls:
        method = call.method
        name = method.__api_method__
        if isinstance(method, SendMessage | EditMessageText):
            try:
                shown = visible_text(method)
            except EntityError as error:
                problems.append(f"{name}: can't parse entities: {error}: {method.text[:200]!r}")
                continue
            length = text_length(shown)
            if not shown.strip():
                problems.append(f"{name}: empty text: {method.text[:200]!r}")
            if not 1 <= length <= MAX_TEXT:
                problems.append(f"{name}: {length} characters (1–{MAX_TEXT} allowed)")
            markup = method.reply_markup
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    for button in row:
                        data = (button.callback_data or "").encode()
                        if not button.text.strip() or not 1 <= len(data) <= 64:
                            problems.append(f"{name}: bad button {button.text!r} {data!r}")
        elif (
            isinstance(method, AnswerCallbackQuery)
            and method.text is not None
            and len(method.text) > MAX_CALLBACK_TEXT
        ):
            problems.append(f"answerCallbackQuery: text of {len(method.text)} characters")
        elif isinstance(method, AnswerInlineQuery):
            problems += _inline_problems(method)
    return problems


def _inline_problems(method: AnswerInlineQuery) -> list[str]:
    """What Telegram would refuse in answerInlineQuery (as tests/bot/fake_telegram.py does)."""
    problems: list[str] = []
    results = list(method.results)
    if len(results) > MAX_INLINE_RESULTS:
        problems.append(f"answerInlineQuery: {len(results)} results")
    ids = [str(result.id) for result in results]
    if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
        problems.append(f"answerInlineQuery: bad result ids {ids}")
    for result in results:
        if not isinstance(result, InlineQueryResultArticle) or not result.title.strip():
            problems.append(f"answerInlineQuery: bad result {result!r:.200}")
            continue
        content = result.input_message_content
        if not isinstance(content, InputTextMessageContent):
            problems.append(f"answerInlineQuery: no text content {result.id}")
            continue
        mode = content.parse_mode
        try:
            shown = parse_html(content.message_text) if mode == "HTML" else content.message_text
        except EntityError as error:
            problems.append(f"answerInlineQuery: can't parse entities: {error}")
            continue
        if not shown.strip() or not 1 <= text_length(shown) <= MAX_TEXT:
            problems.append(f"answerInlineQuery: message_text of {text_length(shown)} characters")
    button = method.button
    if button is not None and not button.text.strip():
        problems.append("answerInlineQuery: empty button text")
    return problems


def sent_texts(calls: Iterable[Call]) -> list[str]:
    return [c.method.text for c in calls if isinstance(c.method, SendMessage)]


# --- logs ------------------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Collects ERROR (and worse) records from every logger while installed on the root."""

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        out = []
        for record in self.records:
            line = f"{record.levelname} {record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                line += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
            out.append(line)
        return out


@contextmanager
def error_log(level: int = logging.ERROR) -> Iterator[ErrorLog]:
    handler = ErrorLog(level)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


# --- the store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """The store as the tests compare it: counts, and a digest of every row of the fact
    tables (STORE_TABLES), so that an UPDATE that keeps the counts shows too."""

    generation: int
    articles: int
    facts: int
    figures: int
    digest: str = ""


async def store_counts(url: str) -> Counts:
    """Read straight from the database (not through FactStore)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            async def scalar(sql: str) -> Any:
                return (await conn.execute(sa.text(sql))).scalar_one_or_none()

            generation = await scalar("SELECT value FROM meta WHERE key = 'generation'")
            digest = hashlib.sha256()
            for table in STORE_TABLES:
                rows = (await conn.execute(sa.text(f"SELECT * FROM {table}"))).all()
                if table == "meta":
                    rows = [row for row in rows if row[0] not in OTHER_META_KEYS]
                digest.update(f"{table}:{len(rows)}\n".encode())
                for line in sorted(repr(tuple(row)) for row in rows):
                    digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
            return Counts(
                generation=int(generation or 0),
                articles=int(await scalar("SELECT count(*) FROM articles")),
                facts=int(await scalar("SELECT count(*) FROM facts")),
                figures=int(await scalar("SELECT count(*) FROM figures")),
                digest=digest.hexdigest(),
            )
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class JournalCounts:
    """The question log: rows in journal_questions and journal_votes, the longest question."""

    questions: int
    votes: int
    longest_question: int


async def journal_counts(url: str) -> JournalCounts:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            async def scalar(sql: str) -> int:
                return int((await conn.execute(sa.text(sql))).scalar_one_or_none() or 0)

            return JournalCounts(
                questions=await scalar("SELECT count(*) FROM journal_questions"),
                votes=await scalar("SELECT count(*) FROM journal_votes"),
                longest_question=await scalar("SELECT max(length(text)) FROM journal_questions"),
            )
    finally:
        await engine.dispose()


def copy_seeds(target: Path) -> Path:
    return Path(shutil.copytree(SEEDS, target))


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """Numbers the tests measured; printed at the end of the run (and written to
    $CITYBOT_RELIABILITY_FIGURES as JSON when that is set)."""

    values: dict[str, Any] = field(default_factory=dict)

    def record(self, name: str, value: Any) -> None:
        self.values[name] = value

    def add(self, name: str, value: int) -> None:
        self.values[name] = int(self.values.get(name, 0)) + value

    def dump(self) -> None:
        path = os.environ.get("CITYBOT_RELIABILITY_FIGURES")
        if path and self.values:
            Path(path).write_text(
                json.dumps(self.values, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                encoding="utf-8",
            )


FIGURES = Figures()


# --- driving the Dispatcher ------------------------------------------------------------------


class Driver:
    """Feeds raw updates to a Dispatcher with an offline Bot; returns what the bot sent."""

    def __init__(self, dp: Any, bot: Any, session: Any) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session

    async def feed(self, raw: dict[str, Any]) -> list[Call]:
        """The calls the bot made for this update (others may run at the same time)."""
        mark = len(self.session.calls)
        await self.dp.feed_raw_update(self.bot, raw)
        return [call for call in self.session.calls[mark:] if _belongs(call, raw)]

    async def texts(self, raw: dict[str, Any]) -> list[str]:
        calls = await self.feed(raw)
        problems = outgoing_problems(calls)
        assert not problems, problems
        return sent_texts(calls)

    async def send(self, text: str, user_id: int, **kwargs: Any) -> list[str]:
        """A text message (private chat unless chat_kind=…); the texts the bot sent back."""
        return await self.texts(text_update(user_id, text, **kwargs))

    async def reply(self, text: str, user_id: int, **kwargs: Any) -> str:
        """The one message the bot sent back."""
        texts = await self.send(text, user_id, **kwargs)
        assert len(texts) == 1, texts
        return texts[0]


def _belongs(call: Call, raw: dict[str, Any]) -> bool:
    """Was this call made for this update? By chat (messages) or by query id (callbacks)."""
    method = call.method
    body = next(value for key, value in raw.items() if key != "update_id")
    if isinstance(method, AnswerCallbackQuery):
        return method.callback_query_id == body.get("id")
    chat_id = getattr(method, "chat_id", None)
    if chat_id is None:
        return True
    if "chat" in body:  # a message
        return bool(chat_id == body["chat"]["id"])
    if "message" in body:  # a callback query under a message
        return bool(chat_id == body["message"]["chat"]["id"])
    return "from" in body and chat_id == body["from"]["id"]
