"""Settings from the environment or `.env`: one class, validated once at start-up."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from knowledge import DEFAULT_DATABASE_URL

# What @BotFather hands out: "<bot id>:<secret>".
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class Settings(BaseSettings):
    """Everything the bot reads from the environment (names are case-insensitive)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `BOT_TOKEN=` in .env means "not set", not "empty token"
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    # NoDecode: "1,2, 3" is not JSON, so pydantic-settings must hand us the raw string.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    articles_dir: Path = Path("seeds")
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_base: str | None = None
    log_level: str = "INFO"
    throttle_messages: int = Field(default=10, ge=1)
    throttle_seconds: float = Field(default=10.0, gt=0)

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Never echo the value: the error line must not leak a half-right token.
        if value is not None and not _TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError("ожидается токен вида 123456:ABC-DEF…, его выдаёт @BotFather")
        return SecretStr(value.get_secret_value().strip()) if value is not None else None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, int):
            return {value}
        if not isinstance(value, str):
            return value
        ids = set()
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.lstrip("-").isdigit():
                raise ValueError(f"«{part}» — не число; нужны id через запятую, например 1,2,3")
            ids.add(int(part))
        return ids

    @field_validator("telegram_api_base")
    @classmethod
    def _check_api_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("нужен адрес вида http://host:port")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("один из DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def token(self) -> str | None:
        """The token as a plain string (keep it out of logs: see bot.logs)."""
        return self.bot_token.get_secret_value() if self.bot_token else None


class ConfigError(Exception):
    """A setting is wrong; str() is the one line to show."""


def load_settings(**overrides: Any) -> Settings:
    """Read settings; raise ConfigError with one line naming the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Ошибка настройки {name}: {message}") from None
    except SettingsError as error:
        raise ConfigError(f"Ошибка настройки: {error}") from None
