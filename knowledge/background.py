"""CPU work off the event loop, in a thread that never holds up the process's exit.

`asyncio.to_thread` runs work in the loop's default pool, and `asyncio.run` joins that pool
on the way out: a build still running at SIGTERM kept the process alive (one core busy) long
after «Polling stopped». `off_loop` runs the work in a daemon thread instead, and tells it to
stop when the coroutine waiting for it is cancelled.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

_T = TypeVar("_T")


class Stop:
    """Asked by long work between its steps (an article, a file): True once the coroutine
    waiting for the work was cancelled, so the work should give up (raise `Stopped`)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def __call__(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()


async def off_loop(work: Callable[[Stop], _T], *, name: str = "citybot-build") -> _T:
    """`work(stop)` in a daemon thread; its result, or its exception, here.

    Cancelled meanwhile (shutdown), `stop` is set and the thread is left to notice it or to
    end with the process: a daemon thread is never waited for at exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()
    stop = Stop()

    def deliver(outcome: tuple[bool, Any]) -> None:
        if future.done():
            return
        ok, value = outcome
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        outcome: tuple[bool, Any]
        try:
            outcome = (True, work(stop))
        except BaseException as error:  # MemoryError included: reported, not lost
            outcome = (False, error)
        with suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(deliver, outcome)

    threading.Thread(target=run, name=name, daemon=True).start()
    try:
        return await future
    except asyncio.CancelledError:
        stop.set()
        raise
