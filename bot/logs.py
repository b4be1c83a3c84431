"""Logging to stderr with the bot token redacted from every line and traceback."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

MASK = "***"

# Anything shaped like a Bot API token, even one we were not told about (e.g. from a URL).
_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b")


class Redactor:
    """Replaces known secrets (and token-shaped strings) with ***."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and secret not in self._secrets:
            self._secrets.append(secret)
            # Longest first so that "bot<token>" is masked as one piece.
            self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            # The URL form: https://api.telegram.org/bot<token>/getMe
            text = text.replace(f"bot{secret}", f"bot{MASK}").replace(secret, MASK)
        return _TOKEN_SHAPE.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """A handler filter: the message, its args and its traceback go out redacted."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg = self.redactor(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            # Formatter uses exc_text when set: render the traceback now, redacted.
            record.exc_text = self.redactor("".join(traceback.format_exception(*record.exc_info)))
            record.exc_text = record.exc_text.rstrip("\n")
        elif record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str | None] = ()) -> Redactor:
    """Log to stderr only (stdout is for replies) and redact secrets on every root handler."""
    redactor = Redactor(secrets)
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    install_redaction(redactor)

    def excepthook(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        # An uncaught error still goes out without the token.
        sys.stderr.write(redactor("".join(traceback.format_exception(kind, error, tb))))

    sys.excepthook = excepthook
    return redactor


def install_redaction(redactor: Redactor) -> None:
    """Add the redacting filter to every root handler (once)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
