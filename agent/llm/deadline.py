"""Read a stream of chunks under a deadline, whatever the producer does with its own timeouts.

The chunks are produced in a pool thread and handed over through a queue; when the deadline
passes first, the reader gets ``on_timeout()`` raised and the producer is told to stop (it
closes its stream at its next chunk, which closes the HTTP response).

Example::

    for chunk in iterate_until(lambda: backend.stream(messages), 2.0, pool, lambda: LLMTimeout("late")):
        send(chunk)
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor

_END = object()


def iterate_until(open_stream: Callable[[], Iterator[str]], seconds: float, pool: Executor,
                  on_timeout: Callable[[], BaseException]) -> Iterator[str]:
    """The chunks of ``open_stream()``, each as soon as it arrives, until the stream ends or
    ``seconds`` pass (then ``on_timeout()`` is raised here). The producer's errors are raised here."""
    handoff: queue.Queue = queue.Queue()
    stop = threading.Event()

    def produce() -> None:
        stream = open_stream()
        try:
            for chunk in stream:
                if stop.is_set():
                    break
                handoff.put(chunk)
            handoff.put(_END)
        except BaseException as e:  # noqa: BLE001 - handed to the reader
            handoff.put(e)
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()

    deadline = time.monotonic() + seconds
    pool.submit(produce)
    try:
        while True:
            try:
                item = handoff.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise on_timeout() from None
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
