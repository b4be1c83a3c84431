"""Charts of a figure over time (issue 17): the «📈 График» button under an answer with
«Ранее» figures, and the photo sent for a question about change over time."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from knowledge import Journal, Library, Series, series_for

from ..callbacks import ChartCallback, callback_chat_id
from ..charts import chart_caption, render_chart
from ..config import Settings
from ..messages import CHART_NO_SERIES, CHART_STALE
from .feedback import _found_in_time, _record, pressed_on_message

logger = logging.getLogger(__name__)

CHART_FILE_NAME = "chart.png"
MAX_CACHED_FILE_IDS = 256


def charts_router() -> Router:
    """The router of the chart button."""
    router = Router(name=__name__)
    router.callback_query.register(press_chart, ChartCallback.filter())
    return router


async def send_chart(bot: Bot, chat_id: int, series: Series) -> Message:
    """The chart as a photo (rendered off the event loop), its points in the caption."""
    png = await asyncio.to_thread(render_chart, series)
    return await bot.send_photo(
        chat_id=chat_id,
        photo=BufferedInputFile(png, filename=CHART_FILE_NAME),
        caption=chart_caption(series),
    )


async def press_chart(
    callback: CallbackQuery,
    callback_data: ChartCallback,
    bot: Bot,
    library: Library,
    journal: Journal | None = None,
) -> None:
    """«📈 График»: the chart of the answer's figure over time, drawn from the question."""
    if not pressed_on_message(callback):
        await callback.answer(CHART_STALE)
        return
    # Pressed on another replica right after the answer, the row may still be on its way.
    record = await _found_in_time(callback, lambda: _record(journal, callback_data.id))
    if record is None:
        await callback.answer(CHART_STALE)
        return
    _, series = series_for(library.index, record.text)
    if series is None:
        await callback.answer(CHART_NO_SERIES)
        return
    await callback.answer()
    chat_id = callback_chat_id(callback)
    await send_chart(bot, chat_id, series)


# --- inline mode: a chart needs a file id --------------------------------------------------

_file_ids: OrderedDict[tuple[int, tuple[str, ...]], str] = OrderedDict()


def chart_chat(settings: Settings) -> int | None:
    """Where charts for inline mode are uploaded: CHART_CHAT_ID, else the first admin."""
    if settings.chart_chat_id is not None:
        return settings.chart_chat_id
    return min(settings.admin_ids) if settings.admin_ids else None


async def chart_file_id(
    bot: Bot, settings: Settings, generation: int, series: Series
) -> str | None:
    """A Telegram file id of the series' chart, for an inline photo result: uploaded once
    per generation and series to `chart_chat`; None if there is no such chat or it fails."""
    key = (generation, tuple(point.fact_id for point in series.points))
    known = _file_ids.get(key)
    if known is not None:
        _file_ids.move_to_end(key)
        return known
    chat_id = chart_chat(settings)
    if chat_id is None:
        return None
    try:
        sent = await bot.send_photo(
            chat_id=chat_id,
            photo=BufferedInputFile(
                await asyncio.to_thread(render_chart, series), filename=CHART_FILE_NAME
            ),
            caption=chart_caption(series),
            disable_notification=True,
        )
    except Exception as error:  # the inline answer goes on without the chart
        logger.warning("Could not upload a chart for inline mode: %s", error)
        return None
    if not sent.photo:
        return None
    file_id = sent.photo[-1].file_id
    _file_ids[key] = file_id
    while len(_file_ids) > MAX_CACHED_FILE_IDS:
        _file_ids.popitem(last=False)
    return file_id
