"""The LLM path against a real OpenAI-compatible server on loopback: llama.cpp's server with the
packaged SmolLM2-135M (extra ``local``), plus a stub server for slowness and invalid JSON.

Turns go through an LLM-first understander that does what an LLM understander does with the
model (ask for schema-constrained JSON; on ``LLMError`` use the embedded understander), so these
tests pin the contract between the resilience wrapper and the turn loop: a dead, slow or broken
server never stops a turn from answering.
"""

import json
import time
from typing import Literal

import pytest
from pydantic import BaseModel

from agent.core import SceneRecAgent
from agent.llm import LLMError, Message
from agent.settings import load_settings
from agent.wiring import build_llm
from tests.helpers import run_cli
from tests.openai_stub import FakeOpenAIServer
from tests.servers import llama_cpp_server

pytestmark = pytest.mark.usefixtures("settled_heap")  # timed turns: see conftest

pytest.importorskip("llama_cpp", reason="the 'local' extra (llama-cpp-python) is not installed")
MODEL = "smollm2"


class Intent(BaseModel):
    intent: Literal["recommend", "other"]


DIALOGUE = ["something light and funny to watch with my kids tonight", "nothing scary please",
            "something under 90 minutes", "more like the second one", "older ones"]


class LLMFirstUnderstander:
    """Asks the LLM first and records which path answered; understanding comes from the
    embedded understander (a 135M model's reading is not worth using, only its plumbing)."""

    def __init__(self, llm, embedded):
        self.llm, self.embedded, self.paths = llm, embedded, []

    def understand(self, text, ctx):
        try:
            self.llm.complete([Message(role="system", content="Classify the request as JSON."),
                               Message(role="user", content=text)], output_type=Intent)
            self.paths.append("llm")
        except LLMError:
            self.paths.append("embedded")
        return self.embedded.understand(text, ctx)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    server = llama_cpp_server(tmp_path_factory.mktemp("llama") / "server.log", MODEL, n_ctx=1024)
    yield server.start()
    server.kill()


def llm_settings(tmp_path, base_url, **over):
    values = dict(data_dir=tmp_path, llm_backend="openai", llm_base_url=base_url, llm_model=MODEL,
                  llm_timeout_s=30, llm_max_tokens=24, llm_retries=0,
                  llm_breaker_failures=2, llm_breaker_reset_s=1.0,
                  llm_turn_budget_s=30.0)  # the tiny CPU model may take seconds on a busy machine
    return load_settings(**(values | over))


def llm_agent(agent, llm) -> SceneRecAgent:
    understander = LLMFirstUnderstander(llm, agent.understander)
    # the turn's LLM budget suits a CPU model on a busy machine (the budget's own tests: test_llm_budget.py)
    return SceneRecAgent(agent.engine, understander, agent.sessions,
                         agent.settings.model_copy(update={"llm_turn_budget_s": 30.0}))


def test_doctor_passes_on_llama_cpp_and_names_the_structured_mode_it_found(llama_server, tmp_path):
    """No structured-mode setting: the backend asks for json_schema and, refused, for json_object."""
    env = {"SCENEREC_LLM_BASE_URL": llama_server.base_url, "SCENEREC_LLM_MODEL": MODEL, "SCENEREC_LLM_TIMEOUT_S": "60"}
    ok = run_cli(["doctor", "--json"], tmp_path, timeout=180, **env)
    report = json.loads(ok.stdout)
    assert ok.returncode == 0 and report["ok"], ok.stdout
    assert [c["name"] for c in report["checks"]] == ["models", "structured output", "streaming"]
    assert all(c["latency_ms"] > 0 for c in report["checks"])
    assert report["checks"][1]["detail"].startswith(("response_format json_schema", "response_format json_object"))
    wrong_model = run_cli(["doctor", "--model", "gpt-9"], tmp_path, timeout=180, **env)
    assert wrong_model.returncode == 1 and f"SCENEREC_LLM_MODEL={MODEL}" in wrong_model.stdout


def test_schema_constrained_json_and_token_metrics_from_the_real_server(llama_server, tmp_path):
    llm = build_llm(llm_settings(tmp_path, llama_server.base_url))
    done = llm.complete([Message(role="user", content="funny movie tonight")], output_type=Intent)
    assert done.parsed.intent in ("recommend", "other")
    health = llm.health()
    assert health["state"] == "closed" and health["successes"] == 1
    assert health["prompt_tokens"] > 0 and health["completion_tokens"] > 0


def test_server_killed_mid_conversation_then_back(llama_server, agent, tmp_path):
    llm = build_llm(llm_settings(tmp_path, llama_server.base_url))  # a dead server refuses at once
    bot = llm_agent(agent, llm)
    first = bot.turn(DIALOGUE[0])
    assert bot.understander.paths == ["llm"] and first.items
    llama_server.kill()
    sid = first.session_id
    for message in DIALOGUE[1:4]:
        t = time.perf_counter()
        result = bot.turn(message, session_id=sid)
        assert result.reply and time.perf_counter() - t < 5  # answered, and never waited the full timeout
    assert bot.understander.paths[1:] == ["embedded"] * 3
    assert llm.health()["state"] == "open" and llm.health()["short_circuited"] == 1  # 3rd turn skipped the LLM
    assert bot.turn(DIALOGUE[4], session_id=sid).state["scene"]["companions"] == "kids"  # state survived
    llama_server.start()
    time.sleep(1.1)  # past llm_breaker_reset_s: the next call is the trial
    assert bot.turn("something funny", session_id=sid).reply
    assert bot.understander.paths[-1] == "llm" and llm.health()["state"] == "closed"


def test_invalid_json_from_the_server_falls_back_to_the_embedded_path(agent, tmp_path):
    with FakeOpenAIServer(structured_reply="Sure! {intent: recommend") as server:
        llm = build_llm(llm_settings(tmp_path, server.base_url))
        bot = llm_agent(agent, llm)
        result = bot.turn(DIALOGUE[0])
    assert result.items and bot.understander.paths == ["embedded"]
    assert llm.health()["invalid_outputs"] == 1 and len(server.requests) == 1  # not retried


def test_slow_server_timeout_is_honoured(agent, tmp_path):
    with FakeOpenAIServer(delay_s=3.0) as server:
        llm = build_llm(llm_settings(tmp_path, server.base_url, llm_timeout_s=0.5, llm_retries=1, llm_backoff_s=0.05))
        bot = llm_agent(agent, llm)
        t = time.perf_counter()
        result = bot.turn(DIALOGUE[0])
        elapsed = time.perf_counter() - t
    assert result.items and bot.understander.paths == ["embedded"]
    assert elapsed < 2.0  # two 0.5 s attempts and a short backoff, not the server's 3 s
    assert llm.health()["timeouts"] == 2
