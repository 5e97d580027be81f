"""The turn pool's worker processes, for real, with a stand-in agent that can end its process: a
worker that dies is replaced alone while the others serve, and the call tried once more; a message
that crashes its worker every time costs one worker, not two, and its caller gets a clear error."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from agent.settings import load_settings
from ui.api.errors import ApiError
from ui.api.workers import TurnPool

pytestmark = pytest.mark.usefixtures("settled_heap")  # timed turns: see conftest


class StandInAgent:
    """Answers a turn with its process id. ``crash`` ends the process at once, as a segfault in a
    native library would; ``slow PATH`` writes the process id to PATH, then takes a few seconds."""

    def turn(self, message: str, session_id: str | None = None, user_id: str | None = None) -> int:
        if message == "crash":
            os._exit(70)
        if message.startswith("slow "):
            Path(message.removeprefix("slow ")).write_text(str(os.getpid()))
            time.sleep(3)
        return os.getpid()


def build_stand_in(_settings) -> StandInAgent:
    return StandInAgent()


def build_slow_stand_in(_settings) -> StandInAgent:
    time.sleep(6)  # as long as a real agent takes to load, near enough
    return StandInAgent()


def started(pool: TurnPool) -> TurnPool:
    pool.start()
    deadline = time.monotonic() + 120
    while not pool.ready:
        assert pool.error is None and time.monotonic() < deadline, pool.error
        time.sleep(0.05)
    return pool


@pytest.fixture
def pool(tmp_path):
    pool = started(TurnPool(load_settings(data_dir=tmp_path), processes=2, build=build_stand_in))
    yield pool
    pool.close()


def _restarts(caplog) -> int:
    return sum("a turn worker died; replacing it" in r.getMessage() for r in caplog.records)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_message_that_crashes_its_worker_costs_one_pool_and_gets_a_clear_error(pool, caplog):
    first = pool.call("turn", "hello")
    with pytest.raises(ApiError) as crashed:
        pool.call("turn", "crash")
    assert crashed.value.status == 500 and crashed.value.code == "worker_crashed"
    assert "crashed" in crashed.value.message
    assert _restarts(caplog) == 1  # the worker it ran on; the retry ran in a process of its own
    served = {pool.call("turn", "hello") for _ in range(4)}
    assert served and all(_alive(p) for p in served)  # the pool serves, unharmed
    assert _restarts(caplog) == 1 and _alive(first) or first not in served


def _slow_call(callers: ThreadPoolExecutor, pool: TurnPool, mark: Path) -> tuple[Future, int]:
    """A slow call started in a worker: its future and that worker's process id."""
    future = callers.submit(pool.call, "turn", f"slow {mark}")
    deadline = time.monotonic() + 30
    while not mark.exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return future, int(mark.read_text())


def test_a_call_whose_worker_is_killed_while_running_is_retried_once(pool, caplog, tmp_path):
    with ThreadPoolExecutor(1) as caller:
        answer, victim = _slow_call(caller, pool, tmp_path / "running-in")
        os.kill(victim, signal.SIGKILL)  # an outside cause: the OOM killer, an operator
        assert answer.result(timeout=120) not in (victim, None)
    assert _restarts(caplog) == 1
    assert _alive(pool.call("turn", "hello"))


def test_a_call_beside_the_crash_is_answered_and_the_crash_is_not(pool, caplog, tmp_path):
    with ThreadPoolExecutor(2) as callers:
        beside, first_run = _slow_call(callers, pool, tmp_path / "running-in")
        crash = callers.submit(pool.call, "turn", "crash")  # on the other worker: only that one goes down
        assert beside.result(timeout=120) == first_run  # answered by its own worker, undisturbed
        with pytest.raises(ApiError) as crashed:
            crash.result(timeout=120)
    assert crashed.value.code == "worker_crashed"
    assert _restarts(caplog) == 1


def test_a_worker_killed_while_idle_costs_no_call(pool, caplog):
    victim = pool.call("turn", "hello")
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.5)
    assert pool.call("turn", "hello") != victim
    assert _restarts(caplog) == 1


def test_one_crashed_worker_does_not_stall_the_others(tmp_path, caplog):
    """While a dead worker's replacement loads (seconds, as a real agent does), every call is
    answered by the others at once, and the pool stays ready."""
    pool = started(TurnPool(load_settings(data_dir=tmp_path), processes=2, build=build_slow_stand_in))
    try:
        with pytest.raises(ApiError):
            pool.call("turn", "crash")
        t = time.monotonic()
        stalls = []
        while time.monotonic() - t < 8:  # longer than the replacement takes to load
            c = time.monotonic()
            assert _alive(pool.call("turn", "hello"))
            stalls.append(time.monotonic() - c)
            assert pool.ready
            time.sleep(0.1)
        assert max(stalls) < 3.0, max(stalls)
        assert _restarts(caplog) == 1
        assert len({pool.call("turn", "hello") for _ in range(10)}) >= 1
    finally:
        pool.close()


PARENT = """
import sys, time
from agent.settings import load_settings
from ui.api.workers import TurnPool
pool = TurnPool(load_settings(data_dir=sys.argv[1]), processes=2, build=__import__("tests.test_turn_pool", fromlist=["x"]).build_stand_in)
pids = {pool.call("turn", "hello") for _ in range(20)}
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(600)
"""


def test_workers_end_when_the_web_process_is_killed_outright(tmp_path):
    """SIGKILL gives the web process no chance to close its pool: the workers notice and end."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert workers and all(_alive(p) for p in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 15
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers), "workers outlived their killed web process"
