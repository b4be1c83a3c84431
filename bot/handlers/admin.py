"""Admin-only commands; the router-level filter keeps everyone else out."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import math
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

import aiohttp
from aiogram import Bot, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.formatting import Bold, Text, as_list
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from knowledge import (
    Article,
    BuildError,
    FactStore,
    Journal,
    Skipped,
    Subscriptions,
    format_date_ru,
)
from knowledge.articles import (
    MAX_ARTICLE_BYTES,
    parse_article,
    repeat_reason,
    repeats,
    sentence_key,
)
from knowledge.background import off_loop
from knowledge.library import Library

from ..config import Settings
from ..filters import HasDocument, IsAdmin
from ..render import (
    fit_lines,
    plural,
    render_stats,
    render_subscription_stats,
    render_unanswered,
    shorten,
)

_T = TypeVar("_T")
router = Router(name=__name__)
router.message.filter(IsAdmin())
logger = logging.getLogger(__name__)

RELOAD_FAILED = "Не удалось обновить: {reason}. Работает прежняя версия."
NO_JOURNAL = "Журнал вопросов сейчас недоступен, подробности в логах."
BROKEN_CHARACTERS = (
    "в тексте есть повреждённые символы (одиночные суррогаты UTF-16): "
    "скопируйте текст заново или пришлите его файлом .txt"
)
UNANSWERED_DAYS = 30
MAX_UNANSWERED = 15
ADD_USAGE = (
    "Пришлите статью файлом .txt (UTF-8, до 2 МБ) или командой /add, за которой в том же "
    "сообщении идёт текст статьи. Статья начинается с заголовка:\n"
    "---\n"
    "date: 2026-02-01\n"
    "title: Название статьи\n"
    "url: https://… (необязательно)\n"
    "---\n"
    "а после него — абзацы текста через пустую строку."
)


@router.message(Command("reload"))
async def reload(message: Message, bot: Bot, library: Library, store: FactStore) -> None:
    """Re-read the articles folder and report what changed."""
    with suppress(TelegramAPIError):
        await bot.send_chat_action(chat_id=message.chat.id, action=ChatAction.TYPING)
    user_id = message.from_user.id if message.from_user else None
    logger.info("Reload requested by admin %s", user_id)
    await reload_and_report(message, library, store, Bold("Статьи перечитаны."))


async def reload_and_report(
    message: Message,
    library: Library,
    store: FactStore,
    header: Text,
    failed: str = RELOAD_FAILED,
) -> None:
    """library.reload(), then the BuildReport summary (or why it failed) as the reply."""
    try:
        report = await once_more(library.reload)
    except BuildError as error:
        logger.warning("Reload failed: %s", error)
        reason = str(error).rstrip(".") or "неизвестная ошибка"
        await message.answer(Text(failed.format(reason=reason)).as_html())
        return
    except Exception:
        # Whatever broke, the old index is still the one serving: say so.
        logger.exception("Reload crashed")
        reason = "внутренняя ошибка, подробности в журнале"
        await message.answer(Text(failed.format(reason=reason)).as_html())
        return
    articles = await once_more(store.articles)
    facts = len(library.index.facts)
    total = Text(
        "Сейчас в базе: ",
        Bold(plural(len(articles), ("статья", "статьи", "статей"))),
        ", ",
        Bold(plural(facts, ("факт", "факта", "фактов"))),
        ".",
    )
    await message.answer(fit_lines(header, report.summary(), total))


# --- the journal -----------------------------------------------------------------------------


@router.message(Command("unanswered"))
async def unanswered(message: Message, journal: Journal | None = None) -> None:
    """The most frequent recent questions without an answer (or with a 👎), grouped."""
    if journal is None:
        await message.answer(Text(NO_JOURNAL).as_html())
        return
    try:
        groups = await once_more(
            lambda: journal.unanswered(days=UNANSWERED_DAYS, limit=MAX_UNANSWERED)
        )
    except Exception:
        logger.exception("Could not read the journal")
        await message.answer(Text(NO_JOURNAL).as_html())
        return
    await message.answer(render_unanswered(groups, UNANSWERED_DAYS))


@router.message(Command("stats"))
async def stats(
    message: Message, journal: Journal | None = None, subscriptions: Subscriptions | None = None
) -> None:
    """Questions today and this week, the share answered, topics, unanswered, votes."""
    if journal is None:
        await message.answer(Text(NO_JOURNAL).as_html())
        return
    try:
        numbers = await once_more(journal.stats)
    except Exception:
        logger.exception("Could not read the journal")
        await message.answer(Text(NO_JOURNAL).as_html())
        return
    await message.answer(render_stats(numbers, await subscriber_lines(subscriptions)))


async def subscriber_lines(subscriptions: Subscriptions | None) -> list[str]:
    """/stats: subscribers per topic and the broadcast queue (nothing if unavailable)."""
    if subscriptions is None:
        return []
    try:
        return render_subscription_stats(
            await subscriptions.counts(), await subscriptions.counts_outbox()
        )
    except Exception:
        logger.exception("Could not read the subscriptions")
        return []


# --- adding an article from the chat ---------------------------------------------------------


class AddError(Exception):
    """Why an article was not added; str() is the reason, in Russian, for the admin."""


@router.message(HasDocument())
async def add_document(
    message: Message, bot: Bot, library: Library, store: FactStore, settings: Settings
) -> None:
    """A .txt file from an admin is an article to add (whatever its caption)."""
    document = message.document
    assert document is not None
    try:
        name = (document.file_name or "").lower()
        if not (name.endswith(".txt") or document.mime_type == "text/plain"):
            raise AddError("нужен текстовый файл .txt")
        if document.file_size is not None and document.file_size > MAX_ARTICLE_BYTES:
            raise AddError(too_big(document.file_size))
        raw = await download(bot, document.file_id)
    except AddError as error:
        await _refuse(message, str(error))
        return
    await add_article(message, raw, library, store, settings.articles_dir)


@router.message(Command("add"))
async def add_text(
    message: Message,
    command: CommandObject,
    library: Library,
    store: FactStore,
    settings: Settings,
) -> None:
    """/add followed by the article (front matter first) in the same message."""
    if not command.args or not command.args.strip():
        await message.answer(Text(ADD_USAGE).as_html())
        return
    try:
        raw = command.args.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: Telegram passes on what it was sent
        await _refuse(message, BROKEN_CHARACTERS)
        return
    await add_article(message, raw, library, store, settings.articles_dir)


async def download(bot: Bot, file_id: str) -> bytes:
    """The file's bytes (getFile, then the file itself); AddError if too big or unavailable."""
    try:
        file = await bot.get_file(file_id)
        if file.file_size is not None and file.file_size > MAX_ARTICLE_BYTES:
            raise AddError(too_big(file.file_size))
        if not file.file_path:
            raise AddError("Telegram не отдал файл, пришлите его ещё раз")
        buffer = await bot.download_file(file.file_path, destination=io.BytesIO(), timeout=60)
    except (TelegramAPIError, aiohttp.ClientError, OSError, TimeoutError) as error:
        logger.warning("Could not download a document: %s", error)
        raise AddError("не удалось скачать файл, пришлите его ещё раз") from None
    assert buffer is not None
    raw = buffer.read()
    if len(raw) > MAX_ARTICLE_BYTES:
        raise AddError(too_big(len(raw)))
    return raw


