"""Chat with the bot in a terminal: each typed line goes through the real Dispatcher.

A typed number presses that button of the latest reply that had buttons. `/add` (admins)
reads the article pasted after it, up to a line with a single dot, as one message.

Also `ask`: one question (or JSON lines) answered straight from the library, rendered by
the same function the bot uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import sys
import tempfile
import threading
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, SendPhoto
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
    User,
)

from knowledge import Context, Journal, Match, context_after

from .app import build_bot, build_dispatcher, open_library
from .commands import set_commands
from .config import Settings
from .messages import ADD_HINT, CHART_FILE_LINE
from .recording import OFFLINE_TOKEN, RecordingSession
from .render import html_to_text, numbered_buttons, plain_reply
from .replies import Decision, decide, decision_text

CONSOLE_USER_ID = 7_000_001
ARTICLE_END = "."


class ConsoleChat:
    """One person talking to the Dispatcher: lines in, replies as plain text out."""

    def __init__(self, dp: Dispatcher, bot: Bot, session: RecordingSession, user: User) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self.user = user
        self.chat = Chat(id=user.id, type="private")
        self._ids = itertools.count(1)
        # Buttons of the latest reply that had any: (label, callback data or None, message).
        self._buttons: list[tuple[str, str | None, Message]] = []

    async def send(self, line: str) -> list[str]:
        """Feed one typed line (a button number presses that button); the replies, as text."""
        mark = len(self.session.calls)
        await self.dp.feed_update(self.bot, self._update_for(line))
        return self._replies(mark)

    def _update_for(self, line: str) -> Update:
        update_id = next(self._ids)
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._buttons):
            label, data, message = self._buttons[int(stripped) - 1]
            if data is not None:
                query = CallbackQuery(
                    id=str(update_id),
                    from_user=self.user,
                    chat_instance=str(self.chat.id),
                    message=message,
                    data=data,
                )
                return Update(update_id=update_id, callback_query=query)
            line = label  # a reply-keyboard button just sends its label
        message = Message(
            message_id=update_id,
            date=dt.datetime.now(dt.UTC),
            chat=self.chat,
            from_user=self.user,
            text=line,
        )
        return Update(update_id=update_id, message=message)

    def _replies(self, mark: int) -> list[str]:
        replies = []
        for call in self.session.calls[mark:]:
            method = call.method
            if isinstance(method, SendMessage | EditMessageText):
                markup = method.reply_markup
                replies.append("\n".join([self._plain(method), *numbered_buttons(markup)]))
                if isinstance(markup, InlineKeyboardMarkup | ReplyKeyboardMarkup):
                    self._remember_buttons(markup, call.result)
            elif isinstance(method, SendPhoto):
                replies.append(self._photo(method))
            elif isinstance(method, AnswerCallbackQuery) and method.text:
                replies.append(f"({method.text})")
        return replies

    def _photo(self, method: SendPhoto) -> str:
        """A chart: its caption as text and the PNG in a temporary file, whose path is shown."""
        lines = [html_to_text(method.caption)] if method.caption else []
        photo = method.photo
        if isinstance(photo, BufferedInputFile):
            with tempfile.NamedTemporaryFile(
                prefix="citybot_chart_", suffix=".png", delete=False
            ) as file:
                file.write(photo.data)
            lines.append(CHART_FILE_LINE.format(path=file.name))
        return "\n".join(lines)

    def _plain(self, method: SendMessage | EditMessageText) -> str:
        mode = method.parse_mode
        if isinstance(mode, Default):
            mode = self.bot.default[mode.name]
        text = method.text or ""
        return html_to_text(text) if mode == "HTML" else text

    def _remember_buttons(self, markup: Any, result: Any) -> None:
        if not isinstance(result, Message):
            return
        if isinstance(markup, InlineKeyboardMarkup):
            self._buttons = [
                (b.text, b.callback_data, result) for row in markup.inline_keyboard for b in row
            ]
        else:
            self._buttons = [(b.text, None, result) for row in markup.keyboard for b in row]


def _read_lines(stream: TextIO, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Lines from a blocking stream, read on a daemon thread (so Ctrl+C never waits on it)."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in stream:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return queue


async def run_console(
    settings: Settings,
    *,
    admin: bool = False,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """The console chat until end of input; as an admin with `admin=True`."""
    user_id = max(settings.admin_ids | {CONSOLE_USER_ID}) + 1 if admin else CONSOLE_USER_ID
    while not admin and user_id in settings.admin_ids:
        user_id += 1
    if admin:
        settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {user_id}})
    store, library = await open_library(settings)
    journal: Journal | None = None
    try:
        session = RecordingSession()
        bot = build_bot(OFFLINE_TOKEN, session=session)
        dp = build_dispatcher(settings, library, store)
        found = dp.workflow_data.get("journal")
        journal = found if isinstance(found, Journal) else None
        await set_commands(bot, settings.admin_ids)
        name = "Администратор" if admin else "Вы"
        chat = ConsoleChat(dp, bot, session, User(id=user_id, is_bot=False, first_name=name))
        interactive = stdin.isatty()
        lines = _read_lines(stdin, asyncio.get_running_loop())
        while True:
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            line = await lines.get()
            if line is None:
                break
            line = line.rstrip("\r\n")
            if not line.strip():
                continue  # Telegram never delivers an empty message
            if not interactive:
                print(f"> {line}", file=stdout)  # keep the transcript readable
            if is_add(line):
                # /add takes the article pasted after it, up to a line with a single dot.
                if interactive:
                    print(ADD_HINT, file=stdout, flush=True)
                line = await _read_article(line, lines, stdout, echo=not interactive)
            for reply in await chat.send(line):
                print(reply, end="\n\n", file=stdout, flush=True)
        if interactive:
            print(file=stdout)
        return 0
    finally:
        if journal is not None:
            await journal.close()
        await store.close()


def is_add(line: str) -> bool:
    """Is the line the /add command (which the console reads on, line by line)?"""
    words = line.split(maxsplit=1)
    return bool(words) and words[0].split("@", 1)[0] == "/add"


async def _read_article(
    first: str, lines: asyncio.Queue[str | None], stdout: TextIO, *, echo: bool
) -> str:
    """The /add line and the lines after it, up to «.» alone on a line (or end of input)."""
    parts = [first]
    while True:
        line = await lines.get()
        if line is None:
            break
        line = line.rstrip("\r\n")
        if echo:
            print(f"> {line}", file=stdout)
        if line.strip() == ARTICLE_END:
            break
        parts.append(line)
    return "\n".join(parts)


def answer_json(decision: Decision, question: str | None = None) -> dict[str, Any]:
    """One line of `ask --json`: the reply exactly as the chat would send it, and the same
    decision: `clarify` (the two facts the chat would ask about), `near_miss`, `digest`."""
    answer = decision.answer
    text, _ = decision_text(decision)
    return {
        "question": question if question is not None else answer.question,
        "found": answer.found,
        "answer": text,
        "matches": [_match_json(m) for m in answer.matches],
        "resolved": answer.question if answer.follow_up else None,
        "clarify": [_match_json(m) for m in decision.pair] if decision.pair else None,
        "near_miss": (
            {
                "kind": answer.near_miss.kind.value,
                "asked": answer.near_miss.asked,
                "available": answer.near_miss.available,
            }
            if answer.near_miss
            else None
        ),
        "digest": [_match_json(m) for m in answer.digest] if answer.digest else None,
    }


def _match_json(m: Match) -> dict[str, Any]:
    return {
        "fact_id": m.fact.id,
        "text": m.fact.text,
        "figure": m.figure.text if m.figure is not None else None,
        "source": m.fact.article_id,
        "source_date": m.fact.article_date.isoformat() if m.fact.article_date else None,
        "score": m.score,
    }


def read_ask_line(line: str) -> tuple[int | None, str]:
    """An `ask --json` input line: plain text, or {"chat": id, "text": …} for a
    conversation (a JSON line without those is asked as the text it is)."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return None, line
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            chat = data.get("chat")
            return (chat if isinstance(chat, int) else None), data["text"]
    return None, line


async def run_ask(
    settings: Settings,
    question: str | None,
    *,
    as_json: bool = False,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Answer `question` as plain text, or with `as_json` every stdin line as JSON lines.

    Lines of one `chat` are a conversation: a follow-up is read against that chat's last
    answer, as in Telegram; plain lines are each asked on their own.
    """
    store, library = await open_library(settings)
    try:
        if as_json:
            contexts: dict[int, Context | None] = {}
            # Read lazily so answers stream out as questions come in.
            for line in stdin:
                chat, text = read_ask_line(line.rstrip("\r\n"))
                context = contexts.get(chat) if chat is not None else None
                decision = decide(library, text, context)
                if chat is not None:
                    contexts[chat] = context_after(decision.answer, context)
                line_json = answer_json(decision, text)
                print(json.dumps(line_json, ensure_ascii=False), file=stdout, flush=True)
            return 0
        text, markup = decision_text(decide(library, question or ""))
        print(plain_reply(text, markup), file=stdout)
        return 0
    finally:
        await store.close()
