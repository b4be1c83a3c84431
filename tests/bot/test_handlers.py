"""Handlers driven through Dispatcher.feed_update with hand-made Updates and a recording Bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendChatAction, SendMessage, SetMyCommands
from aiogram.types import (
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardMarkup,
    Message,
    Sticker,
    Update,
)
from driver_kit import BaseDriver
from fake_telegram import parse_html

from bot.commands import set_commands
from bot.config import Settings
from bot.messages import NO_SUBSCRIPTIONS, SUBSCRIPTIONS_UNAVAILABLE
from bot.recording import RecordingSession
from bot.render import EXAMPLE_QUESTIONS, render_answer
from knowledge import FactStore
from knowledge.library import Library

USER_ID = 2000
OTHER_USER_ID = 3000
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
WEATHER = "Какая погода завтра в Алматы?"
NEW_ARTICLE = (
    "---\n"
    "date: 2026-02-01\n"
    "title: В Алматы построят новые велодорожки\n"
    "url: https://example.com/velo?a=1&b=2\n"
    "---\n\n"
    "В 2026 году в Алматы построят 120 км велодорожек.\n\n"
    "На это направят 15 млрд тенге.\n"
)


class ChatDriver(BaseDriver):
    """Feeds hand-made Updates to the Dispatcher and returns what the bot sent back."""

    async def feed(self, update: Update) -> list[SendMessage]:
        mark = len(self.session.calls)
        await self.dp.feed_update(self.bot, update)
        return self.session.sent(mark)

    async def send(self, text: str, user_id: int = USER_ID) -> list[SendMessage]:
        """A text message from `user_id`; the messages the bot sent in reply."""
        update = Update(update_id=next(self._ids), message=self.message(user_id, text))
        return await self.feed(update)

    async def send_sticker(self, user_id: int = USER_ID) -> list[SendMessage]:
        sticker = Sticker(
            file_id="CAACAgIAAxkBAAIBF2",
            file_unique_id="AgADBAADr",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
        )
        update = Update(update_id=next(self._ids), message=self.message(user_id, sticker=sticker))
        return await self.feed(update)

    async def press(
        self, data: str, message: Message | None, user_id: int = USER_ID
    ) -> list[SendMessage]:
        """Press a button with callback `data` under the bot's `message`."""
        query = self.callback_query(data, message, user_id)
        return await self.feed(Update(update_id=next(self._ids), callback_query=query))

    def last_message(self) -> Message:
        """The bot's most recent sent Message, as Telegram would return it."""
        for call in reversed(self.session.calls):
            if isinstance(call.method, SendMessage):
                return call.result
        raise AssertionError("the bot sent nothing")


@pytest.fixture
def chat(dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession) -> ChatDriver:
    return ChatDriver(dispatcher, recording_bot, session)