async def add_article(
    message: Message, raw: bytes, library: Library, store: FactStore, articles_dir: Path
) -> None:
    """Check the article, save it under a generated name, reload, and report.

    Everything that would make the reload skip it is refused before it is saved: a bad
    file, a date out of range, and a copy of a loaded article (by its sentences, whatever
    its front matter)."""
    try:
        article = await off_loop(lambda _stop: check_article(raw), name="citybot-add")
        digest = hashlib.sha256(raw).hexdigest()
        loaded = {info.content_hash: info.id for info in await once_more(store.articles)}
        if digest in loaded:
            raise AddError(f"такая статья уже загружена ({loaded[digest]})")
        owners: dict[str, str] = {}
        for fact in library.index.facts:
            owners.setdefault(sentence_key(fact.text), fact.article_id)
        copied = repeats(article, owners)
        if copied is not None:
            raise AddError(repeat_reason(copied))
        path = await asyncio.to_thread(save_article, raw, articles_dir, dt.datetime.now(dt.UTC))
    except AddError as error:
        await _refuse(message, str(error))
        return
    user_id = message.from_user.id if message.from_user else None
    logger.info("Article %s added by admin %s", path.name, user_id)
    header = Text(
        Bold("Статья добавлена: "),
        shorten(article.title, 200),
        f" ({format_date_ru(article.date)}), файл {path.name}.",
    )
    failed = f"Файл сохранён как {path.name}, но обновить не удалось: {{reason}}. " + (
        "Работает прежняя версия."
    )
    await reload_and_report(message, library, store, header, failed)


