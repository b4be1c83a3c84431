"""Issue 7 through Dispatcher.feed_update: /topics, 👍/👎, "did you mean", inline mode, and the
admins' /unanswered, /stats and /add (text and .txt documents), plus the console chat."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery, EditMessageText, SendMessage
from aiogram.types import (
    Document,
    InlineKeyboardMarkup,
    InlineQuery,
    Message,
    Update,
    User,
)
from driver_kit import BaseDriver
from fake_telegram import parse_html
from sqlalchemy.ext.asyncio import create_async_engine

from bot.callbacks import topic_check
from bot.config import Settings
from bot.console import ConsoleChat, run_console
from bot.recording import RecordingSession
from bot.render import main_figure, render_answer
from knowledge import FactStore, Journal, compose, format_date_ru
from knowledge.library import Library

USER_ID = 2000
OTHER_USER_ID = 3000
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
WEATHER = "Какая погода завтра в Алматы?"
WEATHER_AGAIN = "Какая погода в Алматы завтра?"
VELO = "Сколько км велодорожек построят в Алматы в 2026 году?"
STALE = "Эта кнопка устарела. Напишите вопрос текстом."
TOPICS_CHANGED = "Список тем изменился. Откройте /topics ещё раз."
NO_JOURNAL = "Журнал вопросов сейчас недоступен, подробности в логах."
ARTICLE = (
    "---\n"
    "date: 2026-02-01\n"
    "title: В Алматы построят новые велодорожки\n"
    "url: https://example.com/velo\n"
    "---\n\n"
    "В 2026 году в Алматы построят 120 км велодорожек.\n\n"
    "На это направят 15 млрд тенге.\n"
)
GENERATED = re.compile(r"^add_\d{8}_\d{6}_[0-9a-f]{8}\.txt$")


class Driver(BaseDriver):
    """Hand-made Updates into the Dispatcher; what the bot did, from the recording session."""

    async def feed(self, **update: Any) -> int:
        mark = len(self.session.calls)
        await self.dp.feed_update(self.bot, Update(update_id=next(self._ids), **update))
        return mark

    async def send(self, text: str, user_id: int = USER_ID) -> list[SendMessage]:
        mark = await self.feed(message=self.message(user_id, text))
        return self.session.sent(mark)

    async def send_document(
        self,
        content: bytes,
        file_name: str = "article.txt",
        user_id: int = USER_ID,
        mime_type: str = "text/plain",
    ) -> list[SendMessage]:
        file_id = self.session.add_file(content)
        document = Document(
            file_id=file_id,
            file_unique_id=f"u{file_id}",
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(content),
        )
        mark = await self.feed(message=self.message(user_id, document=document))
        return self.session.sent(mark)

    async def press(
        self, data: str, message: Message | None = None, user_id: int = USER_ID
    ) -> int:
        """Press a button; returns the position in session.calls before it."""
        if message is None:
            message = self.last_message()
        return await self.feed(callback_query=self.callback_query(data, message, user_id))

    async def inline(self, query: str, user_id: int = USER_ID) -> AnswerInlineQuery:
        inline = InlineQuery(
            id=str(next(self._ids)), from_user=self.user(user_id), query=query, offset=""
        )
        mark = await self.feed(inline_query=inline)
        [answer] = [
            c.method for c in self.session.calls[mark:] if isinstance(c.method, AnswerInlineQuery)
        ]
        return answer

    def last_message(self) -> Message:
        for call in reversed(self.session.calls):
            if isinstance(call.method, SendMessage | EditMessageText):
                return call.result
        raise AssertionError("the bot sent nothing")

    def since(self, mark: int, kind: type) -> list[Any]:
        return [c.method for c in self.session.calls[mark:] if isinstance(c.method, kind)]

    def acks(self, mark: int) -> list[str | None]:
        return [m.text for m in self.since(mark, AnswerCallbackQuery)]


def buttons(method: SendMessage | EditMessageText) -> list[tuple[str, str]]:
    markup = method.reply_markup
    if markup is None:
        return []
    assert isinstance(markup, InlineKeyboardMarkup)
    return [(b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row]


@pytest.fixture
def busy_settings(settings: Settings) -> Settings:
    """These tests are one busy user: throttling has its own tests."""
    return settings.model_copy(update={"throttle_messages": 1000})


@pytest.fixture
def dispatcher(
    make_dispatcher: Callable[..., Dispatcher],
    busy_settings: Settings,
    library: Library,
    store: FactStore,
) -> Dispatcher:
    return make_dispatcher(busy_settings, library, store)


@pytest.fixture
def chat(dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession) -> Driver:
    return Driver(dispatcher, recording_bot, session)


async def db_rows(database_url: str, query: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(sa.text(query))).all()]
    finally:
        await engine.dispose()


# --- /topics ---------------------------------------------------------------------------------


async def test_topics_buttons_pages_and_stale_data(chat: Driver, library: Library) -> None:
    topics = library.index.topics()
    [reply] = await chat.send("/topics")
    assert reply.text == "Темы, о которых есть факты. Нажмите на тему — покажу самые свежие:"
    assert buttons(reply) == [
        (f"{name} ({len(facts)})", f"tp:{i}:{topic_check(name)}")
        for i, (name, facts) in enumerate(topics.items())
    ]
    assert buttons(reply)[0] == ("инвестиции (6)", f"tp:0:{topic_check('инвестиции')}")
    listing = chat.last_message()

    # A topic: its newest five facts, with figures and dates, and «ещё».
    mark = await chat.press(buttons(reply)[0][1], listing)
    [page] = chat.session.sent(mark)
    assert chat.acks(mark) == [None]
    lines = page.text.split("\n")
    assert lines[0] == "Тема «<b>инвестиции</b>»: факты 1–5 из 6, сначала новые"
    facts = topics["инвестиции"]
    assert len(lines) == 6
    for line, fact in zip(lines[1:], facts[:5], strict=True):
        assert line.endswith(f" ({format_date_ru(fact.article_date)})")
        figure = main_figure(fact)
        if figure is not None:
            assert line.startswith(f"• <b>{figure.label}</b> — ")
    # The newest article's fact with a figure comes before its fact without one.
    assert lines[1].startswith("• <b>порядка 190 проектов</b> — До 2030 года в Алматы")
    assert lines[1].endswith("(12 сентября 2025)")
    assert lines[2].startswith('• "В числе ключевых задач')
    check = topic_check("инвестиции")
    assert buttons(page) == [("ещё »", f"tpg:0:{check}:1")]
    parse_html(page.text)

    # «ещё» edits the same message: the last fact, and «назад».
    topic_message = chat.last_message()
    mark = await chat.press(f"tpg:0:{check}:1", topic_message)
    [edit] = chat.since(mark, EditMessageText)
    assert edit.message_id == topic_message.message_id and not chat.session.sent(mark)
    assert edit.text.split("\n")[0] == "Тема «<b>инвестиции</b>»: факты 6–6 из 6, сначала новые"
    assert len(edit.text.split("\n")) == 2
    assert buttons(edit) == [("« назад", f"tpg:0:{check}:0")]
    mark = await chat.press(f"tpg:0:{check}:0", chat.last_message())
    [back] = chat.since(mark, EditMessageText)
    assert back.text == page.text

    # A topic that moved in the list (after a reload) is found by its checksum.
    mark = await chat.press(f"tp:7:{check}", listing)
    [moved] = chat.session.sent(mark)
    assert moved.text == page.text

    for data in (
        "tp:99:abcdef",
        "tp:0:zzzzzz",
        f"tpg:0:{check}:2",
        f"tpg:0:{check}:-1",
        "tpg:0:000000:0",
        "tp:x:y",
    ):
        mark = await chat.press(data, listing)
        assert not chat.session.sent(mark) and not chat.since(mark, EditMessageText), data
        expected = STALE if data == "tp:x:y" else TOPICS_CHANGED
        assert chat.acks(mark) == [expected], data


# --- 👍 / 👎 ------------------------------------------------------------------------------


async def test_votes_are_stored_once_per_user_and_answer(chat: Driver, database_url: str) -> None:
    [reply] = await chat.send(TOURISTS)
    assert buttons(reply) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]
    answer = chat.last_message()

    mark = await chat.press("fb:1:1", answer)
    assert chat.acks(mark) == ["Спасибо! Рад, что ответ помог."]
    mark = await chat.press("fb:1:1", answer)
    assert chat.acks(mark) == ["Ваша оценка уже учтена."]
    assert not chat.session.sent(mark)
    mark = await chat.press("fb:1:1", answer, user_id=OTHER_USER_ID)
    assert chat.acks(mark) == ["Спасибо! Рад, что ответ помог."]
    assert await db_rows(database_url, "SELECT value FROM journal_votes") == [(1,), (1,)]

    # A change of mind replaces the vote (one row per user and answer).
    mark = await chat.press("fb:1:0", answer)
    assert chat.acks(mark) == ["Спасибо! Запишу, что ответ не помог."]
    votes = await db_rows(database_url, "SELECT value FROM journal_votes ORDER BY value")
    assert votes == [(-1,), (1,)]

    for data in ("fb:99:1", "fb:1:x", "fb:-1:0", "fb:1"):
        mark = await chat.press(data, answer)
        assert chat.acks(mark) == [STALE], data
        assert not chat.session.sent(mark)
    assert len(await db_rows(database_url, "SELECT * FROM journal_votes")) == 2


async def test_a_vote_on_another_replica_waits_for_the_answers_row(
    make_dispatcher: Callable[..., Dispatcher],
    busy_settings: Settings,
    library: Library,
    store: FactStore,
    recording_bot: Bot,
    session: RecordingSession,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two replicas on one database. The one that answers writes its question rows in
    batches; a 👍 pressed at once and handled by the other names a row not written yet: it
    is waited for, not called stale."""
    answering = Driver(make_dispatcher(busy_settings, library, store), recording_bot, session)
    # The answering replica's writer, driven by hand: it writes when the test says so.
    queued = Journal(database_url, flush_interval=None)
    answering.dp["journal"] = queued
    try:
        [reply] = await answering.send(TOURISTS)
        assert buttons(reply) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]
        assert queued.queued == 1
        # The other replica (one process holds one working Dispatcher: this one takes over
        # the routers, as the other process's would be its own).
        other = Driver(make_dispatcher(busy_settings, library, store), recording_bot, session)
        looked = asyncio.Event()
        other_journal = other.dp["journal"]
        real_vote = other_journal.vote

        async def vote(*args: Any) -> Any:
            result = await real_vote(*args)
            looked.set()
            return result

        monkeypatch.setattr(other_journal, "vote", vote)
        press = asyncio.create_task(other.press("fb:1:1", answering.last_message()))
        await looked.wait()  # the other replica looked, and the row is not there yet
        await queued.flush()  # what the answering replica's writer does within 0.5 s
        mark = await press
        assert other.acks(mark) == ["Спасибо! Рад, что ответ помог."]
        assert await db_rows(database_url, "SELECT value FROM journal_votes") == [(1,)]
    finally:
        await queued.close()


