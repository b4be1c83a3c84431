"""Any text is a question; buttons ask their question; everything else gets a hint."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace

from aiogram import Bot, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text

from knowledge import Answer, FactIndex, Journal, Match, change_question, series_for
from knowledge.journal import MAX_FACT_IDS
from knowledge.library import Library

from ..callbacks import ExampleCallback, SuggestionCallback
from ..filters import AddressedToMe, HasText, IsSlashCommand, NotForAnotherBot, question_text
from ..messages import NO_OTHER_DATA
from ..render import (
    DID_YOU_MEAN,
    EXAMPLE_QUESTIONS,
    MAX_BUTTON_CHARS,
    MAX_MESSAGE_CHARS,
    SMALL_TALK,
    answer_keyboard,
    render_answer,
    render_choices,
)
from ..suggestions import SuggestionMemory
from .charts import send_chart
from .start import pick_examples

router = Router(name=__name__)
logger = logging.getLogger(__name__)

NOT_TEXT_HINT = "Я понимаю только текст. Напишите вопрос словами, например: «{example}»"
UNKNOWN_COMMAND = (
    "Такой команды нет. Команды: /start, /help, /topics, /sources — или просто задайте вопрос."
)
STALE_BUTTON = "Эта кнопка устарела. Напишите вопрос текстом."
# Two facts whose scores are this close (a share of the higher) are a toss-up: ask.
DID_YOU_MEAN_MARGIN = 0.10


async def reply_to_question(
    bot: Bot,
    chat_id: int,
    question: str,
    library: Library,
    suggestions: SuggestionMemory,
    journal: Journal | None = None,
    user_id: int | None = None,
) -> Message:
    """Show "typing…", answer from the library, remember the suggestions behind the buttons.

    With a journal, the question is recorded; a found answer then carries 👍/👎, and when the
    matcher cannot tell two facts apart the person is asked which one they meant.
    """
    # The typing indicator is a courtesy: never let it stop the answer.
    with suppress(TelegramAPIError):
        await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
    over_time = change_question(question) is not None
    series = None
    if over_time:
        # «Как менялось число туристов?»: a chart when the articles give two periods or more.
        answer, series = series_for(library.index, question)
        answer = replace(answer, question=question) if answer.found else library.ask(question)
    else:
        answer = library.ask(question)
    pair = None if over_time else unsure_between(answer)
    record_id = None
    if journal is not None and answer.problem is None:
        record_id = await record_answer(
            journal, user_id if user_id is not None else chat_id, answer, library.index, pair
        )
    if series is not None:
        return await send_chart(bot, chat_id, series)
    if pair is not None and record_id is not None:
        text, choices = render_choices(DID_YOU_MEAN, record_id, list(enumerate(pair)))
        return await bot.send_message(chat_id=chat_id, text=text, reply_markup=choices)
    # A greeting or «что ты умеешь?» offers example questions the library answers.
    offered = pick_examples(library) if answer.problem in SMALL_TALK else ()
    text, markup = render_answer(answer, examples=offered)
    if over_time and answer.found:
        other = Text(NO_OTHER_DATA).as_html()
        if len(text) + 1 + len(other) <= MAX_MESSAGE_CHARS:
            text = f"{text}\n{other}"
    if answer.found and markup is None and record_id is not None:
        markup = answer_keyboard(record_id, chart=has_chart(library, answer))
    sent = await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
    if answer.suggestions and markup is not None:
        suggestions.remember(chat_id, sent.message_id, answer.suggestions)
    return sent


def has_chart(library: Library, answer: Answer) -> bool:
    """Does the answer show «Ранее» figures that make a chart (two periods or more)?"""
    if not answer.earlier or answer.digest:
        return False
    return series_for(library.index, answer.question)[1] is not None


def unsure_between(
    answer: Answer, margin: float = DID_YOU_MEAN_MARGIN
) -> tuple[Match, Match] | None:
    """The best two facts, when the matcher cannot tell them apart: their scores are within
    `margin` of each other, and they say different things (different figures, and the second
    is not just an older figure for the same thing, shown as «Ранее»)."""
    if not answer.found or answer.digest or len(answer.matches) < 2:
        return None
    first, second = answer.matches[0], answer.matches[1]
    high = max(first.score, second.score)
    low = min(first.score, second.score)
    if high <= 0 or low < high * (1 - margin):
        return None
    if first.fact.id == second.fact.id or first.fact.text == second.fact.text:
        return None
    if _label(first) == _label(second):
        return None
    if any(earlier.fact.id == second.fact.id for earlier in answer.earlier):
        return None
    return first, second


def _label(match: Match) -> str | None:
    return match.figure.label if match.figure is not None else None


async def record_answer(
    journal: Journal,
    user_id: int,
    answer: Answer,
    index: FactIndex,
    pair: tuple[Match, Match] | None = None,
) -> int | None:
    """Journal the question; the record id, or None if the journal failed (logged: the
    journal must never stop an answer)."""
    fact_ids: list[str] = []
    topic = None
    if answer.found and answer.matches:
        topic = index.topic_of(answer.matches[0].fact)
        fact_ids = offered_facts(index, answer, pair)
    try:
        return await journal.record_question(
            user_id, answer.question, found=answer.found, topic=topic, fact_ids=fact_ids
        )
    except Exception:
        logger.exception("Could not journal a question")
        return None


def offered_facts(
    index: FactIndex, answer: Answer, pair: tuple[Match, Match] | None = None
) -> list[str]:
    """The facts behind the answer's buttons, best first: the answer (or the two it could
    not tell apart), then the next-best ones for 👎 — confident matches first (the answer's
    own, already ranked by `ask`), then weaker candidates (rank without the threshold, only
    when those are too few)."""
    ids = [m.fact.id for m in pair] if pair else [answer.matches[0].fact.id]

    def add(matches: Sequence[Match]) -> None:
        for match in matches:
            if len(ids) < MAX_FACT_IDS and match.fact.id not in ids:
                ids.append(match.fact.id)

    add(answer.matches[:MAX_FACT_IDS])
    if len(ids) < MAX_FACT_IDS:
        add(index.rank(answer.question, limit=MAX_FACT_IDS + 1, threshold=False))
    return ids


@router.message(IsSlashCommand())
async def unknown_command(message: Message, bot: Bot) -> None:
    """Commands other routers did not take («/start@other_bot» is another bot's: ignored)."""
    if await NotForAnotherBot()(message, bot):
        await message.answer(Text(UNKNOWN_COMMAND).as_html())


@router.message(HasText(), AddressedToMe())
async def question(
    message: Message,
    bot: Bot,
    library: Library,
    suggestions: SuggestionMemory,
    journal: Journal | None = None,
) -> None:
    """Any text is a question (in a group, one addressed to the bot)."""
    user_id = message.from_user.id if message.from_user else message.chat.id
    text = message.text or ""
    # getMe is asked once (aiogram caches it), and only when there may be a mention to strip.
    username = (await bot.me()).username if "@" in text else None
    text = question_text(text, username)
    await reply_to_question(bot, message.chat.id, text, library, suggestions, journal, user_id)


@router.message(AddressedToMe())
async def not_text(message: Message) -> None:
    """Stickers, photos, voice, documents…: ask for words."""
    await message.answer(Text(NOT_TEXT_HINT.format(example=EXAMPLE_QUESTIONS[0])).as_html())


@router.callback_query(ExampleCallback.filter())
async def press_example(
    callback: CallbackQuery,
    callback_data: ExampleCallback,
    bot: Bot,
    library: Library,
    suggestions: SuggestionMemory,
    journal: Journal | None = None,
) -> None:
    """An example button from /start: ask that question."""
    if not 0 <= callback_data.index < len(EXAMPLE_QUESTIONS):
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    question = EXAMPLE_QUESTIONS[callback_data.index]
    await reply_to_question(
        bot, chat_id, question, library, suggestions, journal, callback.from_user.id
    )


@router.callback_query(SuggestionCallback.filter())
async def press_suggestion(
    callback: CallbackQuery,
    callback_data: SuggestionCallback,
    bot: Bot,
    library: Library,
    suggestions: SuggestionMemory,
    journal: Journal | None = None,
) -> None:
    """A suggestion under "not found": ask it, if the button really is one we sent."""
    question = _suggested_question(callback, callback_data.index, suggestions)
    if question is None:
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    await reply_to_question(
        bot, chat_id, question, library, suggestions, journal, callback.from_user.id
    )


def _suggested_question(
    callback: CallbackQuery, index: int, suggestions: SuggestionMemory
) -> str | None:
    message = callback.message
    if message is None:
        return None
    remembered = suggestions.question(message.chat.id, message.message_id, index)
    if remembered is not None:
        return remembered
    # Forgotten (restart, or pushed out of memory): the label is the question unless it was
    # cut; accept it only if the button at that index carries exactly the pressed data.
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    buttons = [button for row in markup.inline_keyboard for button in row]
    if not 0 <= index < len(buttons):
        return None
    button = buttons[index]
    if button.callback_data != callback.data or button.text.endswith("…"):
        return None
    if len(button.text) > MAX_BUTTON_CHARS:
        return None
    return button.text


@router.callback_query()
async def unknown_button(callback: CallbackQuery) -> None:
    """Callback data we do not recognise (old or forged)."""
    await callback.answer(STALE_BUTTON)
