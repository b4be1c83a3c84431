"""Settings from the environment or `.env`: one class, validated once at start-up."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from knowledge import DEFAULT_DATABASE_URL

# What @BotFather hands out: "<bot id>:<secret>".
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# What Telegram accepts as a webhook's secret_token.
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The settings that are addresses (and the webhook's path): the pattern each must match, and
# the error that says what it should look like.
_ADDRESSES = {
    "telegram_api_base": (r"^https?://[^/\s]+", "нужен адрес вида http://host:port"),
    "redis_url": (r"^(redis|rediss|unix)://\S+$", "нужен адрес вида redis://host:6379/0"),
    "webhook_url": (r"^https?://[^/\s]+\S*$", "нужен адрес вида https://bot.example.com/telegram"),
    "webhook_path": (r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$", "нужен путь вида /telegram"),
}


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
    # Salt for the journal's hashes of user ids; without it, a random one kept in the database.
    journal_salt: SecretStr | None = None
    # Scaling out (README: "Scaling out"): shared Redis, the generation watch, webhook mode.
    redis_url: str | None = None
    # The start of every Redis key and channel: deployments sharing one Redis differ here.
    redis_prefix: str = Field(default="citybot", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    watch_interval: float = Field(default=2.0, gt=0)
    webhook_url: str | None = None
    # validate_default: a missing secret is checked too (it is required with WEBHOOK_URL).
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "0.0.0.0:8080"
    webhook_path: str = "/telegram"
    # Broadcasts to subscribers (README: "Subscriptions"): messages a second in all, and the
    # least seconds between two messages to one chat (Telegram: ~30/s, 1/s per chat).
    broadcast_rate: float = Field(default=30.0, gt=0, le=30)
    broadcast_chat_interval: float = Field(default=1.0, ge=1.0)
    # Where charts for inline mode are uploaded once to get a file id (default: first admin).
    chart_chat_id: int | None = None

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

    @field_validator(*_ADDRESSES)
    @classmethod
    def _check_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if info.field_name == "telegram_api_base":
            value = value.rstrip("/")  # aiogram adds "/bot<token>/<method>" after it
        pattern, hint = _ADDRESSES[str(info.field_name)]
        if not re.match(pattern, value):
            raise ValueError(hint)
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("один из DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_scheme(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Telegram calls only https:// webhooks; a local Bot API server accepts http:// too.
        # (After _check_address: the value is stripped and an address.)
        if (
            value is not None
            and value.startswith("http://")
            and not info.data.get("telegram_api_base")
        ):
            raise ValueError("Telegram принимает только адреса https://")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        # Never echo the value (like the token).
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError("нужен, когда задан WEBHOOK_URL (1–256 символов A-Z a-z 0-9 _ -)")
            return None
        if not _SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("нужно 1–256 символов из A-Z a-z 0-9 _ -")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        value = value.strip()
        _split_host_port(value)  # raises ValueError with the reason
        return value

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        """WEBHOOK_LISTEN as (host, port); "[::]:8080" gives ("::", 8080)."""
        return _split_host_port(self.webhook_listen)

    @property
    def journal_salt_value(self) -> str | None:
        """JOURNAL_SALT as a plain string, or None (then the journal keeps its own)."""
        return self.journal_salt.get_secret_value() if self.journal_salt else None

    @property
    def token(self) -> str | None:
        """The token as a plain string (keep it out of logs: see bot.logs)."""
        return self.bot_token.get_secret_value() if self.bot_token else None


def _split_host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError("нужно host:port, например 0.0.0.0:8080")
    return host.removeprefix("[").removesuffix("]"), int(port)


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
