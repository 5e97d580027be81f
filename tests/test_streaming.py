"""``/v1/chat/stream`` sends each part of a turn as it is produced, over a real uvicorn server on
loopback: the reply as soon as it is composed, then the picks, then (in LLM mode) each reason
token by token as a real OpenAI-compatible server streams it slowly, with a clear final
``reason`` event that replaces what was streamed when the LLM breaks off or runs out of time.
The worker-process path forwards the events over a pipe as they happen."""

from __future__ import annotations

import time

import pytest

from tests.live_server import client, sse_events, thread_server
from tests.openai_stub import FakeOpenAIServer
from ui.api.workers import TurnPool

KIDS = "something light and funny to watch with my kids tonight"
PIECES = ("A ", "gentle ", "pick ", "for ", "a ", "relaxed ", "evening ", "together.")
STREAMED = "".join(PIECES).strip()


def timed_sse(base: str, key: str, message: str) -> list[tuple[float, str, dict]]:
    """The stream's events, each with the seconds since the request was sent when it arrived."""
    with client(base, key) as c:
        t0 = time.monotonic()
        with c.stream("POST", "/v1/chat/stream", json={"message": message}) as r:
            assert r.status_code == 200
            return [(time.monotonic() - t0, name, data) for name, data in sse_events(r)]


def first(events, name: str) -> float:
    return next(t for t, n, _ in events if n == name)


def of(events, name: str) -> list[dict]:
    return [d for _, n, d in events if n == name]


def llm_bot(agent, settings, base_url: str, budget_s: float):
    from agent.core import SceneRecAgent
    from agent.explain import LLMExplainer
    from agent.factcheck import GroundingChecker
    from agent.understanding.llm import LLMUnderstander
    from agent.understanding.mentions import TitleFinder
    from agent.wiring import build_llm

    tuned = settings.model_copy(update={"llm_backend": "openai", "llm_base_url": base_url, "llm_model": "m",
                                        "llm_timeout_s": 10.0, "llm_retries": 0, "llm_turn_budget_s": budget_s})
    llm = build_llm(tuned)
    engine = agent.engine
    understander = LLMUnderstander(agent.understander, llm, engine.resolver)
    explainer = LLMExplainer(llm, GroundingChecker(TitleFinder(engine.resolver, engine.people), engine.get))
    return SceneRecAgent(engine, understander, agent.sessions, tuned, explainer)


def served(bot, app_settings):
    from ui.api import create_app

    app = create_app(bot, app_settings, mount_ui=False)
    return app, thread_server(app)


def test_embedded_turn_streams_reply_then_picks_then_reasons_then_items(agent, app_settings):
    app, server = served(agent, app_settings)
    with server as base:
        events = timed_sse(base, app.state.keys.create("secret").token, KIDS)
    names = [n for _, n, _ in events]
    assert names[:3] == ["started", "session", "delta"] and names[-2:] == ["items", "done"]
    assert names.index("picks") > max(i for i, n in enumerate(names) if n == "delta")  # the reply came first
    items, picks, reasons = of(events, "items")[0]["items"], of(events, "picks")[0]["items"], of(events, "reason")
    assert [p["id"] for p in picks] == [it["id"] for it in items] and all(p["reason"] == "" for p in picks)
    assert [r["text"] for r in sorted(reasons, key=lambda r: r["index"])] == [it["reason"] for it in items]
    assert not any(r["replaced"] for r in reasons) and not of(events, "reason_delta")  # templates: nothing provisional
    assert "".join(d["text"] for d in of(events, "delta")).startswith("Here are")
    print(f"\nembedded: reply {first(events, 'delta'):.2f} s, picks {first(events, 'picks'):.2f} s, "
          f"turn done {first(events, 'done'):.2f} s")


def test_a_streamed_reason_the_fact_check_rejects_is_replaced_in_the_event_stream(agent):
    """An LLM reason naming a number that is in no fact streams as provisional text, then its
    ``reason`` event replaces it with the template reason (and the stored reason is that one)."""
    from agent.core import SceneRecAgent
    from agent.explain import LLMExplainer
    from agent.factcheck import GroundingChecker
    from agent.llm import ScriptedLLM
    from agent.understanding.mentions import TitleFinder

    engine = agent.engine
    llm = ScriptedLLM("Rated 9.7 by 123456 happy viewers.", chunk_chars=6)
    explainer = LLMExplainer(llm, GroundingChecker(TitleFinder(engine.resolver, engine.people), engine.get))
    bot = SceneRecAgent(engine, agent.understander, agent.sessions, agent.settings, explainer)
    heard = []
    result = bot.turn(KIDS, events=lambda name, data: heard.append((name, data)))
    deltas = [d for n, d in heard if n == "reason_delta"]
    reasons = sorted((d for n, d in heard if n == "reason"), key=lambda d: d["index"])
    assert deltas and all(c.streamed for c in llm.calls)  # the explainer asked for a stream
    assert all(r["replaced"] for r in reasons) and [r["text"] for r in reasons] == [it.reason for it in result.items]
    assert all("123456" not in it.reason for it in result.items)
    assert explainer.stats["rejected"] == len(result.items)
    quiet = bot.turn(KIDS)  # nobody listening: the reasons are completed, not streamed
    assert quiet.items and not llm.calls[-1].streamed


