"""Callback data of the inline buttons: short, typed, and only ever an index into a list."""

from aiogram.filters.callback_data import CallbackData


class ExampleCallback(CallbackData, prefix="ex"):
    """Press an example question from /start: index into render.EXAMPLE_QUESTIONS."""

    index: int


class SuggestionCallback(CallbackData, prefix="sg"):
    """Press a suggestion under a "not found" reply: index into that message's suggestions."""

    index: int
