"""Admin-only commands; the router-level filter keeps everyone else out."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.formatting import Bold, Text

from knowledge import BuildError, FactStore
from knowledge.library import Library

from ..filters import IsAdmin
from ..render import fit_lines, plural

router = Router(name=__name__)
router.message.filter(IsAdmin())
logger = logging.getLogger(__name__)

RELOAD_FAILED = "Не удалось обновить: {reason}. Работает прежняя версия."


@router.message(Command("reload"))
async def reload(message: Message, bot: Bot, library: Library, store: FactStore) -> None:
    """Re-read the articles folder and report what changed."""
    with suppress(TelegramAPIError):
        await bot.send_chat_action(chat_id=message.chat.id, action=ChatAction.TYPING)
    user_id = message.from_user.id if message.from_user else None
    logger.info("Reload requested by admin %s", user_id)
    try:
        report = await library.reload()
    except BuildError as error:
        logger.warning("Reload failed: %s", error)
        reason = str(error).rstrip(".") or "неизвестная ошибка"
        await message.answer(Text(RELOAD_FAILED.format(reason=reason)).as_html())
        return
    except Exception:
        # Whatever broke, the old index is still the one serving: say so.
        logger.exception("Reload crashed")
        reason = "внутренняя ошибка, подробности в журнале"
        await message.answer(Text(RELOAD_FAILED.format(reason=reason)).as_html())
        return
    articles = await store.articles()
    facts = len(library.index.facts)
    total = Text(
        "Сейчас в базе: ",
        Bold(plural(len(articles), ("статья", "статьи", "статей"))),
        ", ",
        Bold(plural(facts, ("факт", "факта", "фактов"))),
        ".",
    )
    await message.answer(fit_lines(Bold("Статьи перечитаны."), report.summary(), total))
