"""/topics: the topics the facts cover, as buttons; a topic's newest facts, page by page."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from knowledge import Fact, FactIndex, Library

from ..callbacks import TopicCallback, TopicPageCallback, callback_chat_id, topic_check
from ..messages import TOPICS_CHANGED
from ..render import render_topic_page, render_topics, topic_pages

logger = logging.getLogger(__name__)


def topics_router() -> Router:
    """/topics and its buttons."""
    router = Router(name=__name__)
    router.message.register(topics, Command("topics"))
    router.callback_query.register(open_topic, TopicCallback.filter())
    router.callback_query.register(turn_page, TopicPageCallback.filter())
    return router


async def topics(message: Message, library: Library) -> None:
    """The topics, biggest first, each a button."""
    listing = [(name, len(facts)) for name, facts in library.index.topics().items()]
    text, markup = render_topics(listing)
    await message.answer(text, reply_markup=markup)


def resolve_topic(
    index: FactIndex, position: int, check: str
) -> tuple[int, str, list[Fact]] | None:
    """The topic a button stands for in the current index: at `position` if its name still
    has that checksum, else wherever a topic with that checksum moved (after a reload)."""
    listing = list(index.topics().items())
    if 0 <= position < len(listing) and topic_check(listing[position][0]) == check:
        return position, *listing[position]
    for number, (name, facts) in enumerate(listing):
        if topic_check(name) == check:
            return number, name, facts
    return None


async def open_topic(
    callback: CallbackQuery, callback_data: TopicCallback, bot: Bot, library: Library
) -> None:
    """A topic button: its first page, as a new message."""
    found = resolve_topic(library.index, callback_data.index, callback_data.check)
    if found is None:
        await callback.answer(TOPICS_CHANGED)
        return
    await callback.answer()
    position, name, facts = found
    text, markup = render_topic_page(position, name, facts, 0)
    chat_id = callback_chat_id(callback)
    await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)


async def turn_page(
    callback: CallbackQuery, callback_data: TopicPageCallback, bot: Bot, library: Library
) -> None:
    """«ещё» / «назад»: the same message shows another page."""
    found = resolve_topic(library.index, callback_data.index, callback_data.check)
    if found is None or not 0 <= callback_data.page < topic_pages(len(found[2])):
        await callback.answer(TOPICS_CHANGED)
        return
    await callback.answer()
    position, name, facts = found
    text, markup = render_topic_page(position, name, facts, callback_data.page)
    message = callback.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:
            if "not modified" in str(error):
                return  # pressed twice: the page is already shown
            # Too old to edit, or deleted: send the page instead.
            logger.info("Could not edit a topic page: %s", error)
    chat_id = callback_chat_id(callback)
    await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
