"""The LLM path against a real OpenAI-compatible server (llama.cpp + packaged SmolLM2-135M).

The model is far too small for quality; these tests prove the plumbing: json_object + schema
structured output parses into the validated contract, streaming works, and a timeout falls back
to the embedded understanding.
"""

import json

import pytest

from agent.llm import LLMError, Message
from agent.llm.openai_compat import OpenAICompatibleLLM
from agent.understanding.embedded import EmbeddedUnderstander
from agent.understanding.llm import LLMTurn, LLMUnderstander
from agent.understanding.mentions import TitleFinder
from retrieval.titles import TitleResolver
from tests.servers import llama_cpp_server

pytest.importorskip("llama_cpp", reason="llama-cpp-python (extra 'local') is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = llama_cpp_server(tmp_path_factory.mktemp("llama") / "server.log").start()
    yield process.base_url
    process.kill()


def test_structured_output_and_streaming(server):
    llm = OpenAICompatibleLLM(server, "smollm2", timeout_s=60, max_tokens=200)
    done = llm.complete([Message(role="system", content="Return JSON."),
                         Message(role="user", content="a funny movie with my kids")], output_type=LLMTurn)
    assert isinstance(done.parsed, LLMTurn)  # grammar-constrained output fits the bounded schema
    assert done.usage.input_tokens > 0 and done.usage.output_tokens > 0
    chunks = list(llm.stream([Message(role="user", content="Say hello.")]))
    assert len(chunks) >= 1 and "".join(chunks).strip()


def test_understander_over_the_real_server_and_timeout_fallback(server, tiny_items):
    resolver = TitleResolver(tiny_items)
    embedded = EmbeddedUnderstander(TitleFinder(resolver))
    llm = OpenAICompatibleLLM(server, "smollm2", timeout_s=60, max_tokens=200)
    u = LLMUnderstander(embedded, llm, resolver).understand("something funny with the kids, nothing scary")
    assert u.source in ("embedded+llm", "embedded (llm fallback)")
    assert u.scene.companions == "kids" and "scary" in u.scene.not_moods  # rules keep what they found
    slow = OpenAICompatibleLLM(server, "smollm2", timeout_s=0.001)
    nlu = LLMUnderstander(embedded, slow, resolver)
    u = nlu.understand("a thriller from the 90s")
    assert u.source == "embedded (llm fallback)" and nlu.fallbacks == 1 and u.liked_genres == ["Thriller"]
    with pytest.raises(LLMError):
        slow.complete([Message(role="user", content="hi")])
