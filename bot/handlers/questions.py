"""Any text is a question; buttons ask their question; everything else gets a hint."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text

from knowledge.library import Library

from ..callbacks import ExampleCallback, SuggestionCallback
from ..render import EXAMPLE_QUESTIONS, MAX_BUTTON_CHARS, render_answer
from ..suggestions import SuggestionMemory

router = Router(name=__name__)
logger = logging.getLogger(__name__)

NOT_TEXT_HINT = "Я понимаю только текст. Напишите вопрос словами, например: «{example}»"
UNKNOWN_COMMAND = (
    "Такой команды нет. Команды: /start, /help, /sources — или просто задайте вопрос."
)
STALE_BUTTON = "Эта кнопка устарела. Напишите вопрос текстом."


async def reply_to_question(
    bot: Bot, chat_id: int, question: str, library: Library, suggestions: SuggestionMemory
) -> Message:
    """Show "typing…", answer from the library, remember the suggestions behind the buttons."""
    # The typing indicator is a courtesy: never let it stop the answer.
    with suppress(TelegramAPIError):
        await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
    answer = library.ask(question)
    text, markup = render_answer(answer)
    sent = await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
    if answer.suggestions and markup is not None:
        suggestions.remember(chat_id, sent.message_id, answer.suggestions)
    return sent


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    """Commands other routers did not take."""
    await message.answer(Text(UNKNOWN_COMMAND).as_html())


@router.message(F.text)
async def question(
    message: Message, bot: Bot, library: Library, suggestions: SuggestionMemory
) -> None:
    """Any text is a question."""
    await reply_to_question(bot, message.chat.id, message.text or "", library, suggestions)


@router.message()
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
) -> None:
    """An example button from /start: ask that question."""
    if not 0 <= callback_data.index < len(EXAMPLE_QUESTIONS):
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    await reply_to_question(
        bot, chat_id, EXAMPLE_QUESTIONS[callback_data.index], library, suggestions
    )


@router.callback_query(SuggestionCallback.filter())
async def press_suggestion(
    callback: CallbackQuery,
    callback_data: SuggestionCallback,
    bot: Bot,
    library: Library,
    suggestions: SuggestionMemory,
) -> None:
    """A suggestion under "not found": ask it, if the button really is one we sent."""
    question = _suggested_question(callback, callback_data.index, suggestions)
    if question is None:
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    await reply_to_question(bot, chat_id, question, library, suggestions)


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
