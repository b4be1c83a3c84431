"""Inline mode: «@bot вопрос» in any chat lists the best facts; picking one posts the same
reply the bot gives in its own chat, source line included.

Inline mode must be switched on for the bot with @BotFather (/setinline).
"""

from __future__ import annotations

import hashlib

from aiogram import Bot, Router
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
)

from knowledge import (
    MAX_QUESTION_CHARS,
    Answer,
    Library,
    Match,
    change_question,
    clean_text,
    compose,
    series_for,
)

from ..charts import chart_caption, title_of
from ..config import Settings
from ..messages import INLINE_CHART_TITLE, NOT_FOUND_BUTTON
from ..render import almaty_today, fact_label, main_figure, render_answer, shorten
from .charts import chart_file_id

MAX_RESULTS = 5
CACHE_SECONDS = 10  # the facts change with a reload; keep Telegram's cache short
MAX_DESCRIPTION_CHARS = 200
START_PARAMETER = "inline"


def inline_router() -> Router:
    """Inline mode: facts (and charts) for «@bot вопрос» in any chat."""
    router = Router(name=__name__)
    router.inline_query.register(inline_answer)
    return router


async def inline_answer(
    query: InlineQuery, library: Library, bot: Bot, settings: Settings
) -> None:
    """Up to five facts for the query; an empty query gets example facts; a question about
    change over time gets its chart first, as a photo."""
    results: list[InlineQueryResultArticle | InlineQueryResultCachedPhoto] = []
    photo = await inline_chart(library, bot, settings, query.query)
    if photo is not None:
        results.append(photo)
    results.extend(inline_results(library, query.query)[: MAX_RESULTS - len(results)])
    button = None
    if not results:
        button = InlineQueryResultsButton(text=NOT_FOUND_BUTTON, start_parameter=START_PARAMETER)
    await query.answer(
        results,  # type: ignore[arg-type]
        cache_time=CACHE_SECONDS,
        is_personal=False,
        button=button,
    )


async def inline_chart(
    library: Library, bot: Bot, settings: Settings, query: str
) -> InlineQueryResultCachedPhoto | None:
    """The chart for a question about change over time («как менялось число туристов»), as
    a photo result; None for other questions, or without two periods to draw."""
    question = query.strip()
    if not question or len(question) > MAX_QUESTION_CHARS or change_question(question) is None:
        return None
    index = library.index
    _, series = series_for(index, question)
    if series is None:
        return None
    file_id = await chart_file_id(bot, settings, index.generation, series)
    if file_id is None:
        return None
    digest = hashlib.sha1("|".join(p.fact_id for p in series.points).encode()).hexdigest()[:20]
    return InlineQueryResultCachedPhoto(
        id=f"chart-{digest}",
        photo_file_id=file_id,
        title=shorten(INLINE_CHART_TITLE.format(title=title_of(series)), 64),
        caption=chart_caption(series),
        parse_mode="HTML",
    )


def inline_results(library: Library, query: str) -> list[InlineQueryResultArticle]:
    """The articles to offer for `query`, best first (examples for an empty query)."""
    question = clean_text(query).strip()
    index = library.index
    answers: list[tuple[Match, Answer]] = []
    if not question:
        for facts in index.topics().values():
            fact = next((f for f in facts if main_figure(f) is not None), None)
            if fact is not None:
                match = Match(fact=fact, score=0.0, figure=main_figure(fact))
                answers.append((match, compose("", [match], index=index)))
            if len(answers) >= MAX_RESULTS:
                break
    elif len(question) <= MAX_QUESTION_CHARS:
        asked = library.ask(question)
        if asked.digest:
            for match in asked.digest[:MAX_RESULTS]:
                answers.append((match, compose(question, [match], index=index)))
        elif asked.found:
            matches = index.match(question, limit=MAX_RESULTS)
            for match in matches:
                others = [m for m in matches if m is not match]
                answers.append((match, compose(question, [match, *others], index=index)))
    return [_article(number, match, answer) for number, (match, answer) in enumerate(answers)]


def _article(number: int, match: Match, answer: Answer) -> InlineQueryResultArticle:
    text, _ = render_answer(answer, today=almaty_today())
    digest = hashlib.sha1(match.fact.id.encode()).hexdigest()[:20]
    title = match.figure.label if match.figure is not None else fact_label(match.fact, None)
    return InlineQueryResultArticle(
        id=f"{number}-{digest}",
        title=shorten(title, 64),
        description=shorten(match.fact.text, MAX_DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(message_text=text, parse_mode="HTML"),
    )