async def test_thumbs_down_offers_the_next_best_facts(chat: Driver, library: Library) -> None:
    await chat.send(TOURISTS)
    mark = await chat.press("fb:1:0")
    [offer] = chat.session.sent(mark)
    lines = offer.text.split("\n")
    assert lines[0] == "Может быть, вы об этом?"
    # match() finds only the answer itself here: the next are rank()'s weaker candidates.
    ranked = library.index.rank(TOURISTS, limit=5, threshold=False)
    assert ranked[0].figure is not None and ranked[0].figure.label == "1,9 млн человек"
    assert len(lines) == 4
    assert lines[1].startswith("1. <b>около 1 млн иностранных туристов</b> — Ключевым проектом")
    assert [data for _, data in buttons(offer)] == ["pk:1:1", "pk:1:2", "pk:1:3"]
    assert buttons(offer)[0][0].startswith("1. около 1 млн иностранных туристов — ")
    parse_html(offer.text)

    # Pressing one shows that fact as an answer to the question, with 👍/👎 again.
    mark = await chat.press("pk:1:1", chat.last_message())
    [shown] = chat.session.sent(mark)
    expected = compose(TOURISTS, [ranked[1]], index=library.index)
    assert shown.text == render_answer(expected)[0]
    assert shown.text.startswith("<b>около 1 млн иностранных туристов — к 2029 году</b>")
    assert "\n«Ключевым проектом" in shown.text
    assert "\nИсточник: " in shown.text
    assert buttons(shown) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]

    for data in ("pk:1:4", "pk:1:-1", "pk:77:0", "pk:1:z"):
        mark = await chat.press(data)
        assert chat.acks(mark) == [STALE], data
        assert not chat.session.sent(mark)


