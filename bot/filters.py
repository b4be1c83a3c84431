"""Custom filters."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from .config import Settings


class IsAdmin(Filter):
    """Passes when the sender's Telegram id is in ADMIN_IDS (settings come from handler kwargs)."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and user.id in settings.admin_ids
