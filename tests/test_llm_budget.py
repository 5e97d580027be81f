"""One time budget per turn for all of its LLM calls: a hung server costs a turn its budget at
most, a healthy one is called concurrently, and a slow server answering junk opens the breaker.

The unit tests drive :class:`ResilientLLM` over a scripted backend that sleeps; the last ones run
whole agent turns against a real OpenAI-compatible server on loopback that hangs or takes 1 s."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import BaseModel

from agent.llm.base import LLMError, Message
from agent.llm.budget import map_in_budget, remaining, turn_budget
from agent.llm.fake import ScriptedLLM
from agent.llm.resilient import CircuitBreaker, ResilientLLM
from tests.openai_stub import FakeOpenAIServer

pytestmark = pytest.mark.usefixtures("settled_heap")  # timed turns: see conftest

HI = [Message(role="user", content="hi")]


class Intent(BaseModel):
    intent: str


def sleeping(seconds: float, text: str = '{"intent": "recommend"}', plain: str = "A fine pick."):
    def reply(_messages, schema):
        time.sleep(seconds)
        return text if schema else plain
    return reply


def llm_turn(llm: ResilientLLM, budget_s: float, explanations: int = 5) -> tuple[float, list[str]]:
    """What a turn asks of the LLM: understanding (schema), then one reason per pick, concurrently."""
    paths = []
    t = time.perf_counter()
    with turn_budget(budget_s):
        try:
            llm.complete(HI, Intent)
            paths.append("llm")
        except LLMError:
            paths.append("embedded")

        def explain(_n: int) -> str:
            try:
                llm.complete(HI)
                return "llm"
            except LLMError:
                return "template"
        paths += map_in_budget(explain, range(explanations))
    return time.perf_counter() - t, paths


def test_budget_is_shared_by_threads_and_gone_outside():
    assert remaining() is None
    with turn_budget(1.0):
        left = map_in_budget(lambda _: remaining(), range(3))
        assert all(0.9 < x <= 1.0 for x in left)
    assert remaining() is None
    with turn_budget(0):
        assert remaining() is None  # 0: no budget


def test_hung_server_costs_a_turn_its_budget_then_the_breaker_opens():
    hang = threading.Event()
    llm = ResilientLLM(ScriptedLLM(lambda m, s: hang.wait(60) and ""), timeout_s=10, retries=1,
                       breaker=CircuitBreaker(failures=3, reset_s=60))
    try:
        times = [llm_turn(llm, 0.5)[0] for _ in range(5)]
    finally:
        hang.set()
    assert max(times) < 0.5 + 0.2, times  # never the 10 s timeout × 2 attempts
    assert llm.breaker.state == "open" and times[-1] < 0.05  # after 3 failed turns: no time spent at all
    assert llm.health()["short_circuited"] >= 1


def test_healthy_server_calls_run_concurrently_within_the_budget():
    llm = ResilientLLM(ScriptedLLM(sleeping(0.3)), timeout_s=10)
    elapsed, paths = llm_turn(llm, 1.0)
    assert paths == ["llm"] + ["llm"] * 5
    assert elapsed < 0.8, elapsed  # 0.3 s understanding + 0.3 s for five reasons at once, not 1.8 s
    elapsed, paths = llm_turn(llm, 0.5)  # no room for a second round: reasons are not even started
    assert paths == ["llm"] + ["template"] * 5 and elapsed < 0.45, (elapsed, paths)
    assert llm.health()["over_budget"] == 5 and llm.breaker.state == "closed"


def test_slow_server_answering_junk_opens_the_breaker():
    llm = ResilientLLM(ScriptedLLM(sleeping(0.3, text="Sure! here you go")), timeout_s=10,
                       breaker=CircuitBreaker(failures=3, reset_s=60))
    for _ in range(3):
        assert llm_turn(llm, 0.5)[1][0] == "embedded"
    assert llm.breaker.state == "open"
    elapsed, _ = llm_turn(llm, 0.5)
    assert elapsed < 0.05


def test_budget_cut_calls_do_not_open_the_breaker():
    """Reasons that run out of a turn's time are not the server's failures."""
    llm = ResilientLLM(ScriptedLLM(sleeping(0.2)), timeout_s=10, breaker=CircuitBreaker(failures=2, reset_s=60))
    with turn_budget(1.0):
        time.sleep(0.9)  # the rest of the turn took its time; the estimate is unknown yet
        with pytest.raises(LLMError):
            llm.complete(HI)
    assert llm.breaker.state == "closed" and llm.health()["over_budget"] == 1


# -- whole turns against a real OpenAI-compatible server on loopback -----------------------------
def llm_agent(agent, settings, base_url: str):
    from agent.core import SceneRecAgent
    from agent.explain import LLMExplainer
    from agent.factcheck import GroundingChecker
    from agent.understanding.llm import LLMUnderstander
    from agent.understanding.mentions import TitleFinder
    from agent.wiring import build_llm

    llm = build_llm(settings.model_copy(update={"llm_backend": "openai", "llm_base_url": base_url, "llm_model": "m",
                                                "llm_timeout_s": 10.0, "llm_retries": 1, "llm_turn_budget_s": 2.0}))
    engine = agent.engine
    understander = LLMUnderstander(agent.understander, llm, engine.resolver)
    explainer = LLMExplainer(llm, GroundingChecker(TitleFinder(engine.resolver, engine.people), engine.get))
    return SceneRecAgent(engine, understander, agent.sessions, settings, explainer), llm


def timed_turns(bot, n: int) -> list[float]:
    times, sid = [], None
    for message in ["something funny for the kids", "nothing scary", "shorter ones", "older", "more like that"][:n]:
        t = time.perf_counter()
        sid = bot.turn(message, sid).session_id
        times.append(time.perf_counter() - t)
    return times


def test_turns_answer_within_the_budget_when_the_llm_server_hangs(agent, settings):
    with FakeOpenAIServer(delay_s=30.0) as server:
        bot, llm = llm_agent(agent, settings, server.base_url)
        times = timed_turns(bot, 5)
        server.delay_s = 0  # let the hung requests end with the server
    assert max(times) < 2.0 + 0.5, times
    assert llm.breaker.state == "open"


def test_a_healthy_one_second_llm_gives_one_second_turns(agent, settings):
    with FakeOpenAIServer(delay_s=1.0) as server:
        bot, llm = llm_agent(agent, settings, server.base_url)
        times = timed_turns(bot, 3)
    assert all(0.9 < t < 1.6 for t in times), times  # not ~6 one-second calls in a row
    assert llm.breaker.state == "closed"
