"""Custom filters."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject

from knowledge import clean_text

from .config import Settings


class IsAdmin(Filter):
    """Passes when the sender's Telegram id is in ADMIN_IDS (settings come from handler
    kwargs) and the chat is the private one with the bot: in a group, what an admin command
    shows (residents' questions) or does (publish a file) would reach everyone there."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and user.id in settings.admin_ids and _private(event)


def _private(event: Message | CallbackQuery) -> bool:
    message = event if isinstance(event, Message) else event.message
    return message is not None and message.chat.type == ChatType.PRIVATE


def is_admin_elsewhere(message: Message, settings: Settings) -> bool:
    """An admin writing outside the private chat (a group): refused, but told why."""
    user = message.from_user
    return user is not None and user.id in settings.admin_ids and not _private(message)


class AddressedToMe(Filter):
    """Every message in a private chat; in a group, only one addressed to the bot: that
    mentions it (@username), or replies to one of its messages. (Commands have their own
    handlers; `NotForAnotherBot` keeps out those addressed to another bot.) With privacy
    mode off a bot sees every message of a group, and must not answer them all."""

    async def __call__(self, message: Message, bot: Bot) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        me = await bot.me()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
            return True
        text = message.text or message.caption or ""
        return bool(me.username) and f"@{me.username}".casefold() in text.casefold()


class NotForAnotherBot(Filter):
    """False for «/start@other_bot» in a group: a command addressed to another bot there.
    (In the private chat every message is for this bot: it says the command is unknown.)"""

    async def __call__(self, message: Message, bot: Bot) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        command = (message.text or message.caption or "").split(maxsplit=1)
        _, _, mention = command[0].partition("@") if command else ("", "", "")
        if not mention:
            return True
        username = (await bot.me()).username
        return username is not None and mention.casefold() == username.casefold()


class ServiceMissing(Filter):
    """Passes when the service `name` is not among the handler kwargs (the Dispatcher's
    workflow data) or is None: one handler says it is unavailable, so the handlers after it
    can count on the service."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def __call__(self, event: TelegramObject, **data: Any) -> bool:
        return data.get(self.name) is None


def question_text(text: str, username: str | None) -> str:
    """A question as typed, cleaned at the boundary (zero-width characters, NUL, lone
    surrogates: knowledge.text.clean_text) and without a leading or trailing @mention of
    the bot («@city_bot Сколько туристов…?», «…, @city_bot»)."""
    text = clean_text(text)
    if username:
        name = re.escape(username)
        text = re.sub(rf"^\s*@{name}(?!\w)[\s,:;.!-]*", "", text, flags=re.IGNORECASE)
        text = re.sub(rf"[\s,]*@{name}(?!\w)[\s.!]*$", "", text, flags=re.IGNORECASE)
    return text


# aiogram runs a filter that is not a coroutine function (a magic filter such as `F.text`)
# in a worker thread: a thread hop per handler tried. These do the same checks in the loop.


class HasText(Filter):
    """A message with non-empty text (what `F.text` passes)."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.text)


class IsSlashCommand(Filter):
    """Text that starts with "/" (what `F.text.startswith("/")` passes)."""

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and message.text.startswith("/")


class HasDocument(Filter):
    """A message with a file (what `F.document` passes)."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.document)
