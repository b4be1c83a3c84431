"""Callback data of the inline buttons: short, typed, and only ever an index into a list."""

import hashlib

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery


def callback_chat_id(callback: CallbackQuery) -> int:
    """The chat a button was pressed in (the user's own chat when the message is gone)."""
    return callback.message.chat.id if callback.message else callback.from_user.id


class ExampleCallback(CallbackData, prefix="ex"):
    """Press an example question from /start: index into render.EXAMPLE_QUESTIONS."""

    index: int


class SuggestionCallback(CallbackData, prefix="sg"):
    """Press a suggestion under a "not found" reply: index into that message's suggestions."""

    index: int


class TopicCallback(CallbackData, prefix="tp"):
    """Open a topic from /topics: index into library.index.topics() (as listed then), and a
    short checksum of its name, so that a button from before a reload is never misread."""

    index: int
    check: str


class TopicPageCallback(CallbackData, prefix="tpg"):
    """«ещё» / «назад» under a topic's facts: the topic as in TopicCallback, and a page."""

    index: int
    check: str
    page: int


class FeedbackCallback(CallbackData, prefix="fb"):
    """👍 / 👎 under an answer: the journal's record id of that answer."""

    id: int
    up: bool


class PickCallback(CallbackData, prefix="pk"):
    """One of the facts offered for a question ("did you mean", or the alternatives after 👎):
    the journal record of the question, and an index into its stored fact ids."""

    id: int
    index: int


def topic_check(name: str) -> str:
    """The checksum a topic button carries: 6 hex digits of the topic's name."""
    return hashlib.blake2s(name.encode(), digest_size=3).hexdigest()


class SubscribeCallback(CallbackData, prefix="sb"):
    """A topic button of /subscribe: the topic as in TopicCallback (index and checksum);
    pressing it subscribes or unsubscribes."""

    index: int
    check: str


class ChartCallback(CallbackData, prefix="ch"):
    """«📈 График» under an answer: the journal record of its question."""

    id: int
