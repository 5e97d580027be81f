"""Make any :class:`~agent.llm.base.LLM` safe to call from a turn: a hard per-call timeout,
bounded retries with exponential backoff, a circuit breaker, and token/latency metrics.

Inside a turn's time budget (:mod:`agent.llm.budget`) a call gets at most the time left, retries
only while time is left, and is not started at all when the server's recent answers took longer
than what is left: a hung or slow server costs a turn its budget at most, never more.

Callers keep one rule: on :class:`LLMError` use the embedded path. While the breaker is open
every call fails at once with :class:`LLMUnavailable` (no time is spent on a sick server);
after ``reset_s`` one trial call goes through and, if it succeeds, the LLM path is back.

Example::

    llm = ResilientLLM(OpenAICompatibleLLM(url, model), timeout_s=3, retries=1)
    try:
        turn = llm.complete(messages, output_type=LLMTurn).parsed
    except LLMError:
        ...                                   # embedded understander / templates
    llm.health()                              # {'state': 'closed', 'calls': 12, 'p95_ms': 310.0, ...}
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from agent.llm import budget
from agent.llm.base import LLM, Capabilities, Completion, InvalidOutput, LLMError, LLMUnavailable, Message, T
from agent.llm.deadline import iterate_until

MIN_CALL_S = 0.05  # less time than this left in the budget: no call is started


class LLMTimeout(LLMError):
    """The model did not answer within the per-call timeout."""


class BudgetCut(LLMTimeout):
    """The turn's budget left this call too little time (under half the budget): it says nothing
    about the server, so the breaker does not count it."""


class CircuitBreaker:
    """Closed → open after ``failures`` consecutive failures; open → half-open after
    ``reset_s``, letting one trial call through; its success closes, its failure re-opens."""

    def __init__(self, failures: int = 3, reset_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.failures = failures
        self.reset_s = reset_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self.times_opened = 0

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.reset_s else "open"

    def retry_in_s(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.reset_s - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May a call go through now? In half-open state only one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_running = False

    def release(self) -> None:
        """A call that says nothing about the server ended: a half-open trial may run again."""
        with self._lock:
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            if self._trial_running or self._consecutive >= self.failures:
                if self._opened_at is None or self._trial_running:
                    self.times_opened += 1
                self._opened_at = self._clock()
            self._trial_running = False


@dataclass
class LLMMetrics:
    """Counters and a window of recent latencies (successful calls)."""

    calls: int = 0
    successes: int = 0
    failures: int = 0
    timeouts: int = 0
    invalid_outputs: int = 0
    retries: int = 0
    short_circuited: int = 0
    over_budget: int = 0  # calls not started: the turn's budget could not hold them
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latencies_ms: deque = field(default_factory=lambda: deque(maxlen=1000))

    def percentile(self, q: float) -> float | None:
        values = sorted(self.latencies_ms)
        if not values:
            return None
        return round(values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))], 1)

    def snapshot(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "latencies_ms"}
        return data | {"p50_ms": self.percentile(50), "p95_ms": self.percentile(95)}


def _retryable(e: BaseException) -> bool:
    """Transport errors and timeouts are worth another try; a refusal or bad output is not."""
    return isinstance(e, LLMError) and not isinstance(e, (InvalidOutput, LLMUnavailable, BudgetCut))


def _budget_spent(_state) -> bool:
    """Stop retrying once the turn's budget cannot hold another attempt."""
    left = budget.remaining()
    return left is not None and left < MIN_CALL_S


