"""Fuzzed updates through the real Dispatcher: no crash, only valid Telegram HTML, no writes.

Hypothesis makes raw updates as Telegram would send them (text in private chats, groups,
supergroups and channels, no sender, edited and forwarded messages, photos with captions,
documents, forged callback queries for every kind of button, inline queries, updates no
handler takes) and feeds them to the Dispatcher of bot.app.build_dispatcher over a Library
on a tmp SQLite store built from seeds/. The Bot is offline (bot.recording.RecordingSession),
so every request the bot makes is checked with the same strict parser the fake Bot API
server uses.

"Nothing written to the store": the fact tables (articles, facts, figures, meta) are
byte-for-byte the same after the run (a digest of every row) and so is the articles folder.
The question journal is the one thing traffic may write, by design: at most one
journal_questions row per update, only for a question that was answered or not found
(never an over-long or empty one), and journal_votes rows only from a 👍/👎 pressed on a
message that really carries that button. Admin features (reload, /add and .txt uploads,
/stats, /unanswered) run only for updates from the admin, who is one of the fuzzed senders.

Sizes: FUZZ_CI updates in CI, FUZZ_LONG with `pytest tests/reliability --long`.

Hypothesis drives a synchronous test, so the harness runs its own event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerInlineQuery
from e2e_kit import TOURISTS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_kit import (
    ADMIN_ID,
    FIGURES,
    Counts,
    ErrorLog,
    JournalCounts,
    bot_message,
    callback,
    copy_seeds,
    edited,
    forwarded,
    journal_counts,
    message,
    next_id,
    outgoing_problems,
    photo,
    sent_texts,
    store_counts,
    update,
    user,
)

from bot.app import build_bot, build_dispatcher
from bot.callbacks import topic_check
from bot.config import Settings
from bot.handlers import admin as admin_handlers
from bot.middlewares import THROTTLE_NOTICE, ThrottlingMiddleware
from bot.recording import OFFLINE_TOKEN, Call, RecordingSession
from bot.render import EXAMPLE_QUESTIONS
from knowledge import FactStore, Journal
from knowledge.answer import MAX_QUESTION_CHARS
from knowledge.library import Library

pytestmark = pytest.mark.slow  # Hypothesis fuzzing

FUZZ_CI = 1_500
FUZZ_LONG = 12_000
FLOOD_EXAMPLES_CI = 15
FLOOD_EXAMPLES_LONG = 100
FLOOD_MESSAGES = 200
# What the admin features do; none may run for an update from anyone but the admin.
ADMIN_ACTIONS = ("reload", "stats", "unanswered", "add_article", "download")
# Telegram's "Group" user: the sender of an anonymous group admin's messages.
GROUP_ANONYMOUS_BOT = 1087968824


# --- the harness -----------------------------------------------------------------------------


@dataclass
class Harness:
    """One event loop, store, library, Dispatcher and offline Bot for a whole fuzz run."""

    loop: asyncio.AbstractEventLoop
    url: str
    store: FactStore
    library: Library
    dp: Dispatcher
    bot: Bot
    session: RecordingSession
    errors: ErrorLog
    before: Counts
    journal: Journal
    journal_before: JournalCounts
    articles: Path
    files_before: dict[str, bytes]
    fed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    replied: int = 0
    longest: int = 0  # the longest text or caption fed
    over_limit: int = 0  # texts longer than knowledge.answer.MAX_QUESTION_CHARS
    # What the current update made the bot do (admin actions, journal writes).
    actions: list[str] = field(default_factory=list)
    admin_actions: dict[str, int] = field(default_factory=dict)  # by the admin, by name
    admin_actions_by_others: int = 0
    questions_logged: int = 0
    votes_added: int = 0
    votes_from_buttons: int = 0

    @classmethod
    def open(cls, tmp: Path, throttle_messages: int) -> Harness:
        loop = asyncio.new_event_loop()
        articles = copy_seeds(tmp / "articles")
        url = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}"
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=None,
            admin_ids=frozenset({ADMIN_ID}),
            articles_dir=articles,
            database_url=url,
            throttle_messages=throttle_messages,
            throttle_seconds=10.0,
        )

        async def start() -> tuple[FactStore, Library, Counts]:
            store = await FactStore.open(url)
            library = await Library.open(store, articles)
            return store, library, await store_counts(url)

        store, library, before = loop.run_until_complete(start())
        session = RecordingSession()
        errors = ErrorLog(logging.ERROR)
        logging.getLogger().addHandler(errors)
        dp = build_dispatcher(config, library, store)
        return cls(
            loop=loop,
            url=url,
            store=store,
            library=library,
            dp=dp,
            bot=build_bot(OFFLINE_TOKEN, session=session),
            session=session,
            errors=errors,
            before=before,
            journal=dp["journal"],
            journal_before=loop.run_until_complete(journal_counts(url)),
            articles=articles,
            files_before=folder_state(articles),
        )

    def watch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Spy on the admin features and the journal's writes (noted in `actions`)."""

        def spy(owner: Any, name: str, after: Any = None) -> None:
            real = getattr(owner, name)

            async def watched(*args: Any, **kwargs: Any) -> Any:
                self.actions.append(name)
                result = await real(*args, **kwargs)
                if after is not None:
                    after(result)
                return result

            monkeypatch.setattr(owner, name, watched)

        def voted(result: Any) -> None:
            if result is not None and result.previous is None:
                self.votes_added += 1

        spy(self.library, "reload")
        spy(self.journal, "stats")
        spy(self.journal, "unanswered")
        spy(admin_handlers, "add_article")
        spy(admin_handlers, "download")
        spy(self.journal, "record_question")
        spy(self.journal, "vote", voted)

    def topic_checks(self) -> list[tuple[int, str]]:
        """(index, checksum) of every topic: what real topic buttons carry."""
        return [(i, topic_check(name)) for i, name in enumerate(self.library.index.topics())]

    def feed(self, raw: dict[str, Any]) -> list[Call]:
        """Feed one raw update; what the bot sent in response."""
        mark = len(self.session.calls)
        self.actions = []
        self.loop.run_until_complete(self.dp.feed_raw_update(self.bot, raw))
        self.fed += 1
        kind = next(k for k in raw if k != "update_id")
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        body = raw[kind]
        text = body.get("text") or body.get("caption") or body.get("query") or ""
        self.longest = max(self.longest, len(text))
        self.over_limit += len(text) > MAX_QUESTION_CHARS
        calls = self.session.calls[mark:]
        if sent_texts(calls) or any(isinstance(c.method, AnswerInlineQuery) for c in calls):
            self.replied += 1
        del self.session.calls[:]  # bounded memory over 10,000+ updates
        self._account(raw, kind, body)
        return calls

    def _account(self, raw: dict[str, Any], kind: str, body: dict[str, Any]) -> None:
        """Admin actions only for the admin; at most one question logged; votes only from
        buttons on the message."""
        sender = (body.get("from") or {}).get("id")
        admin_actions = [a for a in self.actions if a in ADMIN_ACTIONS]
        if sender == ADMIN_ID:
            for action in admin_actions:
                self.admin_actions[action] = self.admin_actions.get(action, 0) + 1
        else:
            self.admin_actions_by_others += len(admin_actions)
            assert not admin_actions, ("an admin action for a non-admin", admin_actions, raw)
        logged = self.actions.count("record_question")
        assert logged <= 1, (logged, raw)
        self.questions_logged += logged
        if "vote" in self.actions:
            assert kind == "callback_query", raw
            markup = (body.get("message") or {}).get("reply_markup") or {}
            data = [
                b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row
            ]
            assert body.get("data") in data, ("a vote without its button", raw)
            self.votes_from_buttons += 1

    def counts(self) -> Counts:
        return self.loop.run_until_complete(store_counts(self.url))

    def throttle(self) -> ThrottlingMiddleware:
        middlewares = self.dp.message.outer_middleware
        return next(m for m in middlewares if isinstance(m, ThrottlingMiddleware))

    def close(self) -> None:
        # What polling does on stop (the journal writes its queue and stops its writer), then
        # what asyncio.run does: a task left pending on a closed loop would be reported as
        # destroyed when collected, in whichever test runs then.
        self.loop.run_until_complete(self.dp.emit_shutdown(bot=self.bot))
        self.loop.run_until_complete(self.store.close())
        self.loop.run_until_complete(_cancel_other_tasks())
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()
        logging.getLogger().removeHandler(self.errors)


