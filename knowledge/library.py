"""The live knowledge a process serves: the store plus the index of its current generation.

Questions read `library.index` (an immutable FactIndex); a reload builds a new index off to
the side and swaps it in with one assignment, so a question never sees half a generation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .answer import Answer, ask, ask_in_context
from .articles import Article, Skipped, parse_article_bytes, repeat_reason, repeats, sentence_key
from .background import off_loop
from .conversation import Context
from .facts import Fact
from .index import FactIndex
from .store import BuildError, BuildReport, FactStore

logger = logging.getLogger(__name__)


class ArticleRefused(Exception):
    """An article `Library.add_article` did not take (nothing was saved); str() is why, in
    Russian, for the admin who sent it."""


class ArticleNotLoaded(BuildError):
    """The article was saved as `file_name`, but the reload after it failed with `cause`
    (the old index keeps serving; the next reload takes the file)."""

    def __init__(self, article: Article, file_name: str, cause: Exception) -> None:
        super().__init__(str(cause))
        self.article = article
        self.file_name = file_name
        self.cause = cause


@dataclass(frozen=True)
class AddedArticle:
    article: Article
    file_name: str  # what it was saved as in the articles folder
    report: BuildReport  # the reload's


@dataclass(frozen=True)
class Stock:
    """What the served articles are: how many, and the period their dates cover."""

    articles: int
    first: dt.date | None
    last: dt.date | None


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
        # Why the library serves less than the store holds (set at start-up when the stored
        # generation could not be indexed whole), for the admins; None when all is well.
        self.problem: str | None = None
        self._unindexable: int | None = None  # a generation whose index failed to build
        # Per index (cleared on every swap): what does not change until the next generation
        # and costs a lot on a big corpus to work out again for every /start.
        self._answered: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._stock: Stock | None = None

    @classmethod
    async def open(cls, store: FactStore, articles_dir: Path) -> Library:
        """Load the store's current generation, building it from `articles_dir` when empty."""
        library = cls(store, articles_dir)
        if await store.generation() == 0 and articles_dir.is_dir():
            report = await store.rebuild_from(articles_dir, check=_build_index)
            if isinstance(report.checked, FactIndex):
                library._swap(report.checked)  # built by the check: not built twice
        try:
            await library.refresh()
        except Exception as error:  # MemoryError included: start anyway, on what indexes
            logger.exception("The stored generation cannot be indexed whole")
            await library._start_without_what_fails(error)
        return library

    async def _start_without_what_fails(self, error: Exception) -> None:
        """Serve the stored generation without the articles that cannot be indexed (each is
        tried alone), and say so in `problem`. The store keeps one generation, so this is the
        last good state there is: every generation is checked before it is committed, and
        one that fails here failed only now (less memory, other code)."""
        generation, facts = await self.store.snapshot()

        def without_failing(_stop: object) -> tuple[FactIndex, list[str]]:
            good: list[Fact] = []
            failing: list[str] = []
            for article_id, group in groupby(facts, key=lambda fact: fact.article_id):
                article_facts = list(group)
                try:
                    FactIndex.build(article_facts, generation=generation)
                except Exception:
                    logger.exception("Article %s cannot be indexed", article_id)
                    failing.append(article_id)
                else:
                    good.extend(article_facts)
            return FactIndex.build(good, generation=generation), failing

        try:
            index, failing = await off_loop(without_failing, name="citybot-index")
        except Exception:
            logger.exception("Not even the articles one by one can be indexed: serving none")
            index, failing = FactIndex.build([], generation=generation), ["все статьи"]
        self._swap(index)
        reason = f"{type(error).__name__}: {error}".rstrip(": ")
        left_out = ", ".join(failing) if failing else "ни одной (вместе не строится)"
        self.problem = (
            f"Версию {generation} не удалось проиндексировать целиком ({reason}). "
            f"Работаю без статей: {left_out}."
        )
        logger.error("Serving generation %d without: %s", generation, left_out)

    def ask(self, question: str, context: Context | None = None) -> Answer:
        """Answer from the current index (no database round trip); with the chat's
        `context`, a follow-up («а в 2024?») is read against its last answer."""
        return ask_in_context(self.index, question, context)

    async def refresh(self) -> bool:
        """Swap in the store's generation if it is newer than the served one.

        If it cannot be indexed, the error is raised once and the served index stays; that
        generation is not tried again (the watcher would rebuild it every few seconds).
        """
        async with self._refresh_lock:
            stored = await self.store.generation()
            if stored == self.index.generation and self.index.facts:
                return False
            if stored == self._unindexable:
                return False
            generation, facts = await self.store.snapshot()
            # Building the index is CPU work: keep the event loop answering meanwhile, and
            # never hold up a shutdown (a daemon thread, see knowledge.background).
            try:
                index = await off_loop(lambda _stop: _build_index(generation, facts))
            except Exception:
                self._unindexable = generation
                raise
            self._swap(index)
            return True

    def _swap(self, index: FactIndex) -> None:
        self.index = index
        self._answered = {}
        self._stock = None
        for listener in self.swap_listeners:
            listener(index)

    def answered(self, questions: tuple[str, ...]) -> tuple[int, ...]:
        """The positions of the `questions` the served index answers (worked out once per
        index)."""
        index = self.index
        found = self._answered.get(questions)
        if found is None:
            found = tuple(i for i, q in enumerate(questions) if ask(index, q).found)
            if self.index is index:  # not swapped meanwhile
                self._answered[questions] = found
        return found

    async def stock(self) -> Stock:
        """How many articles the store holds and the period they cover (read once per
        index: the index is replaced whenever the store's articles change)."""
        index = self.index
        stock = self._stock
        if stock is None:
            infos = await self.store.articles()
            dates = sorted(info.date for info in infos if info.date is not None)
            stock = Stock(len(infos), dates[0] if dates else None, dates[-1] if dates else None)
            if self.index is index:
                self._stock = stock
        return stock

    async def reload(self) -> BuildReport:
        """Re-read the articles folder, rebuild the store, serve the new generation.

        Raises BuildError when the rebuild cannot run, or when the new generation cannot be
        indexed (then nothing is committed); the old index keeps serving.
        """
        async with self._reload_lock:
            report = await self.store.rebuild_from(self.articles_dir, check=_build_index)
            built = report.checked
            if isinstance(built, FactIndex):
                # The index the check built is the committed generation's: serve it as is.
                async with self._refresh_lock:
                    if built.generation > self.index.generation:
                        self._swap(built)
                        self.problem = None
            await self.refresh()
            if report.changed_anything:
                for listener in self.reload_listeners:
                    await listener(report)
            return report

    async def add_article(self, raw: bytes, *, now: dt.datetime | None = None) -> AddedArticle:
        """Check an article an admin sends, save it to the articles folder, reload.

        Everything that would make the reload skip it is refused first (ArticleRefused,
        nothing saved): a bad file, a front matter header without a date, a date out of
        range, an article already loaded, or a copy of one (by its sentences, whatever its
        front matter). When the reload after saving fails: ArticleNotLoaded.
        """
        parsed = await off_loop(
            lambda _stop: parse_article_bytes(raw, dated_header=True), name="citybot-add"
        )
        if isinstance(parsed, Skipped):
            raise ArticleRefused(parsed.reason)
        loaded = {info.content_hash: info.id for info in await self.store.articles()}
        if parsed.content_hash in loaded:
            raise ArticleRefused(f"такая статья уже загружена ({loaded[parsed.content_hash]})")
        owners: dict[str, str] = {}
        for fact in self.index.facts:
            owners.setdefault(sentence_key(fact.text), fact.article_id)
        copied = repeats(parsed, owners)
        if copied is not None:
            raise ArticleRefused(repeat_reason(copied))
        moment = now or dt.datetime.now(dt.UTC)
        path = await asyncio.to_thread(save_article, raw, self.articles_dir, moment)
        try:
            report = await self.reload()
        except Exception as error:
            # Not chained: the caller decides on `cause` (a reload is not retried by
            # retrying the whole add, which would find the file already saved).
            raise ArticleNotLoaded(parsed, path.name, error) from None
        return AddedArticle(parsed, path.name, report)