def test_llm_reasons_reach_the_client_token_by_token_long_before_the_turn_ends(agent, settings, app_settings):
    with FakeOpenAIServer(stream_pieces=PIECES, chunk_delay_s=0.25) as llm_server:  # ~1.75 s a reason
        app, server = served(llm_bot(agent, settings, llm_server.base_url, budget_s=6.0), app_settings)
        with server as base:
            events = timed_sse(base, app.state.keys.create("secret").token, KIDS)
    streamed = [r for r in llm_server.requests if r.get("stream")]
    assert streamed and all("response_format" not in r for r in streamed)
    done, first_token, reply = first(events, "done"), first(events, "reason_delta"), first(events, "delta")
    print(f"\nreply {reply:.2f} s, first reason token {first_token:.2f} s, turn done {done:.2f} s")
    assert reply < first_token < done - 1.0  # the first token came over a second before the turn ended
    items, reasons = of(events, "items")[0]["items"], of(events, "reason")
    assert len(reasons) == len(items) and not any(r["replaced"] for r in reasons)
    assert all(it["reason"] == STREAMED for it in items)
    for r in reasons:  # each pick's tokens, in order, are its final reason
        pieces = "".join(d["text"] for d in of(events, "reason_delta") if d["index"] == r["index"])
        assert " ".join(pieces.split()) == r["text"] == STREAMED
    assert first(events, "items") > max(t for t, n, _ in events if n == "reason")


@pytest.mark.parametrize("break_after, budget_s", [(3, 6.0), (None, 1.0)], ids=["broken-off", "out-of-time"])
def test_an_llm_failing_mid_stream_is_replaced_by_the_template_reason(agent, settings, app_settings,
                                                                      break_after, budget_s):
    with FakeOpenAIServer(stream_pieces=PIECES, chunk_delay_s=0.25, break_after=break_after) as llm_server:
        app, server = served(llm_bot(agent, settings, llm_server.base_url, budget_s), app_settings)
        with server as base:
            events = timed_sse(base, app.state.keys.create("secret").token, KIDS)
    items, reasons = of(events, "items")[0]["items"], of(events, "reason")
    assert of(events, "reason_delta") and len(reasons) == len(items)
    assert all(r["replaced"] for r in reasons)  # the client is told that what it saw is not the reason
    assert all(it["reason"] and it["reason"] != STREAMED for it in items)
    assert [r["text"] for r in sorted(reasons, key=lambda r: r["index"])] == [it["reason"] for it in items]
    if break_after is None:
        assert first(events, "done") < budget_s + 0.5 + 1.0  # the budget (plus the rest of the turn), not 1.75 s a reason


class EventfulAgent:
    """A stand-in agent whose turn sends an event, works for a second, then sends another."""

    def turn(self, message, session_id=None, user_id=None, events=None):
        events = events or (lambda _name, _data: None)
        events("reply", {"text": message})
        time.sleep(1.0)
        events("reason", {"index": 0, "text": "done"})
        return message.upper()


def build_eventful(_settings):
    return EventfulAgent()


def test_a_worker_process_forwards_the_turns_events_as_they_happen(tmp_path):
    from agent.settings import load_settings
    from tests.test_turn_pool import started

    pool = started(TurnPool(load_settings(data_dir=tmp_path), processes=1, build=build_eventful))
    try:
        heard, t0 = [], time.monotonic()
        result = pool.call_heard(lambda name, data: heard.append((time.monotonic() - t0, name, data)),
                                 "turn", "hello")
        total = time.monotonic() - t0
        assert result == "HELLO" and [n for _, n, _ in heard] == ["reply", "reason"]
        assert heard[0][0] < total - 0.8 and heard[0][2] == {"text": "hello"}  # not held back to the end
        assert pool.call("turn", "again") == "AGAIN"  # plain calls still work
    finally:
        pool.close()
