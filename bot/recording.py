"""A Bot API session that never leaves the process: it records each call and makes up a
plausible result. The console chat and the tests drive the real Dispatcher through it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    GetUpdates,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from pydantic import ValidationError

from .render import html_to_text

BOT_USER = {"id": 42, "is_bot": True, "first_name": "Citybot", "username": "citybot"}
OFFLINE_TOKEN = "42:OFFLINE-CONSOLE"


@dataclass(frozen=True)
class Call:
    method: TelegramMethod[Any]
    result: Any


class RecordingSession(BaseSession):
    """Records every request in `calls`; SendMessage & co. return made-up Messages.

    Files put in with `add_file` can be fetched like Telegram's: getFile, then the download.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self._message_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)

    def add_file(self, content: bytes) -> str:
        """Make `content` downloadable; returns its file_id (for a Document in an Update)."""
        number = len(self._files) + 1
        file_id = f"offline-file-{number}"
        self._files[file_id] = (f"documents/file_{number}.txt", content)
        return file_id

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        raw = self._raw_result(bot, method)
        try:
            response = Response[method.__returning__].model_validate(  # type: ignore[name-defined]
                {"ok": True, "result": raw}, context={"bot": bot}
            )
        except ValidationError as error:
            raise TelegramAPIError(method, f"not available offline: {error}") from None
        self.calls.append(Call(method, response.result))
        return response.result  # type: ignore[return-value]

    def sent(self, since: int = 0) -> list[SendMessage]:
        """SendMessage requests recorded from position `since` on."""
        return [c.method for c in self.calls[since:] if isinstance(c.method, SendMessage)]

    def methods(self, since: int = 0) -> list[str]:
        """API method names from position `since` on, e.g. ["sendChatAction", "sendMessage"]."""
        return [c.method.__api_method__ for c in self.calls[since:]]

    def _raw_result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, GetUpdates):
            return []
        if isinstance(method, SendMessage):
            return self._message(bot, method.chat_id, method.text, method, method.reply_markup)
        if isinstance(method, SendPhoto):
            number = next(self._message_ids)
            message = self._message(
                bot, method.chat_id, method.caption or "", method, method.reply_markup, number
            )
            caption = message.pop("text")
            message["photo"] = [
                {
                    "file_id": f"offline-photo-{number}",
                    "file_unique_id": f"offline-photo-{number}",
                    "width": 1000,
                    "height": 600,
                }
            ]
            if caption:
                message["caption"] = caption
            return message
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            if method.inline_message_id is not None or method.chat_id is None:
                return True
            text = getattr(method, "text", None) or ""
            return self._message(
                bot, method.chat_id, text, method, method.reply_markup, method.message_id
            )
        if isinstance(method, GetFile):
            if method.file_id not in self._files:
                raise TelegramBadRequest(method, "Bad Request: invalid file_id")
            path, content = self._files[method.file_id]
            return {
                "file_id": method.file_id,
                "file_unique_id": method.file_id,
                "file_size": len(content),
                "file_path": path,
            }
        return True  # setMyCommands, sendChatAction, answerCallbackQuery, deleteWebhook…

    def _message(
        self,
        bot: Bot,
        chat_id: int | str,
        text: str,
        method: Any,
        markup: Any,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        parse_mode = getattr(method, "parse_mode", None)
        if isinstance(parse_mode, Default):
            parse_mode = bot.default[parse_mode.name]
        message: dict[str, Any] = {
            # An edited message keeps its id.
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "date": int(dt.datetime.now(dt.UTC).timestamp()),
            "chat": {"id": int(chat_id), "type": "private"},
            "from": BOT_USER,
            # Telegram stores the text with the markup parsed out.
            "text": html_to_text(text) if parse_mode == "HTML" else text,
        }
        if markup is not None:
            message["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
        return message

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """The content of a file put in with `add_file`, by its download URL."""
        for path, content in self._files.values():
            if url.endswith("/" + path):
                for start in range(0, len(content), chunk_size):
                    yield content[start : start + chunk_size]
                return
        raise TelegramAPIError(GetMe(), "no such file offline")