def save_article(raw: bytes, articles_dir: Path, now: dt.datetime) -> Path:
    """Write `raw` to `articles_dir` as add_<YYYYmmdd_HHMMSS>_<sha8>.txt (never a name from
    the sender), atomically: a hidden temporary file first, which reloads skip."""
    if not articles_dir.is_dir():
        raise ArticleRefused(f"папка со статьями не найдена: {articles_dir}")
    digest = hashlib.sha256(raw).hexdigest()[:8]
    for existing in articles_dir.glob(f"add_*_{digest}.txt"):
        with suppress(OSError):
            if existing.read_bytes() == raw:
                raise ArticleRefused(f"такая статья уже есть в папке ({existing.name})")
    target = articles_dir / f"add_{now:%Y%m%d_%H%M%S}_{digest}.txt"
    if target.exists():
        raise ArticleRefused("файл с таким именем уже есть, пришлите статью ещё раз")
    temporary = articles_dir / f".{target.name}.part"
    try:
        with temporary.open("xb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(target)
    except OSError as error:
        with suppress(OSError):
            temporary.unlink()
        logger.warning("Could not save an article: %s", error)
        raise ArticleRefused(f"не удалось сохранить файл: {error.strerror or error}") from None
    return target


def _build_index(generation: int, facts: list[Fact]) -> FactIndex:
    """The index of one generation (a store rebuild's check, and every refresh)."""
    return FactIndex.build(facts, generation=generation)
