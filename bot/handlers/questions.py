"""Any text is a question; buttons ask their question; everything else gets a hint.

A question is read in the chat's context (its last answer, kept in the FSM storage for
half an hour): «а в 2024?» after an answer about tourists asks about tourists in 2024.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.formatting import Text

from knowledge import MAX_FACT_IDS, Answer, FactIndex, Journal, Library, Match, series_for

from ..callbacks import ExampleCallback, SuggestionCallback, callback_chat_id
from ..filters import AddressedToMe, HasText, IsSlashCommand, NotForAnotherBot, question_text
from ..messages import (
    EXAMPLE_QUESTIONS,
    NOT_TEXT_HINT,
    SMALL_TALK,
    STALE_BUTTON,
    UNKNOWN_COMMAND,
)
from ..render import MAX_BUTTON_CHARS, answer_keyboard
from ..replies import Decision, decide, decision_text, load_context, save_context
from ..suggestions import SuggestionMemory
from .charts import send_chart
from .start import pick_examples

logger = logging.getLogger(__name__)


def questions_router() -> Router:
    """The catch-all router: questions, their buttons, unknown commands and non-text.

    A message's text, an example button and a suggestion button are all answered by `ask`:
    the filter before it reads the question from the update (aiogram passes what a filter
    returns to the handler). A button whose question cannot be read falls through to
    `unknown_button`."""
    router = Router(name=__name__)
    router.message.register(unknown_command, IsSlashCommand())
    router.message.register(ask, HasText(), AddressedToMe(), typed_question)
    router.message.register(not_text, AddressedToMe())
    router.callback_query.register(ask, ExampleCallback.filter(), example_question)
    router.callback_query.register(ask, SuggestionCallback.filter(), suggested_question)
    router.callback_query.register(unknown_button)
    return router


def has_chart(library: Library, answer: Answer) -> bool:
    """Does the answer show «Ранее» figures that make a chart (two periods or more)?"""
    if not answer.earlier or answer.digest:
        return False
    return series_for(library.index, answer.question)[1] is not None


async def record_answer(
    journal: Journal,
    user_id: int,
    answer: Answer,
    index: FactIndex,
    pair: tuple[Match, Match] | None = None,
) -> int | None:
    """Journal the question; the record id, or None if the journal failed (logged: the
    journal must never stop an answer)."""
    fact_ids: list[str] = []
    topic = None
    if answer.found and answer.matches:
        topic = index.topic_of(answer.matches[0].fact)
        fact_ids = offered_facts(index, answer, pair)
    try:
        return await journal.record_question(
            user_id, answer.question, found=answer.found, topic=topic, fact_ids=fact_ids
        )
    except Exception:
        logger.exception("Could not journal a question")
        return None


def offered_facts(
    index: FactIndex, answer: Answer, pair: tuple[Match, Match] | None = None
) -> list[str]:
    """The facts behind the answer's buttons, best first: the answer (or the two it could
    not tell apart), then the next-best ones for 👎 — confident matches first (the answer's
    own, already ranked by `ask`), then weaker candidates (rank without the threshold, only
    when those are too few)."""
    ids = [m.fact.id for m in pair] if pair else [answer.matches[0].fact.id]

    def add(matches: Sequence[Match]) -> None:
        for match in matches:
            if len(ids) < MAX_FACT_IDS and match.fact.id not in ids:
                ids.append(match.fact.id)

    add(answer.matches[:MAX_FACT_IDS])
    if len(ids) < MAX_FACT_IDS:
        add(index.rank(answer.question, limit=MAX_FACT_IDS + 1, threshold=False))
    return ids


async def unknown_command(message: Message, bot: Bot) -> None:
    """Commands other routers did not take («/start@other_bot» is another bot's: ignored)."""
    if await NotForAnotherBot()(message, bot):
        await message.answer(Text(UNKNOWN_COMMAND).as_html())


# --- filters that read the question: what they return reaches `ask` --------------------------


async def typed_question(message: Message, bot: Bot) -> dict[str, str]:
    """A filter: the question a message asks, its text without the mention of the bot."""
    text = message.text or ""
    # getMe is asked once (aiogram caches it), and only when there may be a mention to strip.
    username = (await bot.me()).username if "@" in text else None
    return {"question": question_text(text, username)}


async def example_question(
    callback: CallbackQuery, callback_data: ExampleCallback
) -> dict[str, str] | bool:
    """A filter: the question of an example button from /start."""
    if not 0 <= callback_data.index < len(EXAMPLE_QUESTIONS):
        return False
    return {"question": EXAMPLE_QUESTIONS[callback_data.index]}


async def suggested_question(
    callback: CallbackQuery, callback_data: SuggestionCallback, suggestions: SuggestionMemory
) -> dict[str, str] | bool:
    """A filter: the question of a suggestion under "not found", if the button really is one
    we sent."""
    question = _suggested_question(callback, callback_data.index, suggestions)
    return False if question is None else {"question": question}


def _suggested_question(
    callback: CallbackQuery, index: int, suggestions: SuggestionMemory
) -> str | None:
    message = callback.message
    if message is None:
        return None
    remembered = suggestions.question(message.chat.id, message.message_id, index)
    if remembered is not None:
        return remembered
    # Forgotten (restart, or pushed out of memory): the label is the question unless it was
    # cut; accept it only if the button at that index carries exactly the pressed data.
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    buttons = [button for row in markup.inline_keyboard for button in row]
    if not 0 <= index < len(buttons):
        return None
    button = buttons[index]
    if button.callback_data != callback.data or button.text.endswith("…"):
        return None
    if len(button.text) > MAX_BUTTON_CHARS:
        return None
    return button.text


async def ask(
    event: Message | CallbackQuery,
    question: str,
    bot: Bot,
    library: Library,
    suggestions: SuggestionMemory,
    state: FSMContext,
    journal: Journal | None = None,
) -> None:
    """Any text is a question (in a group, one addressed to the bot); so is an example or a
    suggestion button. `question` comes from the filter `ask` is registered with.

    Shows "typing…", answers from the library, remembers the suggestions behind the buttons.
    With a journal, the question is recorded; a found answer then carries 👍/👎, and when the
    matcher cannot tell two facts apart the person is asked which one they meant. A
    follow-up is read against the chat's last answer (FSM `state`), which is then updated.
    """
    if isinstance(event, CallbackQuery):
        await event.answer()
        chat_id, user_id = callback_chat_id(event), event.from_user.id
    else:
        chat_id = event.chat.id
        user_id = event.from_user.id if event.from_user else chat_id
    async with ChatActionSender.typing(bot=bot, chat_id=chat_id):
        context = await load_context(state)
        decision = decide(library, question, context)
        answer = decision.answer
        await save_context(state, answer, context)
        record_id = None
        if journal is not None and answer.problem is None:
            record_id = await record_answer(journal, user_id, answer, library.index, decision.pair)
        if decision.series is not None:
            await send_chart(bot, chat_id, decision.series)
            return
        if decision.pair is not None and record_id is None:
            # «Уточните» needs the journal behind its buttons: without it, the best answer.
            decision = Decision(answer)
        # A greeting or «что ты умеешь?» offers example questions the library answers.
        offered = tuple(pick_examples(library)) if answer.problem in SMALL_TALK else ()
        text, markup = decision_text(decision, record_id=record_id or 0, examples=offered)
        if answer.found and markup is None and record_id is not None and decision.pair is None:
            markup = answer_keyboard(record_id, chart=has_chart(library, answer))
        sent = await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        if answer.suggestions and markup is not None:
            suggestions.remember(chat_id, sent.message_id, answer.suggestions)


async def not_text(message: Message) -> None:
    """Stickers, photos, voice, documents…: ask for words."""
    await message.answer(Text(NOT_TEXT_HINT.format(example=EXAMPLE_QUESTIONS[0])).as_html())


async def unknown_button(callback: CallbackQuery) -> None:
    """Callback data we do not recognise (old or forged)."""
    await callback.answer(STALE_BUTTON)
