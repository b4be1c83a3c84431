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
