"""The base of the chat drivers of test_handlers.py and test_features.py, which feed hand-made
Updates to the Dispatcher (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.recording import RecordingSession


class BaseDriver:
    """Makes the users, messages and button presses of hand-made Updates, with ids counted
    per driver; what the bot did is in the recording session."""

    def __init__(self, dp: Dispatcher, bot: Bot, session: RecordingSession) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self._ids = itertools.count(1)

    def user(self, user_id: int) -> User:
        return User(id=user_id, is_bot=False, first_name=f"User{user_id}", language_code="ru")

    def message(self, user_id: int, text: str | None = None, **content: Any) -> Message:
        return Message(
            message_id=next(self._ids),
            date=dt.datetime.now(dt.UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=self.user(user_id),
            text=text,
            **content,
        )

    def callback_query(self, data: str, message: Message | None, user_id: int) -> CallbackQuery:
        """`user_id` pressing the button with callback `data` under the bot's `message`."""
        return CallbackQuery(
            id=str(next(self._ids)),
            from_user=self.user(user_id),
            chat_instance=f"ci{user_id}",
            message=message,
            data=data,
        )