async def test_journal_failure_never_stops_an_answer(
    chat: Driver, dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal: Journal = dispatcher["journal"]

    async def broken(*args: Any, **kwargs: Any) -> int:
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(journal, "record_question", broken)
    [reply] = await chat.send(TOURISTS)
    assert reply.text.startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    assert reply.reply_markup is None  # no record, so no 👍/👎


# --- did you mean --------------------------------------------------------------------------


TWO_ROADS = (
    "---\n"
    "date: 2026-01-15\n"
    "title: Дороги и тротуары\n"
    "---\n\n"
    "Протяженность новых велодорожек составит 120 км.\n\n"
    "Протяженность новых тротуаров составит 80 км.\n"
)
TIE = "Сколько км составит протяженность?"


@pytest.fixture
async def tie_chat(
    make_dispatcher: Callable[..., Dispatcher],
    tmp_path: Path,
    busy_settings: Settings,
    recording_bot: Bot,
    session: RecordingSession,
) -> AsyncIterator[tuple[Driver, Library]]:
    """A tiny index of two facts that score the same for TIE, with different figures."""
    folder = tmp_path / "tie"
    folder.mkdir()
    (folder / "roads.txt").write_text(TWO_ROADS, encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'tie.db'}"
    store = await FactStore.open(url)
    try:
        library = await Library.open(store, folder)
        tie_settings = busy_settings.model_copy(
            update={"articles_dir": folder, "database_url": url}
        )
        yield (
            Driver(make_dispatcher(tie_settings, library, store), recording_bot, session),
            library,
        )
    finally:
        await store.close()


async def test_did_you_mean_when_two_facts_tie(tie_chat: tuple[Driver, Library]) -> None:
    chat, library = tie_chat
    first, second = library.ask(TIE).matches[:2]
    assert first.score == second.score  # the synthetic tie
    [reply] = await chat.send(TIE)
    assert reply.text.split("\n") == [
        "Уточните, что вы имели в виду:",
        "1. <b>120 км</b> — Протяженность новых велодорожек составит 120 км. (15 января 2026)",
        "2. <b>80 км</b> — Протяженность новых тротуаров составит 80 км. (15 января 2026)",
    ]
    assert buttons(reply) == [
        ("1. 120 км — Протяженность новых велодорожек составит 120…", "pk:1:0"),
        ("2. 80 км — Протяженность новых тротуаров составит 80 км.", "pk:1:1"),
    ]
    mark = await chat.press("pk:1:1", chat.last_message())
    [answer] = chat.session.sent(mark)
    assert answer.text == (
        "<b>80 км</b>\n«Протяженность новых тротуаров составит 80 км.»\n"
        "Источник: Дороги и тротуары, 15 января 2026"
    )
    assert buttons(answer) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]

    # A clear question is answered straight away.
    [clear] = await chat.send("Сколько км велодорожек?")
    assert clear.text.startswith("<b>120 км</b>\n")


