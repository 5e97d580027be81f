"""Agent calls in worker processes, so one server uses every core.

A turn is CPU-bound Python: in threads, the GIL runs one turn at a time however many cores
there are. A :class:`TurnPool` keeps N processes, each with its own agent built from the same
settings; sessions and profiles live in SQLite (WAL), so any worker can take any session, and
the web process still serialises the turns of one session (:class:`ui.api.service.SessionLocks`).
The web process itself holds no agent then (:class:`ui.api.pooled.PooledAgent`).

Each worker is a one-process pool of its own: a worker that dies (``BrokenProcessPool``) is
replaced alone, in the background, while the others go on serving. The call that was running on
it is tried once more alone, in a process of its own: a message that crashes its worker every
time then costs one worker and gets a clear error, not two.

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
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
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

    from agent.wiring import settle_heap

    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()

    if build is None:
        from agent.wiring import build_agent as build
    _agent = build(settings)
    settle_heap()
    # one BLAS / OpenMP thread per worker (the workers themselves fill the cores); after the build,
    # because threadpoolctl can only limit the libraries already loaded
    threadpool_limits(1)


def _ready() -> int:
    return os.getpid()


def _call(method: str, args: tuple) -> Any:
    return getattr(_agent, method)(*args)


def _call_heard(method: str, args: tuple, pipe: multiprocessing.connection.Connection) -> Any:
    """``_call`` whose events go back to the web process over ``pipe`` as they happen (until it
    stops listening: the call itself goes on)."""
    def send(name: str, data: dict) -> None:
        if not pipe.closed:
            try:
                pipe.send((name, data))
            except OSError:
                pipe.close()

    try:
        return getattr(_agent, method)(*args, events=send)
    finally:
        pipe.close()


def default_processes(cpus: int | None = None) -> int:
    """One worker per core (at most 4); none on a single core, where threads do as well."""
    cpus = cpus or os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, 4)


def _spawn_pool(processes: int, settings: Settings, build: Callable[[Settings], Any] | None) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds SQLite connections and torch threads
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings, build))


class _Worker:
    """One worker process (a one-process executor): it dies alone, and is replaced alone."""

    def __init__(self, settings: Settings, build: Callable[[Settings], Any] | None):
        self.executor = _spawn_pool(1, settings, build)
        self.replaced = False

    def warm(self, deadline_s: float) -> int:
        """Wait until the worker's agent is built (it answers a ping); returns its process id."""
        return self.executor.submit(_ready).result(timeout=deadline_s)

    def watch(self, on_death: Callable[[_Worker], None]) -> None:
        """Call ``on_death(self)`` from a thread as soon as the process ends (even while idle)."""
        sentinels = [p.sentinel for p in self.executor._processes.values()]  # noqa: SLF001 - no public handle

        def wait() -> None:
            multiprocessing.connection.wait(sentinels)
            on_death(self)

        threading.Thread(target=wait, name="turn-worker-watch", daemon=True).start()


