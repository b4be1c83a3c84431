"""The command menu Telegram shows: public commands for everyone; admins also see /reload,
/add, /unanswered and /stats."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

logger = logging.getLogger(__name__)

PUBLIC_COMMANDS = (
    BotCommand(command="start", description="Что я знаю и примеры вопросов"),
    BotCommand(command="help", description="Как задать вопрос"),
    BotCommand(command="topics", description="Факты по темам, сначала новые"),
    BotCommand(command="sources", description="Статьи, из которых я беру ответы"),
    BotCommand(command="subscribe", description="Подписаться на новости по темам"),
    BotCommand(command="subscriptions", description="Мои подписки"),
    BotCommand(command="unsubscribe", description="Отписаться от всех тем"),
)
ADMIN_COMMANDS = (
    *PUBLIC_COMMANDS,
    BotCommand(command="reload", description="Перечитать статьи (для администраторов)"),
    BotCommand(command="add", description="Добавить статью: /add и текст, или файл .txt"),
    BotCommand(command="unanswered", description="Вопросы без ответа за 30 дней"),
    BotCommand(command="stats", description="Статистика вопросов и оценок"),
)


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
