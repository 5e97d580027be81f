"""The resilience wrapper in isolation: breaker states on a fake clock, retries, timeouts,
invalid output and metrics, with scripted backends (no server)."""

import time

import pytest

from pydantic import BaseModel

from agent.llm import LLMError, LLMUnavailable, Message, ScriptedLLM
from agent.llm.resilient import CircuitBreaker, InvalidOutput, LLMTimeout, ResilientLLM
from agent.settings import load_settings
from agent.wiring import build_llm

pytestmark = pytest.mark.usefixtures("settled_heap")  # timed turns: see conftest

MSGS = [Message(role="user", content="hi")]


class Intent(BaseModel):
    intent: str


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_breaker_opens_after_consecutive_failures_and_recovers_through_one_trial():
    clock = Clock()
    b = CircuitBreaker(failures=2, reset_s=10, clock=clock)
    b.record_failure()
    assert b.state == "closed" and b.allow()
    b.record_success()
    b.record_failure()
    assert b.state == "closed"  # a success in between resets the count
    b.record_failure()
    assert b.state == "open" and not b.allow() and b.retry_in_s() == 10
    clock.now = 10
    assert b.state == "half_open"
    assert b.allow() and not b.allow()  # one trial at a time
    b.record_failure()
    assert b.state == "open" and b.times_opened == 2
    clock.now = 25
    assert b.allow()
    b.record_success()
    assert b.state == "closed" and b.allow()


def test_retries_transport_errors_then_succeeds_and_counts():
    inner = ScriptedLLM([LLMError("connection reset"), '{"intent": "recommend"}'], repeat_last=False)
    llm = ResilientLLM(inner, timeout_s=2, retries=2, backoff_s=0.01)
    done = llm.complete(MSGS, output_type=Intent)
    assert done.parsed == Intent(intent="recommend") and done.text == '{"intent": "recommend"}'
    health = llm.health()
    assert (health["calls"], health["successes"], health["retries"], health["failures"]) == (1, 1, 1, 0)
    assert len(inner.calls) == 2 and health["p50_ms"] is not None


def test_retries_are_bounded_and_failures_open_the_circuit():
    inner = ScriptedLLM(LLMError("connection refused"))
    llm = ResilientLLM(inner, timeout_s=2, retries=1, backoff_s=0.01, breaker=CircuitBreaker(failures=2, reset_s=60))
    for _ in range(2):
        with pytest.raises(LLMError):
            llm.complete(MSGS)
    assert len(inner.calls) == 4  # 2 calls x (1 try + 1 retry)
    assert llm.breaker.state == "open" and not llm.available
    t = time.perf_counter()
    with pytest.raises(LLMUnavailable, match="circuit open"):
        llm.complete(MSGS)
    assert time.perf_counter() - t < 0.05 and len(inner.calls) == 4  # no call reached the backend
    assert llm.health()["short_circuited"] == 1


def test_invalid_json_is_not_retried_but_is_an_llm_error():
    inner = ScriptedLLM(["Sure! Here is your JSON: {intent: recommend", "[1, 2]", '{"intent": 3}'], repeat_last=False)
    llm = ResilientLLM(inner, retries=3, backoff_s=0.01)
    with pytest.raises(InvalidOutput, match="invalid JSON"):
        llm.complete(MSGS, output_type=Intent)
    with pytest.raises(InvalidOutput, match="not an object"):
        llm.complete(MSGS, output_type=Intent)
    with pytest.raises(InvalidOutput, match="does not fit Intent"):
        llm.complete(MSGS, output_type=Intent)
    assert len(inner.calls) == 3 and llm.health()["invalid_outputs"] == 3
    assert isinstance(InvalidOutput("x"), LLMError)


def test_hard_timeout_even_when_the_backend_ignores_its_own():
    def slow(messages, schema):
        time.sleep(1.5)
        return "late"

    llm = ResilientLLM(ScriptedLLM(slow), timeout_s=0.2, retries=1, backoff_s=0.01)
    t = time.perf_counter()
    with pytest.raises(LLMTimeout):
        llm.complete(MSGS)
    assert time.perf_counter() - t < 0.8  # two attempts of 0.2 s plus backoff, not 3 s
    assert llm.health()["timeouts"] == 2


def test_stream_passes_chunks_and_failures_count_towards_the_breaker():
    llm = ResilientLLM(ScriptedLLM("hello there, friend"), breaker=CircuitBreaker(failures=1))
    assert "".join(llm.stream(MSGS)) == "hello there, friend"
    broken = ResilientLLM(ScriptedLLM(RuntimeError("socket closed")), breaker=CircuitBreaker(failures=1))
    with pytest.raises(LLMError, match="socket closed"):
        list(broken.stream(MSGS))
    with pytest.raises(LLMUnavailable):
        list(broken.stream(MSGS))


def test_build_llm_wraps_configured_backends_from_settings(tmp_path):
    llm = build_llm(load_settings(data_dir=tmp_path, llm_backend="openai", llm_timeout_s=1.5, llm_retries=2,
                                  llm_breaker_failures=5, llm_breaker_reset_s=7))
    assert isinstance(llm, ResilientLLM) and llm.inner.name == "openai"
    assert (llm.timeout_s, llm.retries, llm.breaker.failures, llm.breaker.reset_s) == (1.5, 2, 5, 7)
    assert build_llm(load_settings(data_dir=tmp_path)).name == "none"


def test_a_stream_gets_the_same_hard_deadline_and_hands_chunks_over_as_they_come():
    def slow_chunks(_messages):
        for piece in ("one ", "two ", "three"):
            time.sleep(0.3)
            yield piece

    inner = ScriptedLLM("unused")
    inner.stream = slow_chunks
    llm = ResilientLLM(inner, timeout_s=0.5, breaker=CircuitBreaker(failures=1))
    t, got = time.perf_counter(), []
    with pytest.raises(LLMTimeout):
        for chunk in llm.stream(MSGS):
            got.append((chunk, time.perf_counter() - t))
    assert [c for c, _ in got] == ["one "] and 0.25 < got[0][1] < 0.45  # the first chunk came when it was made
    assert time.perf_counter() - t < 0.7 and llm.health()["timeouts"] == 1  # cut at 0.5 s, not 0.9 s
    assert llm.breaker.state == "open"
