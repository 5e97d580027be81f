"""The LLM boundary: scripted fake, the OpenAI-compatible client against a real loopback HTTP
server (request shape, structured-output modes, streaming, timeout), and strict prompts."""

import json
import time

import pytest

from pydantic import BaseModel, Field

from agent.llm import LLMError, LLMUnavailable, Message, NoLLM, ScriptedLLM
from agent.llm.base import Capabilities, InvalidOutput, json_schema
from agent.llm.openai_compat import OpenAICompatibleLLM
from agent.prompting import PromptError, render_prompt
from tests.helpers import free_port
from tests.openai_stub import FakeOpenAIServer


class A(BaseModel):
    a: int


class Intent(BaseModel):
    intent: str = Field(max_length=20)


def test_scripted_llm_records_calls_and_raises_scripted_errors():
    llm = ScriptedLLM(['{"a": 1}', LLMError("boom")], repeat_last=False)
    msgs = [Message(role="user", content="hi")]
    done = llm.complete(msgs, output_type=A)
    assert done.parsed == A(a=1) and done.text == '{"a": 1}' and done.usage.output_tokens == 2
    with pytest.raises(LLMError):
        llm.complete(msgs)
    assert llm.calls[0].output_type is A and llm.calls[0].schema == json_schema(A) and llm.calls[0].messages == msgs
    assert llm.calls[1].schema is None
    with pytest.raises(LLMUnavailable):
        NoLLM().complete(msgs)
    assert not NoLLM().capabilities.structured and ScriptedLLM("x").capabilities.streaming


@pytest.mark.parametrize("text, problem", [("{a: 1}", "invalid JSON"), ("[1]", "not an object"),
                                           ('{"a": "many"}', "does not fit A")])
def test_an_answer_that_does_not_fit_the_output_type_is_invalid_output(text, problem):
    with pytest.raises(InvalidOutput, match=problem):
        ScriptedLLM(text).complete([Message(role="user", content="hi")], output_type=A)
    assert ScriptedLLM(text).complete([Message(role="user", content="hi")]).parsed is None  # plain text: not parsed


def test_prompts_render_strictly():
    text = render_prompt("explain", title="Up", facts="PG, 96 min", request="funny")
    assert "Up" in text and "96 min" in text
    with pytest.raises(PromptError, match="facts"):
        render_prompt("explain", title="Up", request="x")
    with pytest.raises(PromptError, match="no prompt"):
        render_prompt("does-not-exist")


SCHEMA = json_schema(Intent)


@pytest.mark.parametrize("refuses_json_schema", [False, True])
def test_openai_client_structured_output_request_shape(refuses_json_schema):
    """json_schema first; a server that refuses it (400, like older llama.cpp servers) is asked
    again at once with json_object, and from then on only that way."""
    msgs = [Message(role="system", content="sys"), Message(role="user", content="hi")]
    with FakeOpenAIServer(refuse_json_schema=refuses_json_schema) as server:
        llm = OpenAICompatibleLLM(server.base_url, "test-model", timeout_s=5)
        assert llm.capabilities == Capabilities(json_schema=True, json_object=True, streaming=True)
        done = llm.complete(msgs, output_type=Intent)
        again = llm.complete(msgs, output_type=Intent)
    assert done.parsed == again.parsed == Intent(intent="recommend")
    assert done.usage.input_tokens == 1 and done.usage.output_tokens == 1
    body = server.requests[0]
    assert body["model"] == "test-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    formats = [r["response_format"] for r in server.requests]
    assert formats[0]["type"] == "json_schema" and formats[0]["json_schema"]["schema"] == SCHEMA
    if refuses_json_schema:
        assert formats[1:] == [{"type": "json_object", "schema": SCHEMA}] * 2  # remembered: one refusal only
        assert not llm.capabilities.json_schema and llm.structured_mode == "json_object"
    else:
        assert [f["type"] for f in formats] == ["json_schema"] * 2


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
    done = llm.complete([Message(role="user", content="hi")])  # free again: it answers, with its token counts
    assert isinstance(done.text, str) and done.usage.input_tokens > 0 and llm.capabilities.json_object
