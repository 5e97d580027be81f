"""Progress for the ingest ``Progress`` callback, on stderr: a live rich bar on a terminal, and
where stderr is no terminal (a pipe, a log file, a service manager) plain lines every few seconds,
so a long first build is never silent."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Start = Callable[..., Callable[[int], None]]


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class LineProgress:
    """'label: 2,304/9,066 (25%), 0:41 elapsed, about 2:03 left' at most every ``every_s`` seconds
    and when a task completes."""

    def __init__(self, stream: TextIO, every_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.stream, self.every_s, self.clock = stream, every_s, clock

    def start(self, label: str, total: int, done: int = 0) -> Callable[[int], None]:
        began = self.clock()
        state = {"done": done, "printed": began, "start_done": done}
        self._line(label, done, total, 0.0, None)

        def advance(n: int) -> None:
            state["done"] += n
            now = self.clock()
            finished = state["done"] >= total
            if finished or now - state["printed"] >= self.every_s:
                state["printed"] = now
                rate = (state["done"] - state["start_done"]) / max(now - began, 1e-9)
                left = (total - state["done"]) / rate if rate > 0 and not finished else None
                self._line(label, state["done"], total, now - began, left)

        return advance

    def _line(self, label: str, done: int, total: int, elapsed: float, left: float | None) -> None:
        pct = f" ({100 * done / total:.0f}%)" if total else ""
        tail = f", about {_clock(left)} left" if left is not None else ""
        self.stream.write(f"{label}: {done:,}/{total:,}{pct}, {_clock(elapsed)} elapsed{tail}\n")
        self.stream.flush()


@contextmanager
def rich_progress(enabled: bool = True, stream: TextIO | None = None) -> Iterator[Start]:
    if not enabled:
        yield lambda label, total, done=0: (lambda n: None)
        return
    stream = stream or sys.stderr
    if not stream.isatty():
        yield LineProgress(stream).start
        return
    bars = []  # the live bar, started with the first task: a start with nothing to build never imports rich

    def start(label: str, total: int, done: int = 0) -> Callable[[int], None]:
        if not bars:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            bars.append(Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=Console(file=stream),
                                 transient=False))
            bars[0].start()
        bar = bars[0]
        task = bar.add_task(label, total=total, completed=done)
        return lambda n: bar.advance(task, n)

    try:
        yield start
    finally:
        if bars:
            bars[0].stop()
