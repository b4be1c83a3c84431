"""`python -m bot`: poll Telegram (BOT_TOKEN set) or chat in the console; `ask` answers once."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .config import ConfigError, load_settings
from .logs import setup_logging

NO_TOKEN_LINE = "BOT_TOKEN не задан — запускаю чат в консоли (выход: Ctrl+D)."
CONSOLE_LINE = "Чат в консоли (выход: Ctrl+D)."

logger = logging.getLogger("bot")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Бот, который отвечает на вопросы о планах Алматы по новостным статьям.",
    )
    parser.add_argument(
        "--admin", action="store_true", help="в консольном чате: действовать как администратор"
    )
    parser.add_argument(
        "--console", action="store_true", help="консольный чат, даже если BOT_TOKEN задан"
    )
    commands = parser.add_subparsers(dest="command")
    ask = commands.add_parser("ask", help="ответить на вопрос и выйти")
    ask.add_argument("--json", action="store_true", help="вопросы построчно из stdin → JSON")
    ask.add_argument("question", nargs="*", help="вопрос")
    args = parser.parse_args(argv)
    if args.command == "ask" and not args.json and not args.question:
        parser.error('ask: нужен вопрос, например: python -m bot ask "Сколько туристов…?"')
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    console = args.command == "ask" or args.console or settings.bot_token is None
    level = settings.log_level
    if console and "log_level" not in settings.model_fields_set:
        # A person reads this terminal: only warnings, unless LOG_LEVEL asks for more.
        level = "WARNING"
    setup_logging(level, [settings.token])
    if console and args.command != "ask":
        # Said first: the imports below take a few seconds.
        print(NO_TOKEN_LINE if settings.bot_token is None else CONSOLE_LINE, flush=True)
    # Imported only now: aiogram takes seconds to import, --help and bad settings should not.
    from knowledge import BuildError

    from .app import run_polling
    from .console import run_ask, run_console

    try:
        if args.command == "ask":
            question = " ".join(args.question)
            return asyncio.run(run_ask(settings, question, as_json=args.json))
        if console:
            # "Update id=… is handled" lines would only clutter the chat.
            logging.getLogger("aiogram.event").setLevel(logging.WARNING)
            return asyncio.run(run_console(settings, admin=args.admin))
        return asyncio.run(run_polling(settings))
    except KeyboardInterrupt:
        return 0
    except BuildError as error:
        logger.error("Не удалось загрузить статьи: %s", error)
        return 1
    except Exception:
        logger.exception("Бот остановлен из-за ошибки")  # the filter redacts the token
        return 1


if __name__ == "__main__":
    sys.exit(main())
