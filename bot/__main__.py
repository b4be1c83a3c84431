"""`python -m bot`: poll Telegram (BOT_TOKEN set), or serve its webhook (WEBHOOK_URL set too),
or chat in the console; `ask` answers once; `bench` times updates through the Dispatcher."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
from pathlib import Path

from .config import ConfigError, load_settings
from .logs import setup_logging
from .messages import CONSOLE_HINT, CONSOLE_LINE, NO_INPUT_LINE, NO_TOKEN_LINE, WEBHOOK_NEEDS

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
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="только режим вебхука: без BOT_TOKEN и WEBHOOK_URL — ошибка, а не опрос или чат",
    )
    commands = parser.add_subparsers(dest="command")
    ask = commands.add_parser("ask", help="ответить на вопрос и выйти")
    ask.add_argument("--json", action="store_true", help="вопросы построчно из stdin → JSON")
    ask.add_argument("question", nargs="*", help="вопрос")
    bench = commands.add_parser(
        "bench", help="обновлений в секунду через Dispatcher, без сети (bot/bench.py)"
    )
    bench.add_argument("--updates", type=int, default=2000, help="сколько обновлений замерить")
    bench.add_argument("--facts", type=int, default=None, help="синтетический корпус из N фактов")
    bench.add_argument("--concurrency", type=int, default=1, help="ещё и по K обновлений сразу")
    bench.add_argument("--json", action="store_true", help="один объект JSON")
    bench.add_argument("--profile", action="store_true", help="профиль (pyinstrument)")
    bench.add_argument("--all-cores", action="store_true", help="не привязывать к одному ядру")
    bench.add_argument("--no-journal", action="store_true", help="без журнала вопросов")
    bench.add_argument("--seeds", type=Path, default=None, help="статьи (по умолчанию seeds/)")
    bench.add_argument(
        "--broadcast",
        type=int,
        default=0,
        metavar="N",
        help="вместо обновлений: рассылка N подписчикам и скорость отправки",
    )
    bench.add_argument(
        "--reloads", type=int, default=2, help="с --broadcast: сколько статей добавить (1 или 2)"
    )
    args = parser.parse_args(argv)
    if args.command == "ask" and not args.json and not args.question:
        parser.error('ask: нужен вопрос, например: python -m bot ask "Сколько туристов…?"')
    facts = 1 if args.command != "bench" or args.facts is None else args.facts
    if args.command == "bench" and min(args.updates, args.concurrency, facts) < 1:
        parser.error("bench: --updates, --facts и --concurrency должны быть больше нуля")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = parse_args(argv)
    if args.command == "bench":
        # Its own settings (a temporary store, production defaults): .env plays no part.
        from .bench import run_command

        return run_command(args)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    if args.webhook and args.command is None and not args.console:
        # A replica behind a load balancer must never fall back to polling (it would delete
        # the webhook) or to the console chat.
        for name in ("bot_token", "webhook_url"):
            if getattr(settings, name) is None:
                print(WEBHOOK_NEEDS.format(name=name.upper()), file=sys.stderr)
                return 2
    console = args.command == "ask" or args.console or settings.bot_token is None
    level = settings.log_level
    if console and "log_level" not in settings.model_fields_set:
        # A person reads this terminal: only warnings, unless LOG_LEVEL asks for more.
        level = "WARNING"
    secrets = [settings.token]
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if len(webhook_secret) >= 8:  # a shorter one would mask ordinary words in the logs
        secrets.append(webhook_secret)
    setup_logging(level, secrets)
    if console and args.command != "ask" and not args.console and not has_input(sys.stdin):
        # A container without a terminal and without BOT_TOKEN: the chat would read end of
        # input at once and exit 0, and a restart policy would start it again and again.
        print(NO_INPUT_LINE, file=sys.stderr)
        return 2
    if console and args.command != "ask":
        # Said first: the imports below take a few seconds.
        print(NO_TOKEN_LINE if settings.bot_token is None else CONSOLE_LINE, flush=True)
        print(CONSOLE_HINT, flush=True)
    # Imported only now: aiogram takes seconds to import, --help and bad settings should not.
    from knowledge import BuildError

    from .app import run_polling
    from .console import run_ask, run_console
    from .webhook import run_webhook

    try:
        if args.command == "ask":
            question = " ".join(args.question)
            return asyncio.run(run_ask(settings, question, as_json=args.json))
        if console:
            # "Update id=… is handled" lines would only clutter the chat.
            logging.getLogger("aiogram.event").setLevel(logging.WARNING)
            return asyncio.run(run_console(settings, admin=args.admin))
        if settings.webhook_url:
            return asyncio.run(run_webhook(settings))
        return asyncio.run(run_polling(settings))
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # `ask … | head -1`: the reader has gone; Python's own advice is to point stdout at
        # devnull so that the exit does not fail flushing it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except BuildError as error:
        logger.error("Не удалось загрузить статьи: %s", error)
        return 1
    except Exception:
        logger.exception("Бот остановлен из-за ошибки")  # the filter redacts the token
        return 1


def has_input(stream: object) -> bool:
    """Can a person or a pipe type into `stream`: a terminal, a pipe or a file (not
    /dev/null, which `docker run` without -i gives, nor a closed stdin)?"""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
        if os.isatty(fileno):
            return True
        mode = os.fstat(fileno).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


if __name__ == "__main__":
    sys.exit(main())
