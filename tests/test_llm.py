"""The LLM boundary: scripted fake, the OpenAI-compatible client against a real loopback HTTP
server (request shape, structured-output modes, streaming, timeout), and strict prompts."""

import json
import time

import pytest

from agent.llm import LLMError, LLMUnavailable, Message, NoLLM, ScriptedLLM
from agent.llm.openai_compat import OpenAICompatibleLLM
from agent.prompting import PromptError, render_prompt
from tests.helpers import free_port
from tests.openai_stub import FakeOpenAIServer


def test_scripted_llm_records_calls_and_raises_scripted_errors():
    llm = ScriptedLLM(['{"a": 1}', LLMError("boom")], repeat_last=False)
    msgs = [Message(role="user", content="hi")]
    assert llm.complete(msgs, schema={"type": "object"}) == '{"a": 1}'
    with pytest.raises(LLMError):
        llm.complete(msgs)
    assert llm.calls[0].schema == {"type": "object"} and llm.calls[0].messages == msgs
    with pytest.raises(LLMUnavailable):
        NoLLM().complete(msgs)


def test_prompts_render_strictly():
    text = render_prompt("explain", title="Up", facts="PG, 96 min", request="funny")
    assert "Up" in text and "96 min" in text
    with pytest.raises(PromptError, match="facts"):
        render_prompt("explain", title="Up", request="x")
    with pytest.raises(PromptError, match="no prompt"):
        render_prompt("does-not-exist")


SCHEMA = {"type": "object", "properties": {"intent": {"type": "string", "maxLength": 20}}, "required": ["intent"]}


@pytest.mark.parametrize("mode", ["json_schema", "json_object"])
def test_openai_client_structured_output_request_shape(mode):
    with FakeOpenAIServer() as server:
        llm = OpenAICompatibleLLM(server.base_url, "test-model", structured_mode=mode, timeout_s=5)
        out = llm.complete([Message(role="system", content="sys"), Message(role="user", content="hi")], schema=SCHEMA)
    assert json.loads(out) == {"intent": "recommend"}
    body = server.requests[0]
    assert body["model"] == "test-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    fmt = body["response_format"]
    if mode == "json_schema":
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"] == SCHEMA
    else:
        assert fmt == {"type": "json_object", "schema": SCHEMA}


def test_openai_client_streams():
    with FakeOpenAIServer() as server:
        llm = OpenAICompatibleLLM(server.base_url, "m", timeout_s=5)
        chunks = list(llm.stream([Message(role="user", content="hi")]))
    assert "".join(chunks) == "Hello there, friend" and len(chunks) == 3
    assert server.requests[0]["stream"] is True


def test_openai_client_timeout_and_connection_errors_become_llm_errors():
    with FakeOpenAIServer(delay_s=2.0) as server:
        llm = OpenAICompatibleLLM(server.base_url, "m", timeout_s=0.3)
        t = time.perf_counter()
        with pytest.raises(LLMError):
            llm.complete([Message(role="user", content="hi")])
        assert time.perf_counter() - t < 1.5  # the timeout was honoured
    dead = free_port()  # nothing listens there
    with pytest.raises(LLMError):
        OpenAICompatibleLLM(f"http://127.0.0.1:{dead}/v1", "m", timeout_s=1).complete([Message(role="user", content="x")])


def test_local_model_busy_with_an_uncancellable_call_fails_fast():
    pytest.importorskip("llama_cpp", reason="the 'local' extra is not installed")
    from agent.llm.local_llamacpp import LlamaCppLLM

    llm = LlamaCppLLM(n_ctx=256, max_tokens=4, busy_wait_s=0.2)
    llm._lock.acquire()  # an earlier, timed-out call still running
    try:
        t = time.perf_counter()
        with pytest.raises(LLMError, match="busy"):
            llm.complete([Message(role="user", content="hi")])
        assert time.perf_counter() - t < 2
    finally:
        llm._lock.release()
    assert isinstance(llm.complete([Message(role="user", content="hi")]), str)  # free again: it answers