async def _refuse(message: Message, reason: str) -> None:
    await message.answer(as_list(f"Статья не добавлена: {reason}.", "", ADD_USAGE).as_html())


async def once_more(action: Callable[[], Awaitable[_T]]) -> _T:
    """`action()`, tried a second time when the first failed on a database connection that
    was lost (PostgreSQL restarted, or the connection killed): an admin's action is not lost
    to a connection the pool did not know was dead."""
    try:
        return await action()
    except Exception as error:
        if not connection_lost(error):
            raise
        logger.warning("Database connection lost (%s): trying once more", error)
        return await action()


def connection_lost(error: BaseException) -> bool:
    """Is a lost database connection anywhere in the error's causes?"""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DBAPIError) and (
            seen.connection_invalidated or isinstance(seen, InterfaceError | OperationalError)
        ):
            return True
        seen = seen.__cause__
    return False


def too_big(size: int) -> str:
    megabytes = f"{math.ceil(size / 100_000) / 10:.1f}".replace(".", ",")
    return f"файл больше 2 МБ ({megabytes} МБ)"


_DATE_LINE = re.compile(r"^\s*date\s*:\s*\S", re.IGNORECASE)


def check_article(raw: bytes) -> Article:
    """The article in `raw`, parsed exactly as a reload will parse it; AddError if it is not
    UTF-8 text of at most 2 MB with a front matter header holding a valid date."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise AddError(too_big(len(raw)))
    if b"\x00" in raw:
        raise AddError("это двоичный файл, а не текст")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AddError("файл не в кодировке UTF-8") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise AddError("пустой текст")
    if lines[first].strip() != "---":
        raise AddError("нет заголовка: статья должна начинаться со строки ---")
    end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "---"), len(lines))
    if not any(_DATE_LINE.match(line) for line in lines[first + 1 : end]):
        raise AddError("в заголовке нет даты (строка date: ГГГГ-ММ-ДД)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(raw)
        parsed = parse_article(path)
    if isinstance(parsed, Skipped):
        raise AddError(parsed.reason)
    if parsed.date is None:
        raise AddError("в заголовке нет даты (строка date: ГГГГ-ММ-ДД)")
    return parsed


def save_article(raw: bytes, articles_dir: Path, now: dt.datetime) -> Path:
    """Write `raw` to ARTICLES_DIR as add_<YYYYmmdd_HHMMSS>_<sha8>.txt (never a name from the
    sender), atomically: a hidden temporary file first, which reloads skip."""
    if not articles_dir.is_dir():
        raise AddError(f"папка со статьями не найдена: {articles_dir}")
    digest = hashlib.sha256(raw).hexdigest()[:8]
    for existing in articles_dir.glob(f"add_*_{digest}.txt"):
        with suppress(OSError):
            if existing.read_bytes() == raw:
                raise AddError(f"такая статья уже есть в папке ({existing.name})")
    target = articles_dir / f"add_{now:%Y%m%d_%H%M%S}_{digest}.txt"
    if target.exists():
        raise AddError("файл с таким именем уже есть, пришлите статью ещё раз")
    temporary = articles_dir / f".{target.name}.part"
    try:
        with temporary.open("xb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(target)
    except OSError as error:
        with suppress(OSError):
            temporary.unlink()
        logger.warning("Could not save an article: %s", error)
        raise AddError(f"не удалось сохранить файл: {error.strerror or error}") from None
    return target
