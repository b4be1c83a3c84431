"""/subscribe, /subscriptions, /unsubscribe: news on the topics a chat follows (issue 17).

The topics are those of /topics (library.index.topics()); a button subscribes or
unsubscribes and redraws the keyboard. What a reload adds reaches subscribers through the
broadcast queue (bot/outbox.py).
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text

from knowledge import Library, Subscriptions

from ..callbacks import SubscribeCallback, callback_chat_id
from ..filters import ServiceMissing
from ..messages import (
    MY_TOPICS,
    NO_SUBSCRIPTIONS,
    NO_TOPICS_TO_FOLLOW,
    SUBSCRIBE_HEADER,
    SUBSCRIBED,
    SUBSCRIPTIONS_UNAVAILABLE,
    TOPIC_GONE,
    UNSUBSCRIBED,
    UNSUBSCRIBED_ALL,
)
from ..render import subscribe_keyboard
from .topics import resolve_topic


def subscriptions_router() -> Router:
    """The router of the subscription commands and buttons."""
    router = Router(name=__name__)
    router.message.register(
        subscriptions_unavailable,
        Command("subscribe", "subscriptions", "unsubscribe"),
        ServiceMissing("subscriptions"),
    )
    router.message.register(subscribe, Command("subscribe"))
    router.message.register(my_subscriptions, Command("subscriptions"))
    router.message.register(unsubscribe_all, Command("unsubscribe"))
    router.callback_query.register(toggle_topic, SubscribeCallback.filter())
    return router


async def subscriptions_unavailable(message: Message) -> None:
    """A subscription command while the bot runs without the subscriptions service."""
    await message.answer(Text(SUBSCRIPTIONS_UNAVAILABLE).as_html())


async def subscribe(message: Message, library: Library, subscriptions: Subscriptions) -> None:
    """The topics as buttons, ✅ on those the chat follows."""
    names = list(library.index.topics())
    if not names:
        await message.answer(Text(NO_TOPICS_TO_FOLLOW).as_html())
        return
    mine = await subscriptions.topics_of(message.chat.id)
    await message.answer(
        Text(SUBSCRIBE_HEADER).as_html(), reply_markup=subscribe_keyboard(names, mine)
    )


async def toggle_topic(
    callback: CallbackQuery,
    callback_data: SubscribeCallback,
    library: Library,
    subscriptions: Subscriptions | None = None,
) -> None:
    """A topic button: subscribe or unsubscribe, say which, redraw the ✅."""
    found = resolve_topic(library.index, callback_data.index, callback_data.check)
    if subscriptions is None or found is None:
        await callback.answer(TOPIC_GONE if found is None else SUBSCRIPTIONS_UNAVAILABLE)
        return
    _, name, _ = found
    chat_id = callback_chat_id(callback)
    now = await subscriptions.toggle(chat_id, name)
    await callback.answer((SUBSCRIBED if now else UNSUBSCRIBED).format(topic=name))
    message = callback.message
    if isinstance(message, Message):
        mine = await subscriptions.topics_of(chat_id)
        markup = subscribe_keyboard(list(library.index.topics()), mine)
        with suppress(TelegramBadRequest):  # pressed twice, or too old to edit
            await message.edit_reply_markup(reply_markup=markup)


async def my_subscriptions(message: Message, subscriptions: Subscriptions) -> None:
    """The chat's topics."""
    topics = await subscriptions.topics_of(message.chat.id)
    listing = ", ".join(f"«{topic}»" for topic in topics)
    text = MY_TOPICS.format(topics=listing) if topics else NO_SUBSCRIPTIONS
    await message.answer(Text(text).as_html())


async def unsubscribe_all(message: Message, subscriptions: Subscriptions) -> None:
    """Drop every subscription of the chat."""
    count = await subscriptions.unsubscribe_all(message.chat.id)
    text = UNSUBSCRIBED_ALL.format(count=count) if count else NO_SUBSCRIPTIONS
    await message.answer(Text(text).as_html())