async def _cancel_other_tasks() -> None:
    others = asyncio.all_tasks() - {asyncio.current_task()}
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # Throttling would drop most messages of a busy fuzzer: the limit is raised here so that
    # updates really reach the handlers (test_flood_from_one_user keeps the real limit).
    opened = Harness.open(tmp_path, throttle_messages=1_000_000)
    opened.watch(monkeypatch)
    yield opened
    opened.close()


def folder_state(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def flood_harness(tmp_path: Path) -> Any:
    opened = Harness.open(tmp_path, throttle_messages=10)
    yield opened
    opened.close()


# --- strategies ------------------------------------------------------------------------------

ODD_CHARACTERS = [
    # zero-width, joiners, BOM, soft hyphen; bidi marks, embeddings and isolates (RTL)
    *"\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e",
    *"\u2066\u2067\u2068\u2069\u061c",
    # control characters and unusual line breaks
    *"\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\r\n\t\u2028\u2029",
    # emoji: plain, flags, ZWJ sequences, skin tones, tags, variation selectors
    "\U0001f600",
    "\U0001f1f0\U0001f1ff",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f44d\U0001f3fd",
    "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "\u2764\ufe0f",
    # combining marks, RTL scripts, CJK, mathematical letters
    "e\u0301\u0301\u0301",
    "مرحبا بالعالم",
    "שלום",
    "ﷺ",
    "漢字",
    "\U0001d400\U0001d401",
    "\U0010ffff",
]
MARKUP = [
    "<b>",
    "</b>",
    "<i>x</i>",
    "<b>x</i>",
    "<a href='javascript:alert(1)'>x</a>",
    '<a href="http://x">',
    "<script>alert(1)</script>",
    "<tg-spoiler>",
    "<span class='x'>",
    '<pre><code class="language-python">',
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x110000;",
    "&nbsp;",
    "<!-- c -->",
    "<![CDATA[x]]>",
    "<?php ?>",
    "<",
    ">",
    "**bold**",
    "__it__",
    "```code```",
    "`x`",
    "[link](http://x)",
    "||spoiler||",
    "~~s~~",
    "\\",
]
SQL = [
    "'; DROP TABLE facts; --",
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "1; DELETE FROM articles",
    "' UNION SELECT key, value FROM meta --",
    "%' AND 1=1 --",
    "Robert'); DROP TABLE students;--",
    "'); UPDATE meta SET value='999' WHERE key='generation'; --",
    "\\'; PRAGMA writable_schema=1; --",
    "$$; SELECT pg_sleep(10); $$",
]
WORDS = [
    "Алматы",
    "туристов",
    "сколько",
    "в 2025 году",
    "2026",
    "млрд тенге",
    "%",
    "1,9 млн",
    "школ",
    "туризм",
    "?",
    " ",
    "Сколько",
    "Almaty",
    "Алматыда",
]
COMMANDS = [
    "/start",
    "/start inline",
    "/help",
    "/sources",
    "/topics",
    "/reload",
    "/add",
    "/add\n---\ndate: 2026-13-45\ntitle: <b>x</b>\n---\n",
    "/add ---\ndate: 2026-02-01\ntitle: x",  # never closed: an admin's /add is refused
    "/stats",
    "/unanswered",
    "/stats@citybot",
    "/unanswered@otherbot",
    "/ADD",
    "/weather",
    "/",
    "//",
    "/START",
    "/Reload",
    "/reload_",
    "/start@citybot",
    "/start@otherbot",
    "/reload@citybot",
    "/reload@otherbot",
    "/sources@CityBot",
    "/help@",
    "/рестарт",
    "/start\u200b",
    "/" + "x" * 40,
]
SEPARATORS = ["", " ", "  ", "\n", "\t", "\u00a0", "\u200b"]

pieces = st.one_of(
    st.text(max_size=20),
    st.sampled_from(ODD_CHARACTERS),
    st.sampled_from(MARKUP),
    st.sampled_from(SQL),
    st.sampled_from(WORDS),
)
composed = st.lists(pieces, max_size=25).map("".join)


def _repeat(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


# Up to 20,000 characters without asking Hypothesis for 20,000 choices; the limits the bot
# knows (a question's 500, a message's 4096) and the ends of the range come up often.
LENGTHS = [0, 1, 499, 500, 501, 4095, 4096, 4097, 10_000, 19_999, 20_000]
long_texts = st.builds(
    _repeat,
    composed.filter(bool),
    st.one_of(st.integers(0, 20_000), st.sampled_from(LENGTHS)),
)
command_texts = st.builds(
    lambda command, separator, argument: command + separator + argument,
    st.sampled_from(COMMANDS),
    st.sampled_from(SEPARATORS),
    st.one_of(st.just(""), st.just("x"), st.sampled_from(SQL), composed),
)


admin_command_texts = st.builds(
    lambda command, separator, argument: command + separator + argument,
    st.sampled_from(["/reload", "/add", "/stats", "/unanswered", "/reload@citybot", "/Stats"]),
    st.sampled_from(SEPARATORS),
    st.one_of(st.just(""), st.sampled_from(SQL), composed),
)


def _noisy(question: str, noise: list[tuple[int, str]]) -> str:
    for position, text in noise:
        at = position % (len(question) + 1)
        question = question[:at] + text + question[at:]
    return question


noisy_questions = st.builds(
    _noisy,
    st.sampled_from([*EXAMPLE_QUESTIONS, TOURISTS, "Что известно про туризм?"]),
    st.lists(st.tuples(st.integers(0, 200), pieces), max_size=4),
)
texts = st.one_of(st.text(), composed, long_texts, command_texts, noisy_questions)

user_ids = st.tuples(st.integers(0, 19), st.integers(2, 2**52)).map(
    lambda pair: ADMIN_ID if pair[0] == 0 else pair[1]
)
# No sender (a channel's or the group's own message) or Telegram's anonymous-admin "Group".
maybe_users = st.one_of(user_ids, st.none(), st.just(GROUP_ANONYMOUS_BOT))
chat_kinds = st.sampled_from(["private", "group", "supergroup"])


@st.composite
def text_messages(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(chat_kinds)
    sender = draw(user_ids) if kind == "private" else draw(maybe_users)
    extra: dict[str, Any] = {}
    if kind == "supergroup" and draw(st.booleans()):
        extra["message_thread_id"] = draw(st.integers(1, 10_000))
        extra["is_topic_message"] = True
    return message(sender, draw(texts), chat_kind=kind, **extra)


@st.composite
def other_messages(draw: st.DrawFn) -> dict[str, Any]:
    """Content that is not text: photos with captions, stickers, service messages…"""
    kind = draw(chat_kinds)
    sender = draw(user_ids) if kind == "private" else draw(maybe_users)
    content = draw(
        st.one_of(
            st.builds(photo, st.one_of(st.none(), texts)),
            st.just({"location": {"latitude": 43.24, "longitude": 76.91}}),
            st.just({"dice": {"emoji": "🎲", "value": 3}}),
            st.just({"new_chat_members": [{"id": 5, "is_bot": False, "first_name": "N"}]}),
            st.just({"contact": {"phone_number": "+77001234567", "first_name": "A"}}),
            st.builds(
                lambda name: {
                    "document": {
                        "file_id": "BQACAgIAAxk",
                        "file_unique_id": "AgAD",
                        "file_name": name,
                    }
                },
                texts,
            ),
        )
    )
    return message(sender, None, chat_kind=kind, **content)


def callback_data(topics: list[tuple[int, str]]) -> st.SearchStrategy[str | None]:
    """Forged data for every kind of button (ex, sg, tp, tpg, fb, pk), real-looking and odd."""
    real_topics = st.sampled_from(topics) if topics else st.just((0, "000000"))
    return st.one_of(
        st.none(),
        st.text(max_size=64).filter(lambda data: len(data.encode()) <= 64),
        st.builds("ex:{}".format, st.integers(-(10**30), 10**30)),
        st.builds("sg:{}".format, st.integers(-5, 10)),
        st.builds(lambda t: f"tp:{t[0]}:{t[1]}", real_topics),
        st.builds(lambda t, page: f"tpg:{t[0]}:{t[1]}:{page}", real_topics, st.integers(-2, 50)),
        st.builds(
            "tp:{}:{}".format, st.integers(-3, 40), st.text("0123456789abcdefxyz", max_size=8)
        ),
        # Journal record ids: small, so that many name real records (questions fuzzed earlier).
        st.builds("fb:{}:{}".format, st.integers(-2, 60), st.sampled_from(["0", "1", "2", "x"])),
        st.builds("pk:{}:{}".format, st.integers(-2, 60), st.integers(-2, 6)),
        st.sampled_from(
            [
                "ex:",
                "sg:",
                "ex:0:1",
                "sg:-1",
                "ex:0x1",
                "ex:1e3",
                "ex: 1",
                "ex:٣",
                "sg:¹",
                "ex:1.0",
                "sg:0\x00",
                "ex:0; DROP TABLE facts",
                "fb:1:true",
                "fb:1:1:1",
                "fb:١:1",
                "pk:1",
                "tpg:0:0",
                "tp:0:'; DROP TABLE facts; --"[:64],
                "x" * 64,
            ]
        ),
    )


@st.composite
def callbacks(draw: st.DrawFn, topics: list[tuple[int, str]]) -> dict[str, Any]:
    sender = draw(user_ids)
    forged = callback_data(topics)
    data = draw(forged)
    shape = draw(st.sampled_from(["none", "plain", "buttons", "pressed", "inaccessible"]))
    raw_message: dict[str, Any] | None = None
    chat_id = sender if draw(st.booleans()) else -100_000_000_000 - next_id()  # or a group
    if shape == "plain":
        raw_message = bot_message(chat_id)
    elif shape in ("buttons", "pressed"):
        labels = draw(st.lists(st.tuples(texts, forged), max_size=4))
        if shape == "pressed" and data:
            # The pressed button really is on the message: the data is then "genuine".
            labels.insert(draw(st.integers(0, len(labels))), ("Кнопка", data))
        raw_message = bot_message(
            chat_id,
            [
                (label[:200] or "?", (forged_data or "x")[:64])
                for label, forged_data in labels
                if len((forged_data or "x")[:64].encode()) <= 64
            ],
        )
    elif shape == "inaccessible":
        raw_message = {"chat": {"id": chat_id, "type": "private"}, "message_id": 1, "date": 0}
    if raw_message is not None and chat_id < 0:
        raw_message["chat"] = {"id": chat_id, "type": "supergroup", "title": "G"}
    return callback(sender, data, raw_message)


@st.composite
def inline_queries(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(next_id()),
        "from": user(draw(user_ids)),
        "query": draw(texts),
        "offset": draw(st.sampled_from(["", "5", "x", "-1"])),
    }
    chat_type = draw(st.sampled_from([None, "sender", "private", "group", "supergroup"]))
    if chat_type is not None:
        body["chat_type"] = chat_type
    return update("inline_query", body)


@st.composite
def updates(draw: st.DrawFn, topics: list[tuple[int, str]]) -> dict[str, Any]:
    shape = draw(
        st.sampled_from(
            [
                "text",
                "text",
                "text",
                "other",
                "edited",
                "forwarded",
                "callback",
                "callback",
                "inline",
                "admin",
                "channel",
                "edited_channel",
                "unhandled",
            ]
        )
    )
    if shape == "text":
        return update("message", draw(text_messages()))
    if shape == "other":
        return update("message", draw(other_messages()))
    if shape == "edited":
        return edited(draw(st.one_of(text_messages(), other_messages())))
    if shape == "forwarded":
        return forwarded(draw(text_messages()), draw(user_ids))
    if shape == "callback":
        return draw(callbacks(topics))
    if shape == "inline":
        return draw(inline_queries())
    if shape == "admin":
        # The admin's own commands, odd arguments included (in a caption too): they run, and
        # with the folder unchanged a reload writes nothing.
        text = draw(admin_command_texts)
        kind = draw(chat_kinds)
        if draw(st.booleans()):
            return update("message", message(ADMIN_ID, text, chat_kind=kind))
        return update("message", message(ADMIN_ID, None, chat_kind=kind, **photo(text)))
    if shape in ("channel", "edited_channel"):
        raw = message(None, draw(texts), chat_kind="channel")
        if shape == "edited_channel":
            return update("edited_channel_post", {**raw, "edit_date": raw["date"]})
        return update("channel_post", raw)
    # Update types the bot has no handlers for.
    sender = draw(user_ids)
    return draw(
        st.sampled_from(
            [
                update(
                    "chosen_inline_result",
                    {
                        "result_id": "0-abc",
                        "from": {"id": sender, "is_bot": False, "first_name": "U"},
                        "query": "x",
                    },
                ),
                update(
                    "my_chat_member",
                    {
                        "chat": {"id": -5, "type": "group", "title": "G"},
                        "from": {"id": sender, "is_bot": False, "first_name": "U"},
                        "date": 1,
                        "old_chat_member": {
                            "status": "left",
                            "user": {"id": 42, "is_bot": True, "first_name": "B"},
                        },
                        "new_chat_member": {
                            "status": "member",
                            "user": {"id": 42, "is_bot": True, "first_name": "B"},
                        },
                    },
                ),
            ]
        )
    )


# --- the tests -------------------------------------------------------------------------------


_HTML = re.compile(r"</?[A-Za-z][^>]*>|&(#?\w+);")
_MARKDOWN = ("**", "__", "```", "](", "||", "~~")
_SQL = re.compile(r"drop table|union select|delete from|or 1=1|pg_sleep|pragma|update meta", re.I)
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_RTL = frozenset({"R", "AL", "RLE", "RLO", "RLI"})
_ADMIN_COMMAND = re.compile(r"/(reload|add|stats|unanswered)\b", re.I)
# Every kind of input the issue lists: the run fails if the strategy made none of one.
LISTED_KINDS = (
    "rtl",
    "emoji",
    "zero_width",
    "control_characters",
    "html_like",
    "markdown_like",
    "sql_like",
    "empty_text",
    "over_4096_chars",
    "over_10000_chars",
    "command",
    "admin_command_from_non_admin",
    "caption",
    "document",
    "edited_message",
    "forwarded",
    "callback_query",
    "callback_on_a_button_of_the_message",
    "inline_query",
    "group",
    "no_from_user",
    "from_admin",
)


def kinds_of(raw: dict[str, Any]) -> set[str]:
    """What a raw update is, in the terms of the issue (for the figures and the check that
    the strategies really make every listed kind)."""
    kind = next(k for k in raw if k != "update_id")
    body = raw[kind]
    found: set[str] = set()
    text = body.get("text") or body.get("caption") or body.get("query") or ""
    if "text" in body and body["text"] == "":
        found.add("empty_text")
    if any(unicodedata.bidirectional(c) in _RTL for c in text):
        found.add("rtl")
    if any(ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF for c in text):
        found.add("emoji")
    if any(c in _ZERO_WIDTH for c in text):
        found.add("zero_width")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        found.add("control_characters")
    if _HTML.search(text):
        found.add("html_like")
    if any(marker in text for marker in _MARKDOWN):
        found.add("markdown_like")
    if _SQL.search(text):
        found.add("sql_like")
    if len(text) > 4096:
        found.add("over_4096_chars")
    if len(text) > 10_000:
        found.add("over_10000_chars")
    sender = (body.get("from") or {}).get("id")
    if text.startswith("/"):
        found.add("command")
        if _ADMIN_COMMAND.match(text) and sender != ADMIN_ID:
            found.add("admin_command_from_non_admin")
    if "caption" in body:
        found.add("caption")
    if "document" in body:
        found.add("document")
    if kind.startswith("edited_"):
        found.add("edited_message")
    if "forward_origin" in body:
        found.add("forwarded")
    if kind == "callback_query":
        found.add("callback_query")
        markup = (body.get("message") or {}).get("reply_markup") or {}
        data = [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]
        if body.get("data") is not None and body.get("data") in data:
            found.add("callback_on_a_button_of_the_message")
    if kind == "inline_query":
        found.add("inline_query")
    chat = body.get("chat") or (body.get("message") or {}).get("chat") or {}
    if chat.get("type") in ("group", "supergroup"):
        found.add("group")
    if "chat" in body and "from" not in body:
        found.add("no_from_user")
    if sender == ADMIN_ID:
        found.add("from_admin")
    return found


def _check(harness: Harness, raw: dict[str, Any], calls: list[Call]) -> None:
    problems = outgoing_problems(calls)
    assert not problems, (raw, problems)
    assert not harness.errors.records, (raw, harness.errors.lines())
    assert THROTTLE_NOTICE not in sent_texts(calls), "the fuzz run must not be throttled"


def test_fuzzed_updates_never_crash_and_send_only_valid_html(
    harness: Harness, long_run: bool
) -> None:
    size = FUZZ_LONG if long_run else FUZZ_CI
    index = harness.library.index
    generation = harness.loop.run_until_complete(harness.store.generation())
    seen: Counter[str] = Counter()

    @settings(
        max_examples=size,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(raw=updates(harness.topic_checks()))
    # The admin's three commands in the private chat, where admin commands run (issue 20),
    # every run: drawn at random they are rare enough to be missed.
    @example(raw=update("message", message(ADMIN_ID, "/reload", chat_kind="private")))
    @example(raw=update("message", message(ADMIN_ID, "/stats", chat_kind="private")))
    @example(raw=update("message", message(ADMIN_ID, "/unanswered", chat_kind="private")))
    def feed_one(raw: dict[str, Any]) -> None:
        seen.update(kinds_of(raw))
        calls = harness.feed(raw)
        _check(harness, raw, calls)
        # Nothing may swap the index or bump the generation (admins' /reload x included:
        # the folder is unchanged, so a reload writes nothing).
        assert harness.library.index is index
        if harness.fed % 100 == 0:
            assert harness.loop.run_until_complete(harness.store.generation()) == generation

    feed_one()
    after = harness.counts()
    assert after == harness.before, "the fuzz run wrote to the store"
    assert folder_state(harness.articles) == harness.files_before
    # The journal: exactly the questions logged (at most one per update) and the votes from
    # real buttons; no question longer than the limit (an over-long one is never stored).
    harness.loop.run_until_complete(harness.journal.flush())  # it writes in batches
    journal = harness.loop.run_until_complete(journal_counts(harness.url))
    assert journal.questions - harness.journal_before.questions == harness.questions_logged
    assert journal.votes - harness.journal_before.votes == harness.votes_added
    assert journal.longest_question <= MAX_QUESTION_CHARS, journal
    assert harness.admin_actions_by_others == 0
    assert harness.fed >= size * 0.9, harness.fed  # Hypothesis may stop a little early
    # The updates really reached the handlers: many got a reply. (Fewer than half since
    # issue 20: in groups, which are nearly half the updates, the bot answers only messages
    # addressed to it.)
    assert harness.replied >= harness.fed * 0.25, (harness.replied, harness.fed, harness.kinds)
    assert not harness.errors.records, harness.errors.lines()
    # Every kind the issue lists was made; the spies saw the admin's features and votes.
    missing = [kind for kind in LISTED_KINDS if not seen[kind]]
    assert not missing, (missing, seen)
    assert {"reload", "stats", "unanswered"} <= set(harness.admin_actions), harness.admin_actions
    assert harness.questions_logged > 0
    mode = "long" if long_run else "ci"
    FIGURES.record(f"fuzz.{mode}.listed_kinds", {k: seen[k] for k in LISTED_KINDS})
    FIGURES.record(f"fuzz.{mode}.store_rows_changed", 0 if after == harness.before else -1)
    FIGURES.record(f"fuzz.{mode}.journal_questions_logged", harness.questions_logged)
    FIGURES.record(f"fuzz.{mode}.journal_votes_from_real_buttons", harness.votes_from_buttons)
    FIGURES.record(
        f"fuzz.{mode}.admin_actions_by_admin", dict(sorted(harness.admin_actions.items()))
    )
    FIGURES.record(f"fuzz.{mode}.admin_actions_by_non_admins", harness.admin_actions_by_others)
    FIGURES.record(f"fuzz.{mode}.updates", harness.fed)
    FIGURES.record(f"fuzz.{mode}.updates_with_a_reply", harness.replied)
    FIGURES.record(f"fuzz.{mode}.update_kinds", dict(sorted(harness.kinds.items())))
    FIGURES.record(f"fuzz.{mode}.longest_text", harness.longest)
    FIGURES.record(f"fuzz.{mode}.texts_over_500_chars", harness.over_limit)
    FIGURES.record(f"fuzz.{mode}.errors", len(harness.errors.records))
    print(f"fuzzed {harness.fed} updates, {harness.replied} replied to, kinds {harness.kinds}")


def test_flood_from_one_user_is_throttled_and_never_crashes(
    flood_harness: Harness, long_run: bool
) -> None:
    """The real limit (10 per window): of a flood, 10 are served, 1 notice, the rest dropped."""
    harness = flood_harness
    throttle = harness.throttle()
    now = [0.0]
    throttle.clock = lambda: now[0]  # the whole flood falls into one window
    flooder = iter(range(5_000_000, 6_000_000))
    examples = FLOOD_EXAMPLES_LONG if long_run else FLOOD_EXAMPLES_CI
    total = [0]

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        distinct=st.lists(texts, min_size=1, max_size=20),
        size=st.integers(throttle.limit + 1, FLOOD_MESSAGES),
    )
    def flood_one_user(distinct: list[str], size: int) -> None:
        flood = [distinct[i % len(distinct)] for i in range(size)]
        user_id = next(flooder)
        replies: list[str] = []
        for text in flood:
            raw = update("message", message(user_id, text))
            calls = harness.feed(raw)
            assert not outgoing_problems(calls), raw
            replies += sent_texts(calls)
        total[0] += len(flood)
        served = min(len(flood), throttle.limit)
        notices = 1 if len(flood) > throttle.limit else 0
        assert len(replies) == served + notices, (len(flood), replies)
        assert replies.count(THROTTLE_NOTICE) == notices
        assert not harness.errors.records, harness.errors.lines()

    flood_one_user()
    # Another user, same window: still answered.
    calls = harness.feed(update("message", message(7, TOURISTS)))
    assert sent_texts(calls)[0].startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    assert harness.counts() == harness.before
    FIGURES.record(f"fuzz.{'long' if long_run else 'ci'}.flood_messages", total[0])