async def test_seed_questions_with_a_clear_winner_are_not_asked_back(chat: Driver) -> None:
    for question in (TOURISTS, "Сколько получателей адресной социальной помощи в 2025 году?"):
        [reply] = await chat.send(question)
        assert not reply.text.startswith("Уточните"), question


# --- inline mode ---------------------------------------------------------------------------


async def test_inline_query_answers_with_up_to_five_articles(
    chat: Driver, library: Library
) -> None:
    answer = await chat.inline(TOURISTS)
    assert answer.is_personal is False and answer.cache_time == 10
    assert 1 <= len(answer.results) <= 5
    best = answer.results[0]
    assert best.title == "1,9 млн человек"
    assert best.description.startswith("За девять месяцев 2025 года количество туристов")
    content = best.input_message_content
    assert content.message_text == render_answer(library.ask(TOURISTS))[0]
    assert content.message_text.endswith(", 9 января 2026")
    assert content.parse_mode == "HTML"
    assert len({r.id for r in answer.results}) == len(answer.results)
    assert answer.button is None

    examples = await chat.inline("   ")
    assert 1 <= len(examples.results) <= 5
    assert all(
        r.title and "Источник: " in r.input_message_content.message_text for r in examples.results
    )

    nothing = await chat.inline(WEATHER)
    assert nothing.results == []
    assert nothing.button is not None and nothing.button.start_parameter == "inline"


