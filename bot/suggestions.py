"""Which questions the buttons under each "not found" reply stand for (bounded, in memory)."""

from __future__ import annotations

from collections import OrderedDict


class SuggestionMemory:
    """(chat id, message id) → the suggested questions behind that message's buttons.

    Only the most recent `max_messages` are kept; an older button falls back to its label.
    """

    def __init__(self, max_messages: int = 2_000) -> None:
        self.max_messages = max_messages
        self._items: OrderedDict[tuple[int, int], tuple[str, ...]] = OrderedDict()

    def remember(self, chat_id: int, message_id: int, questions: tuple[str, ...]) -> None:
        key = (chat_id, message_id)
        self._items[key] = questions
        self._items.move_to_end(key)
        while len(self._items) > self.max_messages:
            self._items.popitem(last=False)

    def question(self, chat_id: int, message_id: int, index: int) -> str | None:
        """The question at `index`, or None when unknown or out of range."""
        questions = self._items.get((chat_id, message_id))
        if questions is None or not 0 <= index < len(questions):
            return None
        return questions[index]

    def __len__(self) -> int:
        return len(self._items)
