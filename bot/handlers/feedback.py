"""👍 / 👎 under answers, and the buttons that show one of the facts offered for a question
("did you mean", or the next-best facts after a 👎).

Both refer to the question's record in the journal, so they work after a restart and on
any replica. One vote per user and answer: a different vote replaces the earlier one, the
same vote again is only acknowledged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from knowledge import (
    DOWN,
    FLUSH_INTERVAL_S,
    UP,
    FactIndex,
    Journal,
    Library,
    Match,
    QuestionRecord,
    compose,
)

from ..callbacks import FeedbackCallback, PickCallback
from ..messages import (
    ALREADY_VOTED,
    MAYBE_THIS,
    NO_ALTERNATIVES,
    STALE_BUTTON,
    THANKS_DOWN,
    THANKS_UP,
    VOTE_FAILED,
)
from ..render import feedback_keyboard, render_answer, render_choices

logger = logging.getLogger(__name__)

# The replica that answered writes its question rows in batches, every FLUSH_INTERVAL_S: a
# button pressed on another replica right after the answer may name a row not written yet.
# For a message this recent, a missing row is waited for (a few FLUSH_INTERVAL_S at most).
FRESH_MESSAGE_SECONDS = 10.0
RECORD_WAIT_STEP = FLUSH_INTERVAL_S / 2
RECORD_WAIT_STEPS = 8

T = TypeVar("T")


def feedback_router() -> Router:
    """The 👍/👎 buttons and the buttons that show an offered fact."""
    router = Router(name=__name__)
    router.callback_query.register(vote, FeedbackCallback.filter())
    router.callback_query.register(pick, PickCallback.filter())
    return router


async def vote(
    callback: CallbackQuery,
    callback_data: FeedbackCallback,
    bot: Bot,
    library: Library,
    journal: Journal | None = None,
) -> None:
    """Store the vote; after a 👎 offer the next-best facts («Может быть, вы об этом?»)."""
    if journal is None or not pressed_on_message(callback):
        await callback.answer(STALE_BUTTON)
        return
    value = UP if callback_data.up else DOWN
    try:
        result = await _found_in_time(
            callback, lambda: journal.vote(callback_data.id, callback.from_user.id, value)
        )
    except Exception:
        logger.exception("Could not store a vote")
        await callback.answer(VOTE_FAILED)
        return
    if result is None:
        await callback.answer(STALE_BUTTON)
        return
    if not result.changed:
        await callback.answer(ALREADY_VOTED)
        return
    if value == UP:
        await callback.answer(THANKS_UP)
        return
    await callback.answer(THANKS_DOWN)
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    choices = offered(library.index, result.question, start=1)
    if not choices:
        await bot.send_message(chat_id=chat_id, text=NO_ALTERNATIVES, parse_mode=None)
        return
    text, markup = render_choices(MAYBE_THIS, result.question.id, choices)
    await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)


async def pick(
    callback: CallbackQuery,
    callback_data: PickCallback,
    bot: Bot,
    library: Library,
    journal: Journal | None = None,
) -> None:
    """One of the offered facts: its answer to the question, with 👍/👎 for that question."""
    record = await button_record(callback, journal, callback_data.id)
    if record is None or not 0 <= callback_data.index < len(record.fact_ids):
        await callback.answer(STALE_BUTTON)
        return
    index = library.index
    fact = index.fact(record.fact_ids[callback_data.index])
    if fact is None:  # the article is gone since (reload)
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    match = index.explain(record.text, fact)
    text, _ = render_answer(compose(record.text, [match], index=index))
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    await bot.send_message(chat_id=chat_id, text=text, reply_markup=feedback_keyboard(record.id))


def pressed_on_message(callback: CallbackQuery) -> bool:
    """Is the pressed data a button of the message it came with? A client can send any
    callback data: a vote or a pick names a journal record, so it is taken only from a button
    the bot really put under that message (not from an inline message or one the bot can no
    longer see, where that cannot be checked)."""
    message = callback.message
    if not isinstance(message, Message) or not callback.data:
        return False
    markup = message.reply_markup
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(
        button.callback_data == callback.data for row in markup.inline_keyboard for button in row
    )


async def button_record(
    callback: CallbackQuery, journal: Journal | None, record_id: int
) -> QuestionRecord | None:
    """The journal record a pressed button names, if the button is really under its message
    (`pressed_on_message`) and the record is found (waited for while it may be on its way)."""
    if not pressed_on_message(callback):
        return None
    return await _found_in_time(callback, lambda: _record(journal, record_id))


async def _found_in_time(
    callback: CallbackQuery, look: Callable[[], Awaitable[T | None]]
) -> T | None:
    """`look()` for a button's journal record; if it is missing and the button is under a
    message sent in the last FRESH_MESSAGE_SECONDS (its row may still be queued on the
    replica that answered), look again every RECORD_WAIT_STEP, RECORD_WAIT_STEPS times at
    most. Only for a real button of the message (`pressed_on_message` ran first), so forged
    data never makes a handler wait."""
    found = await look()
    message = callback.message
    if found is not None or not isinstance(message, Message):
        return found
    age = (dt.datetime.now(dt.UTC) - message.date).total_seconds()
    if not -60 < age < FRESH_MESSAGE_SECONDS:
        return found
    for _ in range(RECORD_WAIT_STEPS):
        await asyncio.sleep(RECORD_WAIT_STEP)
        found = await look()
        if found is not None:
            break
    return found


async def _record(journal: Journal | None, record_id: int) -> QuestionRecord | None:
    if journal is None:
        return None
    try:
        return await journal.question(record_id)
    except Exception:
        logger.exception("Could not read the journal")
        return None


def offered(index: FactIndex, record: QuestionRecord, start: int = 0) -> list[tuple[int, Match]]:
    """The record's offered facts from position `start` on that the index still holds, as
    (position, Match) — the position is what a PickCallback carries."""
    out = []
    for position, fact_id in enumerate(record.fact_ids):
        fact = index.fact(fact_id) if position >= start else None
        if fact is not None:
            out.append((position, index.explain(record.text, fact)))
    return out
