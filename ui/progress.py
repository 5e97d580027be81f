"""A rich progress bar adapter for the ingest ``Progress`` callback (writes to stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def rich_progress(enabled: bool = True) -> Iterator[Callable[[str, int, int], Callable[[int], None]]]:
    if not enabled:
        yield lambda label, total, done=0: (lambda n: None)
        return
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console, transient=False) as bar:
        def start(label: str, total: int, done: int = 0) -> Callable[[int], None]:
            task = bar.add_task(label, total=total, completed=done)
            return lambda n: bar.advance(task, n)

        yield start
