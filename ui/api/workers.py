"""Agent calls in worker processes, so one server uses every core.

A turn is CPU-bound Python: in threads, the GIL runs one turn at a time however many cores
there are. A :class:`TurnPool` keeps N processes, each with its own agent built from the same
settings; sessions and profiles live in SQLite (WAL), so any worker can take any session, and
the web process still serialises the turns of one session (:class:`ui.api.service.SessionLocks`).
The web process itself holds no agent then (:class:`ui.api.pooled.PooledAgent`).

Example::

    pool = TurnPool(settings, processes=2)
    pool.start()                      # returns at once; workers load in the background
    result = pool.call("turn", "something funny", session_id, user_id)   # blocks this thread
    pool.close()
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from agent.settings import Settings
from ui.api.errors import ApiError

log = logging.getLogger(__name__)
_agent = None  # the worker process's agent, built by _start_worker


def _start_worker(settings: Settings, build: Callable[[Settings], Any] | None) -> None:
    global _agent
    from threadpoolctl import threadpool_limits

    if build is None:
        from agent.wiring import build_agent as build
    _agent = build(settings)
    # one BLAS / OpenMP thread per worker (the workers themselves fill the cores); after the build,
    # because threadpoolctl can only limit the libraries already loaded
    threadpool_limits(1)


def _ready(pause_s: float) -> int:
    time.sleep(pause_s)  # hold this worker so the next probe lands on another one
    return os.getpid()


def _call(method: str, args: tuple) -> Any:
    return getattr(_agent, method)(*args)


def default_processes(cpus: int | None = None) -> int:
    """One worker per core (at most 4); none on a single core, where threads do as well."""
    cpus = cpus or os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, 4)


class TurnPool:
    """Worker processes that each build an agent (with ``build``, default
    :func:`agent.wiring.build_agent`: a picklable function of the settings) and run its methods."""

    def __init__(self, settings: Settings, processes: int, build: Callable[[Settings], Any] | None = None):
        if processes < 1:
            raise ValueError("a turn pool needs at least one process")
        self.settings, self.processes, self._build = settings, processes, build
        self._pool = self._new_pool()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self.error: BaseException | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent holds SQLite connections and torch threads
        return ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self.settings, self._build))

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        """Start every worker in the background; :attr:`ready` turns true when all have loaded."""
        threading.Thread(target=self._warm, name="turn-pool-warm-up", daemon=True).start()

    def _warm(self, deadline_s: float = 600.0) -> None:
        """Ping until every worker has answered (each ping holds its worker a moment, so the next
        lands on another one); a worker answers only once its agent is built."""
        try:
            pids: set[int] = set()
            deadline = time.monotonic() + deadline_s
            while len(pids) < self.processes and time.monotonic() < deadline:
                futures: list[Future] = [self._pool.submit(_ready, 0.2) for _ in range(self.processes)]
                pids |= {f.result() for f in futures}
            if len(pids) < self.processes:
                raise TimeoutError(f"{len(pids)} of {self.processes} turn workers answered in {deadline_s:.0f} s")
            log.info("turn pool ready: %d worker processes %s", len(pids), sorted(pids))
            self._ready.set()
        except BaseException as e:  # noqa: BLE001 - reported by /readyz, not raised in a thread
            self.error = e
            log.error("turn pool failed to start: %s", e)

    def call(self, method: str, *args) -> Any:
        """``agent.<method>(*args)`` in a worker, waiting for its result in this thread."""
        pool = self._pool
        try:
            return pool.submit(_call, method, args).result()
        except BrokenProcessPool:
            # a worker died (killed, out of memory): replace the pool and try this call once more
            self._replace(pool)
            retry = self._pool  # replaced at most once per death, whatever other calls do meanwhile
            try:
                return retry.submit(_call, method, args).result()
            except BrokenProcessPool as e:  # the fresh pool died too: say so, not a bare 500
                self._replace(retry)
                raise ApiError(503, "turn_workers_restarting", "the turn workers are restarting; retry shortly",
                               {"Retry-After": "5"}) from e

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:  # concurrent turns that saw the same death replace it once
                log.error("a turn worker died; restarting the turn pool")
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                self._ready.clear()  # /readyz says "starting" until the new workers have loaded
                self.start()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