# --- the admins' journal views ------------------------------------------------------------


async def test_unanswered_lists_grouped_not_found_questions(chat: Driver, admin_id: int) -> None:
    await chat.send(WEATHER)
    await chat.send(WEATHER_AGAIN, user_id=OTHER_USER_ID)
    await chat.send(TOURISTS)
    [refused] = await chat.send("/unanswered")
    assert refused.text == "Эта команда только для администраторов."
    [reply] = await chat.send("/unanswered", user_id=admin_id)
    today = format_date_ru(dt.datetime.now(dt.timezone(dt.timedelta(hours=5))).date())
    assert reply.text.split("\n") == [
        "<b>Без ответа за 30 дней</b> (не нашлось или 👎), сначала частые:",
        f"• «{WEATHER_AGAIN}» — 2 раза, последний {today}",
    ]


async def test_unanswered_when_everything_was_answered(chat: Driver, admin_id: int) -> None:
    [reply] = await chat.send("/unanswered", user_id=admin_id)
    assert reply.text == "За 30 дней вопросов без ответа нет."


async def test_stats_numbers(chat: Driver, admin_id: int) -> None:
    await chat.send(TOURISTS)
    await chat.press("fb:1:1")
    await chat.send("Сколько получателей адресной социальной помощи в 2025 году?")
    await chat.press("fb:2:0")
    await chat.send(WEATHER)
    await chat.send("Сколько туристов приехало в Алматы за девять месяцев?")
    [refused] = await chat.send("/stats")
    assert refused.text == "Эта команда только для администраторов."
    [reply] = await chat.send("/stats", user_id=admin_id)
    assert reply.text.split("\n") == [
        "<b>Статистика</b>",
        "Вопросов сегодня: 4, за 7 дней: 4",
        "С ответом: 3 из 4 (75%)",
        "Темы отвеченных: туризм — 2, соцподдержка — 1",
        "Чаще всего без ответа:",
        f"• «{WEATHER}» — 1",
        "• «Сколько получателей адресной социальной помощи в 2025 году?» — 1",
        "Оценки: 👍 1, 👎 1 (50% 👍)",
        "Подписчиков пока нет",
        "Рассылка: в очереди 0, отправлено за сутки 0, не доставлено 0",
    ]


