"""One time budget per turn, shared by all of the turn's LLM calls.

The turn opens a budget (``with turn_budget(2.0):``); every LLM call made inside it, in this
thread or in threads started with :func:`map_in_budget`, gets at most the time left, and a call
that cannot finish in time is not started: its caller takes the embedded path. Outside a budget
(batch jobs, ``scenerec llm doctor``) calls keep their own timeouts.

Example::

    with turn_budget(2.0):
        remaining()                                   # 2.0 … 0.0
        map_in_budget(explain, picks)                 # concurrently, each with the same deadline
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("llm_turn_deadline", default=None)
_total: contextvars.ContextVar[float | None] = contextvars.ContextVar("llm_turn_budget", default=None)


@contextmanager
def turn_budget(seconds: float | None) -> Iterator[None]:
    """Every LLM call inside shares ``seconds`` (None or <= 0: no budget)."""
    seconds = seconds if seconds and seconds > 0 else None
    token = _deadline.set(time.monotonic() + seconds if seconds else None)
    total = _total.set(seconds)
    try:
        yield
    finally:
        _deadline.reset(token)
        _total.reset(total)


def total() -> float | None:
    """The whole budget of this turn (None outside a budget)."""
    return _total.get()


def remaining() -> float | None:
    """Seconds left in this turn's budget (never negative); None outside a budget."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def map_in_budget(fn: Callable[[T], R], items: Iterable[T], max_workers: int = 8) -> list[R]:
    """``[fn(x) for x in items]`` run concurrently when a budget is open (each in a copy of this
    context, so each sees the same deadline); in order, in this thread, otherwise."""
    items = list(items)
    if _deadline.get() is None or len(items) < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items)), thread_name_prefix="turn-llm") as pool:
        futures = [pool.submit(contextvars.copy_context().run, fn, x) for x in items]
        return [f.result() for f in futures]
