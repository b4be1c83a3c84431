"""Journal record ids in order (1, 2, 3 …) in the bot's tests, so expected callback data
can be written out; the journal itself makes random 62-bit ids (knowledge.journal)."""

from __future__ import annotations

import itertools

import pytest

import knowledge.journal


@pytest.fixture(autouse=True)
def sequential_record_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count(1)
    monkeypatch.setattr(knowledge.journal, "_new_id", lambda: next(counter))