async def test_journal_views_without_a_readable_journal(
    chat: Driver, dispatcher: Dispatcher, admin_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/unanswered and /stats say the same when reading the journal fails and when the bot
    runs without one."""
    journal: Journal = dispatcher["journal"]

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("journal table is gone")

    monkeypatch.setattr(journal, "unanswered", broken)
    monkeypatch.setattr(journal, "stats", broken)
    for command in ("/unanswered", "/stats"):
        [reply] = await chat.send(command, user_id=admin_id)
        assert reply.text == NO_JOURNAL, command
    monkeypatch.delitem(dispatcher.workflow_data, "journal")
    for command in ("/unanswered", "/stats"):
        [reply] = await chat.send(command, user_id=admin_id)
        assert reply.text == NO_JOURNAL, command


# --- adding articles -----------------------------------------------------------------------


def saved_files(articles_dir: Path) -> list[str]:
    return sorted(p.name for p in articles_dir.iterdir() if p.name.startswith("add_"))


async def test_add_by_admin_saves_reloads_and_answers(
    chat: Driver, library: Library, articles_dir: Path, admin_id: int
) -> None:
    [before] = await chat.send(VELO)
    assert not before.text.startswith("<b>120 км — в 2026 году</b>")
    generation = library.index.generation
    [reply] = await chat.send("/add\n" + ARTICLE, user_id=admin_id)
    [name] = saved_files(articles_dir)
    assert GENERATED.match(name)
    assert (articles_dir / name).read_text(encoding="utf-8") == ARTICLE
    lines = reply.text.split("\n")
    assert lines[0] == (
        "<b>Статья добавлена: </b>В Алматы построят новые велодорожки (1 февраля 2026), "
        f"файл {name}."
    )
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in lines
    assert lines[-1].startswith("Сейчас в базе: <b>4 статьи</b>")
    assert library.index.generation == generation + 1
    [answer] = await chat.send(VELO)
    assert answer.text.startswith("<b>120 км — в 2026 году</b>")
    assert "В Алматы построят новые велодорожки</a>, 1 февраля 2026" in answer.text

    [again] = await chat.send("/add\n" + ARTICLE, user_id=admin_id)
    assert again.text.startswith(f"Статья не добавлена: такая статья уже загружена ({name}).")
    assert saved_files(articles_dir) == [name]

    [usage] = await chat.send("/add", user_id=admin_id)
    assert usage.text.startswith("Пришлите статью файлом .txt (UTF-8, до 2 МБ) или командой /add")


async def test_add_by_non_admin_is_refused_and_nothing_is_written(
    chat: Driver, library: Library, articles_dir: Path
) -> None:
    before = sorted(p.name for p in articles_dir.iterdir())
    generation = library.index.generation
    [reply] = await chat.send("/add\n" + ARTICLE)
    assert reply.text == "Эта команда только для администраторов."
    [document] = await chat.send_document(ARTICLE.encode())
    assert document.text.startswith("Статьи файлами принимаю только от администраторов.")
    assert sorted(p.name for p in articles_dir.iterdir()) == before
    assert library.index.generation == generation


async def test_document_with_a_path_for_a_name_is_saved_under_a_generated_one(
    chat: Driver, library: Library, articles_dir: Path, tmp_path: Path, admin_id: int
) -> None:
    [reply] = await chat.send_document(
        ARTICLE.encode(), file_name="../../etc/passwd.txt", user_id=admin_id
    )
    [name] = saved_files(articles_dir)
    assert GENERATED.match(name)
    assert reply.text.startswith("<b>Статья добавлена: </b>")
    assert (articles_dir / name).read_bytes() == ARTICLE.encode()
    # Nothing anywhere else, and no leftover temporary file.
    assert not list(tmp_path.rglob("passwd*"))
    assert sorted(p.name for p in articles_dir.iterdir() if p.name.startswith(".")) == []
    [answer] = await chat.send(VELO)
    assert answer.text.startswith("<b>120 км — в 2026 году</b>")


@pytest.mark.parametrize(
    ("content", "file_name", "mime", "reason"),
    [
        (bytes(range(256)) * 8, "data.txt", "text/plain", "двоичный файл, не текст"),
        ("Привет".encode("cp1251"), "a.txt", "text/plain", "файл не в кодировке UTF-8"),
        (
            b"---\ntitle: X\n---\n\nText.\n",
            "a.txt",
            "text/plain",
            "в заголовке нет даты (строка date: ГГГГ-ММ-ДД)",
        ),
        (
            "В 2026 году построят 120 км.\n".encode(),
            "a.txt",
            "text/plain",
            "нет заголовка: статья должна начинаться со строки ---",
        ),
        (
            b"---\ndate: 2026-13-45\ntitle: X\n---\n\nText.\n",
            "a.txt",
            "text/plain",
            "неверная дата в заголовке: 2026-13-45",
        ),
        (
            b"---\ndate: 2026-01-01\ntitle: X\n",
            "a.txt",
            "text/plain",
            "заголовок не закрыт строкой ---",
        ),
        (ARTICLE.encode(), "article.pdf", "application/pdf", "нужен текстовый файл .txt"),
        (b"x" * 2_000_001, "big.txt", "text/plain", "файл больше 2 МБ (2,1 МБ)"),
    ],
)
async def test_bad_documents_get_a_clear_error_and_nothing_is_saved(
    chat: Driver,
    articles_dir: Path,
    admin_id: int,
    content: bytes,
    file_name: str,
    mime: str,
    reason: str,
) -> None:
    before = sorted(p.name for p in articles_dir.iterdir())
    [reply] = await chat.send_document(content, file_name, user_id=admin_id, mime_type=mime)
    assert reply.text.split("\n")[0] == f"Статья не добавлена: {reason}."
    assert sorted(p.name for p in articles_dir.iterdir()) == before


# --- the console chat -----------------------------------------------------------------------


async def test_console_presses_topic_and_feedback_buttons_by_number(
    dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession
) -> None:
    console = ConsoleChat(
        dispatcher, recording_bot, session, User(id=USER_ID, is_bot=False, first_name="Вы")
    )
    [topics] = await console.send("/topics")
    assert "[1] инвестиции (6)" in topics.split("\n")
    [page] = await console.send("1")
    assert page.startswith("Тема «инвестиции»: факты 1–5 из 6")
    assert page.endswith("[1] ещё »")
    [more] = await console.send("1")  # an edit of the same message, printed again
    assert more.startswith("Тема «инвестиции»: факты 6–6 из 6")
    assert more.endswith("[1] « назад")
    [answer] = await console.send(TOURISTS)
    assert answer.endswith("\n[1] 👍\n[2] 👎")
    assert await console.send("1") == ["(Спасибо! Рад, что ответ помог.)"]


async def test_console_admin_pastes_an_article_and_reads_the_journal(
    settings: Settings, articles_dir: Path
) -> None:
    script = f"{WEATHER}\n/add\n{ARTICLE}.\n{VELO}\n/unanswered\n/stats\n"
    out = io.StringIO()
    settings = settings.model_copy(update={"throttle_messages": 100})
    assert await run_console(settings, admin=True, stdin=io.StringIO(script), stdout=out) == 0
    text = out.getvalue()
    [name] = saved_files(articles_dir)
    assert (
        f"Статья добавлена: В Алматы построят новые велодорожки (1 февраля 2026), файл {name}."
        in text
    )
    lines = text.split("\n")
    velo = lines.index(f"> {VELO}") + 1
    assert lines[velo].startswith("120 км — в 2026 году")
    assert f"• «{WEATHER}» — 1 раз, последний " in text
    assert "Вопросов сегодня: 2, за 7 дней: 2" in text
    assert "С ответом: 1 из 2 (50%)" in text