class ResilientLLM:
    """Wraps an LLM with timeout, retries, circuit breaker and metrics (same interface)."""

    def __init__(self, inner: LLM, timeout_s: float = 10.0, retries: int = 1, backoff_s: float = 0.25,
                 breaker: CircuitBreaker | None = None, max_workers: int = 8):
        self.inner = inner
        self.name = f"resilient({inner.name})"
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.breaker = breaker or CircuitBreaker()
        self.metrics = LLMMetrics()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="llm-call")
        self._answered_ms: deque[float] = deque(maxlen=20)  # recent calls the server answered (valid or not)

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    @property
    def available(self) -> bool:
        """False while the breaker is open: callers may skip the LLM without trying."""
        return self.inner.available and self.breaker.state != "open"

    def health(self) -> dict:
        with self._lock:
            snapshot = self.metrics.snapshot()
        return {"backend": self.inner.name, "state": self.breaker.state,
                "retry_in_s": round(self.breaker.retry_in_s(), 1), **snapshot}

    def _count(self, **increments: int) -> None:
        with self._lock:
            for key, value in increments.items():
                setattr(self.metrics, key, getattr(self.metrics, key) + value)

    def expected_ms(self) -> float | None:
        """The median time of the server's recent answers (None before any)."""
        with self._lock:
            recent = sorted(self._answered_ms)
        return recent[len(recent) // 2] if recent else None

    def _fits(self, left_s: float) -> bool:
        expected = self.expected_ms()
        return left_s >= MIN_CALL_S and (expected is None or expected / 1000 <= left_s)

    def _timeout(self) -> float:
        """This attempt's deadline: the per-call timeout, or less when the turn's budget has less."""
        left = budget.remaining()
        return self.timeout_s if left is None else min(self.timeout_s, left)

    def _attempt(self, messages: list[Message], output_type: type[T] | None) -> Completion[T]:
        """One call with a hard deadline, whatever the backend does with its own timeout."""
        timeout = self._timeout()
        t0 = time.perf_counter()
        future = self._pool.submit(self.inner.complete, messages, output_type)
        try:
            done = future.result(timeout=timeout)
        except FutureTimeout as e:
            future.cancel()
            raise self._late(timeout) from e
        except InvalidOutput:
            self._answered(t0)  # it answered (junk): the time it took still tells the budget
            raise
        except LLMError:
            raise
        except Exception as e:  # noqa: BLE001 - any backend failure means "no answer"
            raise LLMError(f"{type(e).__name__}: {e}") from e
        self._answered(t0)
        if done.usage:
            self._count(prompt_tokens=done.usage.input_tokens, completion_tokens=done.usage.output_tokens)
        return done

    def _answered(self, t0: float) -> None:
        with self._lock:
            self._answered_ms.append((time.perf_counter() - t0) * 1000)

    def complete(self, messages: list[Message], output_type: type[T] | None = None) -> Completion[T]:
        late = self._over_budget()  # before the breaker: a trial call is not spent
        if late is not None:
            raise late
        if not self.breaker.allow():
            self._count(short_circuited=1)
            raise LLMUnavailable(f"LLM circuit open after repeated failures; next try in "
                                 f"{self.breaker.retry_in_s():.0f} s (using the embedded path)")
        self._count(calls=1)
        t0 = time.perf_counter()
        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1) | _budget_spent,
            wait=wait_exponential(multiplier=self.backoff_s, max=4 * self.backoff_s),
            retry=retry_if_exception(_retryable),
            before_sleep=lambda _: self._count(retries=1),
            reraise=True,
        )
        try:
            done = retrying(self._attempt, messages, output_type)
        except BudgetCut:
            self._count(over_budget=1)
            self.breaker.release()
            raise
        except LLMError as e:
            self._count(failures=1, invalid_outputs=int(isinstance(e, InvalidOutput)))
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        with self._lock:
            self.metrics.successes += 1
            self.metrics.latencies_ms.append((time.perf_counter() - t0) * 1000)
        return done

    def _over_budget(self) -> LLMTimeout | None:
        """Why a call must not start now (the turn's budget cannot hold it), or None."""
        left = budget.remaining()
        if left is not None and not self._fits(left):
            self._count(over_budget=1)
            return LLMTimeout(f"{left:.2f} s left of the turn's time budget, less than this server's recent "
                              "answers take (using the embedded path)")
        return None

    def _late(self, timeout: float) -> LLMTimeout:
        self._count(timeouts=1)
        whole = budget.total()
        if whole is not None and timeout < min(self.timeout_s, whole / 2):
            return BudgetCut(f"no answer in the {timeout:.2g} s left of the turn's budget")
        return LLMTimeout(f"no answer within {timeout:.2g} s")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Stream without retries (text already shown cannot be taken back), within the per-call
        timeout and the turn's budget: a stream not done in time ends with :class:`LLMTimeout`."""
        late = self._over_budget()
        if late is not None:
            raise late
        if not self.breaker.allow():
            self._count(short_circuited=1)
            raise LLMUnavailable("LLM circuit open after repeated failures (using the embedded path)")
        self._count(calls=1)
        t0, timeout, finished = time.perf_counter(), self._timeout(), False
        try:
            yield from iterate_until(lambda: self.inner.stream(messages), timeout, self._pool,
                                     lambda: self._late(timeout))
            finished = True
        except BudgetCut:
            self._count(over_budget=1)
            raise
        except Exception as e:
            self._count(failures=1)
            self.breaker.record_failure()
            raise e if isinstance(e, LLMError) else LLMError(f"{type(e).__name__}: {e}") from e
        finally:
            if not finished:
                self.breaker.release()  # a reader that stopped early says nothing about the server
        self._answered(t0)
        self.breaker.record_success()
        with self._lock:
            self.metrics.successes += 1
            self.metrics.latencies_ms.append((time.perf_counter() - t0) * 1000)
