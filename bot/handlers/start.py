"""/start, /help, /sources — and the refusal of admin commands and article files for everyone
who is not an admin."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from aiogram.utils.formatting import Bold, Text, as_list, as_marked_list

from knowledge import FactStore, Library, Stock, format_date_ru

from ..config import Settings
from ..filters import AddressedToMe, HasDocument, is_admin_elsewhere
from ..messages import (
    ADMINS_ONLY,
    ADMINS_PRIVATE_ONLY,
    ARTICLES,
    EXAMPLE_QUESTIONS,
    FACTS,
    FILES_REFUSED,
    HELLO,
    HELP_EXAMPLES,
    HELP_HOW,
    HELP_MORE,
    HELP_TITLE,
    INTRO,
    NO_ARTICLES,
    PERIOD,
    SOURCES_HEADER,
    START_INVITATION,
    STOCK,
    TOPICS_LABEL,
)
from ..render import examples_keyboard, fit_lines, plural, shorten

# Admin command names, refused here for everyone the admin router did not serve.
ADMIN_COMMAND_NAMES = ("reload", "add", "unanswered", "stats")
MAX_TOPICS = 5


def start_router() -> Router:
    """/start, /help, /sources, and the refusals of admin commands and files."""
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(sources, Command("sources"))
    router.message.register(admin_command_refused, Command(*ADMIN_COMMAND_NAMES))
    router.message.register(document_refused, HasDocument(), AddressedToMe())
    return router


def pick_examples(library: Library, count: int = 3) -> list[int]:
    """Indices of `count` example questions, ones the library can answer first (worked out
    once per index)."""
    answered = list(library.answered(EXAMPLE_QUESTIONS))
    rest = [i for i in range(len(EXAMPLE_QUESTIONS)) if i not in answered]
    return (answered + rest)[:count]


async def article_stock(library: Library, store: FactStore) -> tuple[int, str | None]:
    """How many articles there are and the period they cover, once per index (the index
    is replaced whenever the store's articles change)."""
    stock = await library.stock()
    return stock.articles, describe_period(stock)


def describe_period(stock: Stock) -> str | None:
    """«с 12 сентября 2025 по 9 января 2026», or None without dates."""
    if stock.first is None or stock.last is None:
        return None
    if stock.first == stock.last:
        return format_date_ru(stock.first)
    return PERIOD.format(first=format_date_ru(stock.first), last=format_date_ru(stock.last))


async def start(message: Message, library: Library, store: FactStore) -> None:
    """What the bot knows, and three example questions as buttons."""
    articles, period = await article_stock(library, store)
    facts = len(library.index.facts)
    stock = STOCK.format(articles=plural(articles, ARTICLES), facts=plural(facts, FACTS))
    if period:
        stock += f" ({period})"
    # Topics are derived from the facts (knowledge/data/topics.json), biggest first.
    topics = [
        f"{name} ({plural(len(facts), FACTS)})"
        for name, facts in list(library.index.topics().items())[:MAX_TOPICS]
    ]
    parts: list[Text | str] = [Bold(HELLO), INTRO, stock + "."]
    if topics:
        parts.append(as_list(TOPICS_LABEL, as_marked_list(*topics, marker="• ")))
    parts.append(START_INVITATION)
    await message.answer(
        as_list(*parts, sep="\n\n").as_html(),
        reply_markup=examples_keyboard(pick_examples(library)),
    )


async def help_(message: Message) -> None:
    """How to ask, with examples."""
    examples = as_list(HELP_EXAMPLES, as_marked_list(*EXAMPLE_QUESTIONS[:3], marker="• "))
    text = as_list(Bold(HELP_TITLE), HELP_HOW, examples, *HELP_MORE, sep="\n\n")
    await message.answer(text.as_html())


async def sources(message: Message, store: FactStore) -> None:
    """Loaded articles, their dates and fact counts."""
    articles = await store.articles()
    if not articles:
        await message.answer(Text(NO_ARTICLES).as_html())
        return
    lines = [
        Text(
            "• ",
            Bold(shorten(a.title, 200)),
            f" — {format_date_ru(a.date)}, {plural(a.facts, FACTS)}",
        )
        for a in articles
    ]
    header = Text(SOURCES_HEADER.format(articles=plural(len(articles), ARTICLES)))
    await message.answer(fit_lines(header, lines))


async def admin_command_refused(message: Message, settings: Settings) -> None:
    """Admins in their private chat are served by the admin router first; everyone else
    lands here (an admin in a group is told where the command works)."""
    if is_admin_elsewhere(message, settings):
        await message.answer(Text(ADMINS_PRIVATE_ONLY).as_html())
        return
    await message.answer(Text(ADMINS_ONLY).as_html())


async def document_refused(message: Message, settings: Settings) -> None:
    """Articles come as .txt files from admins in their private chat (admin router); nobody
    else's are saved. In a group, a file not addressed to the bot is not its business."""
    if is_admin_elsewhere(message, settings):
        await message.answer(Text(ADMINS_PRIVATE_ONLY).as_html())
        return
    await message.answer(Text(FILES_REFUSED.format(example=EXAMPLE_QUESTIONS[0])).as_html())
