"""Check an OpenAI-compatible endpoint (vLLM, llama.cpp server) the way SceneRec will use it.

Three checks, each with its latency and, when it fails, what to do: the models list (is the
server there, is our model served), one structured-output call (is guided JSON working in the
mode the server takes: json_schema, or json_object when it refuses that), one streaming call. Example::

    checks = run_doctor(settings)
    all(c.ok for c in checks)
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Literal

import httpx
from pydantic import BaseModel, Field

from agent.llm.base import InvalidOutput, LLMError, Message
from agent.llm.openai_compat import OpenAICompatibleLLM


class Probe(BaseModel):
    intent: Literal["recommend", "smalltalk"]
    genres: list[str] = Field(max_length=3)


PROBE = [Message(role="system", content="Classify the request. Answer with JSON only."),
         Message(role="user", content="something funny with aliens for tonight")]


@dataclass
class Check:
    name: str
    ok: bool
    latency_ms: float | None
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def _hint(error: str, settings) -> str:
    """Turn a transport/HTTP error into what to do about it."""
    low = error.lower()
    if "connect" in low or "refused" in low:
        return (f"nothing answers at {settings.llm_base_url}: start the server (see docs/scaling.md, "
                "`vllm serve ...`) or set SCENEREC_LLM_BASE_URL")
    if "timed out" in low or "timeout" in low:
        return f"no answer within {settings.llm_timeout_s:g} s: the server is overloaded or the model is still loading"
    if "401" in low or "403" in low or "authentication" in low:
        return "the API key was rejected: set SCENEREC_LLM_API_KEY to the server's --api-key"
    if "404" in low:
        return "not found: the base URL should end with /v1, and SCENEREC_LLM_MODEL must be a served model"
    return error


def check_models(settings) -> Check:
    url = settings.llm_base_url.rstrip("/") + "/models"
    t = time.perf_counter()
    try:
        resp = httpx.get(url, headers={"Authorization": f"Bearer {settings.llm_api_key}"},
                         timeout=settings.llm_timeout_s)
        resp.raise_for_status()
        served = [m["id"] for m in resp.json().get("data", [])]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
        return Check("models", False, None, _hint(f"{type(e).__name__}: {e}", settings))
    ms = round((time.perf_counter() - t) * 1000, 1)
    if not served:
        return Check("models", False, ms, f"{url} lists no model")
    if settings.llm_model not in served:
        return Check("models", False, ms, f"model {settings.llm_model!r} is not served; the server has "
                     f"{', '.join(served)}: set SCENEREC_LLM_MODEL={served[0]}")
    return Check("models", True, ms, f"serves {', '.join(served)}")


def check_structured(llm: OpenAICompatibleLLM, settings) -> Check:
    t = time.perf_counter()
    try:
        done = llm.complete(PROBE, output_type=Probe)
    except InvalidOutput as e:
        return Check("structured output", False, round((time.perf_counter() - t) * 1000, 1),
                     f"{e}: guided decoding is not active (response_format {llm.structured_mode!r})")
    except LLMError as e:
        first_line = str(e).strip().splitlines()[0][:200]
        return Check("structured output", False, None, _hint(first_line, settings))
    ms = round((time.perf_counter() - t) * 1000, 1)
    return Check("structured output", True, ms, f"response_format {llm.structured_mode}: {done.text[:80]}")


def check_stream(llm: OpenAICompatibleLLM, settings) -> Check:
    t = time.perf_counter()
    first = None
    chunks = 0
    try:
        for _ in llm.stream([Message(role="user", content="Say hello in five words.")]):
            chunks += 1
            first = first or (time.perf_counter() - t) * 1000
    except LLMError as e:
        return Check("streaming", False, None, _hint(str(e), settings))
    ms = round((time.perf_counter() - t) * 1000, 1)
    if not chunks:
        return Check("streaming", False, ms, "the stream ended without any text")
    return Check("streaming", True, ms, f"{chunks} chunks, first after {first:.0f} ms")


def run_doctor(settings) -> list[Check]:
    """All checks against ``settings.llm_base_url`` (the later ones are skipped if the server is absent)."""
    models = check_models(settings)
    if not models.ok and models.latency_ms is None:
        return [models]
    llm = OpenAICompatibleLLM(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                              settings.llm_timeout_s, max_tokens=64)
    return [models, check_structured(llm, settings), check_stream(llm, settings)]
