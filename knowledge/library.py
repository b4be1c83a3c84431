"""The live knowledge a process serves: the store plus the index of its current generation.

Questions read `library.index` (an immutable FactIndex); a reload builds a new index off to
the side and swaps it in with one assignment, so a question never sees half a generation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from .answer import Answer, ask
from .index import FactIndex
from .store import BuildReport, FactStore


class Library:
    def __init__(self, store: FactStore, articles_dir: Path) -> None:
        self.store = store
        self.articles_dir = articles_dir
        self.index = FactIndex.build([], generation=0)
        self._reload_lock = asyncio.Lock()
        # One refresh at a time: a slow one (the generation watcher's) must not swap an older
        # index in after a newer one (reload's).
        self._refresh_lock = asyncio.Lock()
        # Awaited after a reload that changed the store (knowledge.watch publishes to Redis).
        self.reload_listeners: list[Callable[[BuildReport], Awaitable[None]]] = []
        # Called with each new index once it serves, whoever swapped it in (a reload here or
        # the generation watcher after a reload elsewhere): the bot freezes the heap.
        self.swap_listeners: list[Callable[[FactIndex], None]] = []

    @classmethod
    async def open(cls, store: FactStore, articles_dir: Path) -> Library:
        """Load the store's current generation, building it from `articles_dir` when empty."""
        library = cls(store, articles_dir)
        if await store.generation() == 0 and articles_dir.is_dir():
            await store.rebuild_from(articles_dir)
        await library.refresh()
        return library

    def ask(self, question: str) -> Answer:
        """Answer from the current index (no database round trip)."""
        return ask(self.index, question)

    async def refresh(self) -> bool:
        """Swap in the store's generation if it is newer than the served one."""
        async with self._refresh_lock:
            if await self.store.generation() == self.index.generation and self.index.facts:
                return False
            generation, facts = await self.store.snapshot()
            # Building the index is CPU work: keep the event loop answering meanwhile.
            index = await asyncio.to_thread(FactIndex.build, facts, generation=generation)
            self.index = index
            for listener in self.swap_listeners:
                listener(index)
            return True

    async def reload(self) -> BuildReport:
        """Re-read the articles folder, rebuild the store, serve the new generation.

        Raises BuildError when the rebuild cannot run; the old index keeps serving.
        """
        async with self._reload_lock:
            report = await self.store.rebuild_from(self.articles_dir)
            await self.refresh()
            if report.changed_anything:
                for listener in self.reload_listeners:
                    await listener(report)
            return report
