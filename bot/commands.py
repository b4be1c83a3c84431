"""The command menu Telegram shows: public commands for everyone; admins also see /reload,
/add, /unanswered and /stats."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from .messages import ADMIN_MENU, PUBLIC_MENU

logger = logging.getLogger(__name__)


def _commands(menu: dict[str, str]) -> tuple[BotCommand, ...]:
    """The menu's commands and descriptions as BotCommands, in order."""
    return tuple(BotCommand(command=name, description=text) for name, text in menu.items())


PUBLIC_COMMANDS = _commands(PUBLIC_MENU)
ADMIN_COMMANDS = PUBLIC_COMMANDS + _commands(ADMIN_MENU)


async def set_commands(bot: Bot, admin_ids: Iterable[int]) -> None:
    """Public menu for everyone; each admin's private chat also lists the admin commands."""
    await bot.set_my_commands(list(PUBLIC_COMMANDS), scope=BotCommandScopeDefault())
    for admin_id in sorted(admin_ids):
        try:
            await bot.set_my_commands(
                list(ADMIN_COMMANDS), scope=BotCommandScopeChat(chat_id=admin_id)
            )
        except TelegramAPIError as error:
            # Telegram refuses chats it has not seen yet (the admin never wrote to the bot).
            logger.warning("Admin menu not set for %s: %s", admin_id, error)