class TurnPool:
    """Worker processes that each build an agent (with ``build``, default
    :func:`agent.wiring.build_agent`: a picklable function of the settings) and run its methods.

    Each worker is a pool of its own: a worker that dies is replaced in the background while the
    others go on serving (no stall for the turns beside it; /readyz stays ready while one serves)."""

    def __init__(self, settings: Settings, processes: int, build: Callable[[Settings], Any] | None = None,
                 warm_deadline_s: float = 600.0):
        if processes < 1:
            raise ValueError("a turn pool needs at least one process")
        self.settings, self.processes, self._build = settings, processes, build
        self._warm_deadline_s = warm_deadline_s
        self._free: queue.Queue[_Worker] = queue.Queue()  # live workers not running a call
        self._live = 0  # workers built and not known dead
        self._started = threading.Event()  # every first worker has loaded once
        self._lock = threading.Lock()
        self._closed = self._starting = False
        self._workers: list[_Worker] = []
        self._alone = _Alone(lambda: _spawn_pool(1, settings, build))
        self.error: BaseException | None = None

    @property
    def ready(self) -> bool:
        """All first workers loaded, and at least one of them (or their replacements) alive."""
        return self._started.is_set() and self._live > 0

    def start(self) -> None:
        """Start every worker in the background; :attr:`ready` turns true when all have loaded.
        (The first call starts them when nothing did.)"""
        with self._lock:
            if self._starting:
                return
            self._starting = True
        threading.Thread(target=self._start_all, name="turn-pool-warm-up", daemon=True).start()

    def _start_all(self) -> None:
        threads = [threading.Thread(target=self._add_worker, name="turn-worker-warm-up", daemon=True)
                   for _ in range(self.processes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self._live == self.processes:
            log.info("turn pool ready: %d worker processes", self.processes)
            self._started.set()

    def _add_worker(self) -> None:
        """Spawn one worker, wait for its agent, then let it take calls."""
        worker = _Worker(self.settings, self._build)
        with self._lock:
            self._workers.append(worker)
        try:
            worker.warm(self._warm_deadline_s)
        except BaseException as e:  # noqa: BLE001 - reported by /readyz, not raised in a thread
            self.error = e
            log.error("a turn worker failed to start: %s", e)
            self._retire(worker)
            return
        with self._lock:
            if self._closed:
                worker.executor.shutdown(wait=False, cancel_futures=True)
                return
            self._live += 1
            self.error = None
        worker.watch(self._replace)
        self._free.put(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)

    def _replace(self, dead: _Worker) -> None:
        """A worker died: forget it, and start its replacement in the background (once, whoever
        noticed first: its watcher or a call)."""
        with self._lock:
            if dead.replaced or self._closed:
                return
            dead.replaced = True
            self._live -= 1
        log.error("a turn worker died; replacing it (the other workers go on serving)")
        self._retire(dead)
        threading.Thread(target=self._add_worker, name="turn-worker-replace", daemon=True).start()

    def _take(self) -> _Worker:
        """A free live worker, waiting for one; a 503 when none can come (start failed, closed)."""
        while True:
            try:
                worker = self._free.get(timeout=0.5)
                if not worker.replaced:  # one that died while idle is dropped here
                    return worker
            except queue.Empty:
                if self._closed or (self.error is not None and not self._live):
                    raise ApiError(503, "turn_workers_unavailable", "the turn workers are not running; retry shortly",
                                   {"Retry-After": "5"}) from self.error

    def call(self, method: str, *args) -> Any:
        """``agent.<method>(*args)`` in a worker, waiting for its result in this thread.

        A worker that dies (crashed, killed, out of memory) is replaced on its own. A call it was
        running is tried once more, alone in a process of its own: it may be what crashed the
        worker, and then it must not take another worker down too."""
        return self._run(method, args, None)

    def call_heard(self, events: Callable[[str, dict], None], method: str, *args) -> Any:
        """``call``, with ``events=`` for the agent's method: each event it sends in the worker is
        handed to ``events`` in this thread as it comes. (A retry alone after a worker died sends none.)"""
        return self._run(method, args, events)

    def _run(self, method: str, args: tuple, events: Callable[[str, dict], None] | None) -> Any:
        self.start()
        receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False) if events else (None, None)
        while True:
            worker = self._take()
            try:
                future = (worker.executor.submit(_call_heard, method, args, send) if events
                          else worker.executor.submit(_call, method, args))
            except BrokenProcessPool:  # it died while idle: not this call's doing
                self._replace(worker)
                continue
            break
        try:
            if events:
                _hear(receive, future, events)
            result = future.result()
        except BrokenProcessPool:
            self._replace(worker)
            return self._alone.call(method, args)
        except BaseException:
            self._free.put(worker)
            raise
        finally:
            if send is not None:
                send.close()
        self._free.put(worker)
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            worker.executor.shutdown(wait=True, cancel_futures=True)
        self._alone.close()


def _hear(receive: multiprocessing.connection.Connection, future, events: Callable[[str, dict], None]) -> None:
    """Hand each event from the worker to ``events`` until the call ends (and its pipe is drained)."""
    try:
        while True:
            if receive.poll(0.02):
                try:
                    events(*receive.recv())
                except EOFError:  # the worker closed its end: the call is over
                    return
            elif future.done():
                if not receive.poll(0):
                    return
    finally:
        receive.close()


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
