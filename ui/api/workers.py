"""Agent calls in worker processes, so one server uses every core.

A turn is CPU-bound Python: in threads, the GIL runs one turn at a time however many cores
there are. A :class:`TurnPool` keeps N processes, each with its own agent built from the same
settings; sessions and profiles live in SQLite (WAL), so any worker can take any session, and
the web process still serialises the turns of one session (:class:`ui.api.service.SessionLocks`).
The web process itself holds no agent then (:class:`ui.api.pooled.PooledAgent`).

A worker that dies takes its whole pool down (``BrokenProcessPool``). The pool is replaced, and
each call that was running on it is tried once more alone, in a process of its own: a message
that crashes its worker every time then costs one pool and gets a clear error, not two pools.

Example::

    pool = TurnPool(settings, processes=2)
    pool.start()                      # returns at once; workers load in the background
    result = pool.call("turn", "something funny", session_id, user_id)   # blocks this thread
    pool.close()
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
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


def _exit_with_parent() -> None:
    """End this worker once the web process is gone, even killed outright (SIGKILL leaves its
    workers behind otherwise, each holding an agent): waits on the parent's sentinel."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)


def _start_worker(settings: Settings, build: Callable[[Settings], Any] | None) -> None:
    global _agent
    from threadpoolctl import threadpool_limits

    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()

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


def _spawn_pool(processes: int, settings: Settings, build: Callable[[Settings], Any] | None) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds SQLite connections and torch threads
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings, build))


class TurnPool:
    """Worker processes that each build an agent (with ``build``, default
    :func:`agent.wiring.build_agent`: a picklable function of the settings) and run its methods."""

    def __init__(self, settings: Settings, processes: int, build: Callable[[Settings], Any] | None = None):
        if processes < 1:
            raise ValueError("a turn pool needs at least one process")
        self.settings, self.processes, self._build = settings, processes, build
        self._pool = _spawn_pool(processes, settings, build)
        self._alone = _Alone(lambda: _spawn_pool(1, settings, build))
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self.error: BaseException | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        """Start every worker in the background; :attr:`ready` turns true when all have loaded."""
        threading.Thread(target=self._warm, args=(self._pool,), name="turn-pool-warm-up", daemon=True).start()

    def _warm(self, pool: ProcessPoolExecutor, deadline_s: float = 600.0) -> None:
        """Ping until every worker has answered (each ping holds its worker a moment, so the next
        lands on another one); a worker answers only once its agent is built."""
        try:
            pids: set[int] = set()
            deadline = time.monotonic() + deadline_s
            while len(pids) < self.processes and time.monotonic() < deadline:
                futures: list[Future] = [pool.submit(_ready, 0.2) for _ in range(self.processes)]
                pids |= {f.result() for f in futures}
            if len(pids) < self.processes:
                raise TimeoutError(f"{len(pids)} of {self.processes} turn workers answered in {deadline_s:.0f} s")
            log.info("turn pool ready: %d worker processes %s", len(pids), sorted(pids))
            if pool is self._pool:
                self._ready.set()
        except BaseException as e:  # noqa: BLE001 - reported by /readyz, not raised in a thread
            if pool is self._pool:  # not a pool already replaced (its calls restart it)
                self.error = e
                log.error("turn pool failed to start: %s", e)

    def call(self, method: str, *args) -> Any:
        """``agent.<method>(*args)`` in a worker, waiting for its result in this thread.

        A worker that dies (crashed, killed, out of memory) takes its pool down; the pool is
        replaced and the call tried once more, alone in a process of its own: it may be what
        crashed the worker, and then it must not take the new pool down too."""
        pool, future = self._submit(method, args)
        try:
            return future.result()
        except BrokenProcessPool:
            self._replace(pool)
            return self._alone.call(method, args)

    def _submit(self, method: str, args: tuple) -> tuple[ProcessPoolExecutor, Future]:
        """Submit to the current pool; one that had died before this call is replaced first."""
        pool = self._pool
        try:
            return pool, pool.submit(_call, method, args)
        except BrokenProcessPool:  # not this call's doing
            self._replace(pool)
        pool = self._pool
        try:
            return pool, pool.submit(_call, method, args)
        except BrokenProcessPool as e:  # the fresh pool is down already: say so, not a bare 500
            raise ApiError(503, "turn_workers_restarting", "the turn workers are restarting; retry shortly",
                           {"Retry-After": "5"}) from e

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:  # concurrent calls that saw the same death replace it once
                log.error("a turn worker died; restarting the turn pool")
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = _spawn_pool(self.processes, self.settings, self._build)
                self._ready.clear()  # /readyz says "starting" until the new workers have loaded
                self.error = None
                self.start()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._alone.close()


class _Alone:
    """One process for retrying calls that were running when their worker died, one call at a
    time: a call that crashes its worker again loses only this process, and is not tried again.
    Started when needed (it builds an agent), shared by the calls waiting, closed after the last."""

    def __init__(self, spawn: Callable[[], ProcessPoolExecutor]):
        self._spawn = spawn
        self._pool: ProcessPoolExecutor | None = None
        self._turn = threading.Lock()  # held while a call runs
        self._count = threading.Lock()
        self._waiting = 0

    def call(self, method: str, args: tuple) -> Any:
        with self._count:
            self._waiting += 1
        with self._turn:
            try:
                self._pool = self._pool or self._spawn()
                return self._pool.submit(_call, method, args).result()
            except BrokenProcessPool as e:
                self.close()
                log.error("a %s call crashed its turn worker twice; not tried again", method)
                raise ApiError(500, "worker_crashed", "this request crashed the turn worker that ran it, "
                               "then again on a retry of its own; it was not tried a third time") from e
            finally:
                with self._count:
                    self._waiting -= 1
                    last = not self._waiting
                if last:
                    self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