def buttons(message: SendMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [(b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row]


def callback_answers(session: RecordingSession, since: int = 0) -> list[AnswerCallbackQuery]:
    return [c.method for c in session.calls[since:] if isinstance(c.method, AnswerCallbackQuery)]


async def test_question_answered_with_bold_figure_quote_and_date(
    chat: ChatDriver, session: RecordingSession
) -> None:
    mark = len(session.calls)
    [reply] = await chat.send(TOURISTS)
    assert reply.text.splitlines()[0] == "<b>1,9 млн человек — за девять месяцев 2025 года</b>"
    assert "«За девять месяцев 2025 года количество туристов" in reply.text
    assert reply.text.splitlines()[-1].startswith("Источник: Аким Алматы Дархан Сатыбалды")
    assert reply.text.endswith(", 9 января 2026")
    # 👍 / 👎, referring to the answer's journal record (the first one in this database).
    assert buttons(reply) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]
    # "typing…" first, then the answer.
    assert session.methods(mark) == ["sendChatAction", "sendMessage"]
    action = session.calls[mark].method
    assert isinstance(action, SendChatAction) and action.action == "typing"
    parse_html(reply.text)  # Telegram would accept it


async def test_earlier_figure_is_shown(chat: ChatDriver) -> None:
    [reply] = await chat.send("Сколько получателей адресной социальной помощи в 2025 году?")
    assert reply.text.startswith("<b>10 тыс. человек — в 2025 году</b>\n")
    assert "\nРанее: 21 тыс. человек (2023)\n" in reply.text


async def test_topic_question_gets_a_digest(chat: ChatDriver) -> None:
    [reply] = await chat.send("Что известно про туризм?")
    lines = reply.text.split("\n")
    assert lines[0] == "<b>Вот что известно по этой теме (сначала новое):</b>"
    assert lines[1].startswith("• <b>1,9 млн человек</b> — За девять месяцев 2025 года")
    assert lines[1].endswith("(9 января 2026)")
    assert lines[-1].endswith("(12 сентября 2025)")
    assert 3 <= len(lines) - 1 <= 5
    parse_html(reply.text)


async def test_weather_not_found_with_suggestion_buttons(
    chat: ChatDriver, library: Library, session: RecordingSession
) -> None:
    [reply] = await chat.send(WEATHER)
    assert reply.text.startswith("В статьях нет ответа на этот вопрос.")
    suggestions = library.ask(WEATHER).suggestions
    assert len(suggestions) >= 1
    assert buttons(reply) == [(q, f"sg:{i}") for i, q in enumerate(suggestions)]

    # Pressing the last suggestion asks exactly that question.
    index = len(suggestions) - 1
    mark = len(session.calls)
    [answer] = await chat.press(f"sg:{index}", chat.last_message())
    assert answer.text == render_answer(library.ask(suggestions[index]))[0]
    assert library.ask(suggestions[index]).found
    assert len(callback_answers(session, mark)) == 1


async def test_start_shows_what_the_bot_knows_and_three_example_buttons(
    chat: ChatDriver, library: Library, session: RecordingSession
) -> None:
    [reply] = await chat.send("/start")
    facts = len(library.index.facts)
    assert "В базе 3 статьи и " in reply.text
    assert f" {facts} факт" in reply.text
    assert "(с 12 сентября 2025 по 9 января 2026)" in reply.text
    assert "Темы:\n• " in reply.text
    assert "• туризм (" in reply.text
    assert buttons(reply) == [
        ("Сколько туристов приехало в Алматы в 2025 году?", "ex:0"),
        ("Сколько в Алматы малых и средних предприятий?", "ex:1"),
        ("Сколько выделят на образование в 2026 году?", "ex:2"),
    ]

    mark = len(session.calls)
    [answer] = await chat.press("ex:0", chat.last_message())
    assert answer.text.startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    [ack] = callback_answers(session, mark)
    assert ack.text is None  # the spinner just stops


async def test_small_talk_gets_a_reply_not_a_search(chat: ChatDriver) -> None:
    [hello] = await chat.send("Привет!")
    assert hello.text.startswith("Здравствуйте! Я отвечаю на вопросы о планах")
    assert [data for _, data in buttons(hello)] == ["ex:0", "ex:1", "ex:2"]
    [thanks] = await chat.send("спасибо")
    assert (thanks.text, thanks.reply_markup) == ("Пожалуйста! Спрашивайте ещё.", None)
    [about] = await chat.send("Что ты умеешь?")
    assert "если в статьях ответа нет, я так и скажу" in about.text
    # a greeting before a question does not stop the question
    [answer] = await chat.send("Привет, сколько туристов приехало в Алматы в 2025 году?")
    assert answer.text.startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")


async def test_help_explains_how_to_ask(chat: ChatDriver) -> None:
    [reply] = await chat.send("/help")
    assert reply.text.startswith("<b>Как спросить</b>")
    assert EXAMPLE_QUESTIONS[0] in reply.text


async def test_sources_lists_three_articles_with_dates(chat: ChatDriver, store: FactStore) -> None:
    [reply] = await chat.send("/sources")
    lines = reply.text.splitlines()
    assert lines[0] == "Загружено 3 статьи:"
    counts = {a.id: a.facts for a in await store.articles()}
    assert len(lines) == 4
    assert lines[1].endswith(f" — 12 сентября 2025, {counts['000_76f55cd445ededdb.txt']} фактов")
    assert lines[2].endswith(f" — 9 января 2026, {counts['001_9e8737218ffa3194.txt']} фактов")
    assert lines[3] == (
        "• <b>Аким Алматы встретился с генеральными и почетными консулами в РК</b>"
        f" — дата публикации не указана, {counts['004_e37ac366897bb94f.txt']} фактов"
    )


async def test_sources_without_articles(
    chat: ChatDriver, store: FactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_articles() -> list[object]:
        return []

    monkeypatch.setattr(store, "articles", no_articles)
    [reply] = await chat.send("/sources")
    assert reply.text == "Статей пока нет: ответить мне не из чего."


async def test_reload_by_admin_reports_the_diff(
    chat: ChatDriver, library: Library, articles_dir: Path, admin_id: int
) -> None:
    before = library.index.generation
    (articles_dir / "010_velo.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    [reply] = await chat.send("/reload", user_id=admin_id)
    lines = reply.text.splitlines()
    assert lines[0] == "<b>Статьи перечитаны.</b>"
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in lines
    assert lines[-1] == (
        f"Сейчас в базе: <b>4 статьи</b>, <b>{len(library.index.facts)} фактов</b>."
    )
    assert library.index.generation == before + 1

    [answer] = await chat.send("Сколько км велодорожек построят в Алматы в 2026 году?")
    assert answer.text.startswith("<b>120 км — в 2026 году</b>")
    # The title links to the article; & in the URL is escaped for Telegram.
    assert (
        'Источник: <a href="https://example.com/velo?a=1&amp;b=2">'
        "В Алматы построят новые велодорожки</a>, 1 февраля 2026"
    ) in answer.text
    parse_html(answer.text)


async def test_two_reloads_at_once_do_not_interleave(
    chat: ChatDriver, library: Library, articles_dir: Path, admin_id: int
) -> None:
    before = library.index.generation
    (articles_dir / "010_velo.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    first, second = await asyncio.gather(
        chat.send("/reload", user_id=admin_id), chat.send("/reload", user_id=admin_id)
    )
    # Whichever ran first added the article; the other then found nothing new.
    texts = sorted(reply.text for reply in chat.session.sent())
    assert len(texts) == 2
    assert sum("добавлено 1" in text for text in texts) == 1
    assert sum("Изменений нет (статей: 4" in text for text in texts) == 1
    assert library.index.generation == before + 1


async def test_reload_by_non_admin_is_refused_and_changes_nothing(
    chat: ChatDriver, library: Library, store: FactStore, articles_dir: Path
) -> None:
    before = library.index.generation
    (articles_dir / "010_velo.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    [reply] = await chat.send("/reload", user_id=USER_ID)
    assert reply.text == "Эта команда только для администраторов."
    assert library.index.generation == before
    assert await store.generation() == before
    assert len(await store.articles()) == 3


async def test_reload_failure_keeps_the_old_index(
    chat: ChatDriver, library: Library, articles_dir: Path, admin_id: int
) -> None:
    before = library.index
    for path in articles_dir.iterdir():
        path.unlink()
    articles_dir.rmdir()  # the folder is gone: the store cannot rebuild at all
    [reply] = await chat.send("/reload", user_id=admin_id)
    assert reply.text.startswith("Не удалось обновить: ")
    assert reply.text.endswith(". Работает прежняя версия.")
    assert library.index is before
    [answer] = await chat.send(TOURISTS)
    assert answer.text.startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")


async def test_sticker_gets_a_hint(chat: ChatDriver) -> None:
    [reply] = await chat.send_sticker()
    assert reply.text == (
        "Я понимаю только текст. Напишите вопрос словами, например: "
        "«Сколько туристов приехало в Алматы в 2025 году?»"
    )


async def test_very_long_text_gets_a_clear_reply(chat: ChatDriver) -> None:
    [reply] = await chat.send("туризм " * 1428 + "ок")  # 10,000 characters
    assert reply.text == ("Вопрос слишком длинный: сформулируйте его короче (до 500 символов).")


async def test_whitespace_only_text_gets_a_clear_reply(chat: ChatDriver) -> None:
    [reply] = await chat.send("   \n\t ")
    assert reply.text.startswith("Напишите вопрос словами")


async def test_html_looking_text_is_escaped(chat: ChatDriver) -> None:
    [reply] = await chat.send("<b>x</b> & <script>")
    assert "<script>" not in reply.text
    parse_html(reply.text)
    [reply] = await chat.send("<b>Сколько туристов</b> приехало в Алматы в 2025 году? & <script>")
    assert "<script>" not in reply.text
    parse_html(reply.text)


async def test_unknown_command_is_not_a_question(chat: ChatDriver) -> None:
    [reply] = await chat.send("/weather")
    assert reply.text.startswith("Такой команды нет.")


async def test_subscription_commands_with_nothing_to_show_or_no_subscriptions_store(
    chat: ChatDriver, dispatcher: Dispatcher
) -> None:
    for command in ("/subscriptions", "/unsubscribe"):
        [reply] = await chat.send(command)
        assert reply.text == NO_SUBSCRIPTIONS, command
    # Without the subscriptions service (a bot wired without it) every command says so.
    del dispatcher["subscriptions"]
    for command in ("/subscribe", "/subscriptions", "/unsubscribe"):
        [reply] = await chat.send(command)
        assert reply.text == SUBSCRIPTIONS_UNAVAILABLE, command


async def test_one_user_is_throttled_while_another_is_served(
    make_dispatcher: Callable[..., Dispatcher],
    settings: Settings,
    library: Library,
    store: FactStore,
    recording_bot: Bot,
    session: RecordingSession,
) -> None:
    settings = settings.model_copy(update={"throttle_messages": 3, "throttle_seconds": 60.0})
    chat = ChatDriver(make_dispatcher(settings, library, store), recording_bot, session)
    replies = [await chat.send(TOURISTS, user_id=USER_ID) for _ in range(6)]
    assert [len(r) for r in replies] == [1, 1, 1, 1, 0, 0]
    assert all(
        r[0].text.startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
        for r in replies[:3]
    )
    assert replies[3][0].text == (
        "Слишком много сообщений подряд. Подождите немного — и я снова отвечу."
    )
    [other] = await chat.send(TOURISTS, user_id=OTHER_USER_ID)
    assert other.text.startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")


async def test_forged_callback_data_is_handled(
    chat: ChatDriver, session: RecordingSession
) -> None:
    [start] = await chat.send("/start")
    message = chat.last_message()
    for data in ("ex:99", "ex:-1", "ex:abc", "sg:0", "sg:7", "garbage", "ex:0:1", "x" * 64):
        mark = len(session.calls)
        assert await chat.press(data, message) == [], data
        [ack] = callback_answers(session, mark)
        assert ack.text == "Эта кнопка устарела. Напишите вопрос текстом.", data
    # No message at all (too old): still handled politely.
    mark = len(session.calls)
    assert await chat.press("sg:0", None) == []
    assert len(callback_answers(session, mark)) == 1


async def test_suggestion_button_survives_a_restart_via_its_label(
    make_dispatcher: Callable[..., Dispatcher],
    chat: ChatDriver,
    settings: Settings,
    library: Library,
    store: FactStore,
    recording_bot: Bot,
    session: RecordingSession,
) -> None:
    [reply] = await chat.send(WEATHER)
    message = chat.last_message()
    first = library.ask(WEATHER).suggestions[0]
    # A fresh dispatcher has forgotten which questions were suggested.
    fresh = ChatDriver(make_dispatcher(settings, library, store), recording_bot, session)
    [answer] = await fresh.press("sg:0", message)
    assert answer.text == render_answer(library.ask(first))[0]


async def test_commands_menu_public_and_for_admins(
    recording_bot: Bot, session: RecordingSession, admin_id: int
) -> None:
    await set_commands(recording_bot, {admin_id})
    calls = [c.method for c in session.calls if isinstance(c.method, SetMyCommands)]
    assert len(calls) == 2
    public, admin = calls
    assert isinstance(public.scope, BotCommandScopeDefault)
    assert [c.command for c in public.commands] == [
        "start",
        "help",
        "topics",
        "sources",
        "subscribe",
        "subscriptions",
        "unsubscribe",
    ]
    assert public.commands[0].description == "Что я знаю и примеры вопросов"
    assert isinstance(admin.scope, BotCommandScopeChat) and admin.scope.chat_id == admin_id
    assert [c.command for c in admin.commands] == [
        "start",
        "help",
        "topics",
        "sources",
        "subscribe",
        "subscriptions",
        "unsubscribe",
        "reload",
        "add",
        "unanswered",
        "stats",
    ]


async def test_handler_crash_gets_an_apology(
    chat: ChatDriver, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(question: str) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(library, "ask", broken)
    [reply] = await chat.send(TOURISTS)
    assert reply.text == "Что-то пошло не так. Попробуйте ещё раз чуть позже."


async def test_recording_session_returns_plausible_messages(
    recording_bot: Bot, session: RecordingSession
) -> None:
    sent = await recording_bot.send_message(chat_id=5, text="<b>1 &amp; 2</b>")
    assert (sent.chat.id, sent.text) == (5, "1 & 2")
    assert sent.from_user is not None and sent.from_user.is_bot
    again = await recording_bot.send_message(chat_id=5, text="x", parse_mode=None)
    assert again.message_id == sent.message_id + 1 and again.text == "x"
    assert session.methods() == ["sendMessage", "sendMessage"]
