"""Admin-only commands; the router-level filter keeps everyone else out."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.formatting import Bold, Text, as_list
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from knowledge import (
    MAX_ARTICLE_BYTES,
    AddedArticle,
    Article,
    ArticleNotLoaded,
    ArticleRefused,
    BuildError,
    FactStore,
    Journal,
    Library,
    Subscriptions,
    format_date_ru,
    too_big,
)

from ..filters import HasDocument, IsAdmin
from ..messages import (
    ADD_USAGE,
    ADDED,
    ADDED_FILE,
    ARTICLES,
    BROKEN_CHARACTERS,
    DOWNLOAD_FAILED,
    FACTS,
    FILE_NOT_GIVEN,
    IN_STORE,
    INTERNAL_ERROR,
    NO_JOURNAL,
    NOT_A_TEXT_FILE,
    NOT_ADDED,
    RELOAD_FAILED,
    RELOADED,
    SAVED_NOT_RELOADED,
    UNKNOWN_ERROR,
)
from ..render import (
    fit_lines,
    plural,
    render_stats,
    render_subscription_stats,
    render_unanswered,
    shorten,
)

_T = TypeVar("_T")
logger = logging.getLogger(__name__)

UNANSWERED_DAYS = 30
MAX_UNANSWERED = 15


def admin_router() -> Router:
    """The admin commands and article files; the router-level filter keeps everyone else
    out (set per observer: aiogram has no router-wide filter)."""
    router = Router(name=__name__)
    router.message.filter(IsAdmin())
    router.message.register(reload, Command("reload"))
    router.message.register(unanswered, Command("unanswered"))
    router.message.register(stats, Command("stats"))
    router.message.register(add_document, HasDocument())
    router.message.register(add_text, Command("add"))
    return router


async def reload(message: Message, bot: Bot, library: Library, store: FactStore) -> None:
    """Re-read the articles folder and report what changed."""
    logger.info("Reload requested by admin %s", _sender(message))
    async with ChatActionSender.typing(bot=bot, chat_id=message.chat.id):
        await reload_and_report(message, library, store, Bold(RELOADED))


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
    except Exception as error:
        await message.answer(Text(failed.format(reason=_reason(error))).as_html())
        return
    articles = await once_more(store.articles)
    await message.answer(fit_lines(header, report.summary(), _total(len(articles), library)))


def _reason(error: Exception) -> str:
    """Why a reload failed, for the admin (the old index is still the one serving)."""
    if isinstance(error, BuildError):
        logger.warning("Reload failed: %s", error)
        return str(error).rstrip(".") or UNKNOWN_ERROR
    logger.error("Reload crashed", exc_info=error)
    return INTERNAL_ERROR


def _total(articles: int, library: Library) -> Text:
    """«Сейчас в базе: 4 статьи, 120 фактов.»"""
    return Text(
        IN_STORE,
        Bold(plural(articles, ARTICLES)),
        ", ",
        Bold(plural(len(library.index.facts), FACTS)),
        ".",
    )


# --- the journal -----------------------------------------------------------------------------


async def unanswered(message: Message, journal: Journal | None = None) -> None:
    """The most frequent recent questions without an answer (or with a 👎), grouped."""
    groups = await read_journal(
        message,
        journal,
        lambda found: found.unanswered(days=UNANSWERED_DAYS, limit=MAX_UNANSWERED),
    )
    if groups is not None:
        await message.answer(render_unanswered(groups, UNANSWERED_DAYS))


async def stats(
    message: Message, journal: Journal | None = None, subscriptions: Subscriptions | None = None
) -> None:
    """Questions today and this week, the share answered, topics, unanswered, votes."""
    numbers = await read_journal(message, journal, lambda found: found.stats())
    if numbers is not None:
        await message.answer(render_stats(numbers, await subscriber_lines(subscriptions)))


async def read_journal(
    message: Message, journal: Journal | None, read: Callable[[Journal], Awaitable[_T]]
) -> _T | None:
    """`read(journal)`, tried once more on a lost connection; None, and the admin told
    NO_JOURNAL, when the bot runs without the journal or reading it failed (to the admin
    the two are the same)."""
    if journal is not None:
        try:
            return await once_more(lambda: read(journal))
        except Exception:
            logger.exception("Could not read the journal")
    await message.answer(Text(NO_JOURNAL).as_html())
    return None


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


async def add_document(message: Message, bot: Bot, library: Library, store: FactStore) -> None:
    """A .txt file from an admin is an article to add (whatever its caption)."""
    document = message.document
    assert document is not None
    try:
        name = (document.file_name or "").lower()
        if not (name.endswith(".txt") or document.mime_type == "text/plain"):
            raise ArticleRefused(NOT_A_TEXT_FILE)
        if document.file_size is not None and document.file_size > MAX_ARTICLE_BYTES:
            raise ArticleRefused(too_big(document.file_size))
        raw = await download(bot, document.file_id)
    except ArticleRefused as error:
        await _refuse(message, str(error))
        return
    await add_article(message, raw, library, store)


async def add_text(
    message: Message, command: CommandObject, library: Library, store: FactStore
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
    await add_article(message, raw, library, store)


async def download(bot: Bot, file_id: str) -> bytes:
    """The file's bytes (getFile, then the file); ArticleRefused if too big or unavailable."""
    try:
        file = await bot.get_file(file_id)
        if file.file_size is not None and file.file_size > MAX_ARTICLE_BYTES:
            raise ArticleRefused(too_big(file.file_size))
        if not file.file_path:
            raise ArticleRefused(FILE_NOT_GIVEN)
        buffer = await bot.download_file(file.file_path, destination=io.BytesIO(), timeout=60)
    except (TelegramAPIError, aiohttp.ClientError, OSError, TimeoutError) as error:
        logger.warning("Could not download a document: %s", error)
        raise ArticleRefused(DOWNLOAD_FAILED) from None
    assert buffer is not None
    raw = buffer.read()
    return raw  # over MAX_ARTICLE_BYTES after all: Library.add_article refuses it


async def add_article(message: Message, raw: bytes, library: Library, store: FactStore) -> None:
    """library.add_article (check, save under a generated name, reload), and the report."""
    try:
        added = await once_more(lambda: library.add_article(raw))
    except ArticleRefused as error:
        await _refuse(message, str(error))
        return
    except ArticleNotLoaded as error:
        logger.info("Article %s added by admin %s", error.file_name, _sender(message))
        # The reason is filled in where the reload fails: kept a placeholder here.
        failed = SAVED_NOT_RELOADED.format(file_name=error.file_name, reason="{reason}")
        if connection_lost(error.cause):  # what failed is the reload: tried again, as /reload
            await reload_and_report(message, library, store, _added(error), failed)
        else:
            await message.answer(Text(failed.format(reason=_reason(error.cause))).as_html())
        return
    logger.info("Article %s added by admin %s", added.file_name, _sender(message))
    articles = await once_more(store.articles)
    await message.answer(
        fit_lines(_added(added), added.report.summary(), _total(len(articles), library))
    )


def _added(added: AddedArticle | ArticleNotLoaded) -> Text:
    article: Article = added.article
    return Text(
        Bold(ADDED),
        shorten(article.title, 200),
        ADDED_FILE.format(date=format_date_ru(article.date), file_name=added.file_name),
    )


def _sender(message: Message) -> int | None:
    return message.from_user.id if message.from_user else None


async def _refuse(message: Message, reason: str) -> None:
    await message.answer(as_list(NOT_ADDED.format(reason=reason), "", ADD_USAGE).as_html())


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
