"""Any OpenAI-compatible server (vLLM, llama.cpp server, Ollama) through LangChain's ChatOpenAI.

vLLM is just a base URL. Structured output is asked for in the best way the server takes,
found out on the way (no setting):

- ``json_schema`` first (vLLM, OpenAI): ``response_format={"type": "json_schema", "json_schema": {...}}``
- a server that refuses it (HTTP 400/422, or an error naming ``response_format``: llama.cpp servers) is asked again at once with
  ``json_object`` (``response_format={"type": "json_object", "schema": {...}}``), and from then on
  only that way: the backend's :attr:`capabilities` say so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Literal

from agent.llm.base import Capabilities, Completion, LLMError, Message, T, Usage, json_schema

log = logging.getLogger(__name__)
Mode = Literal["json_schema", "json_object"]


def response_format(schema: dict, mode: Mode) -> dict:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
    return {"type": "json_object", "schema": schema}


def _refused_format(e: Exception) -> bool:
    """Did the server reject the request itself (a bad request, or an error naming the response
    format: llama-cpp-python's server answers 500 with its validation error), rather than fail to
    answer it?"""
    status = getattr(e, "status_code", None)
    return status in (400, 422) or (status is not None and "response_format" in str(e))


class OpenAICompatibleLLM:
    name = "openai"
    available = True

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 10.0,
                 max_tokens: int = 512, temperature: float = 0.0):
        from langchain_openai import ChatOpenAI

        self.base_url = base_url
        self.model = model
        self.structured_mode: Mode = "json_schema"  # until the server refuses it once
        self._chat = ChatOpenAI(
            base_url=base_url,
            model=model,
            api_key=api_key,
            timeout=timeout_s,
            max_retries=0,  # retries and circuit breaking belong to the caller
            max_tokens=max_tokens,
            temperature=temperature,
        )

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(json_schema=self.structured_mode == "json_schema", json_object=True, streaming=True)

    @staticmethod
    def _lc_messages(messages: list[Message]) -> list[tuple[str, str]]:
        return [("human" if m.role == "user" else "ai" if m.role == "assistant" else "system", m.content)
                for m in messages]

    def _invoke(self, messages: list[Message], schema: dict | None):
        kwargs = {"response_format": response_format(schema, self.structured_mode)} if schema else {}
        return self._chat.invoke(self._lc_messages(messages), **kwargs)

    def complete(self, messages: list[Message], output_type: type[T] | None = None) -> Completion[T]:
        schema = json_schema(output_type) if output_type else None
        try:
            try:
                result = self._invoke(messages, schema)
            except Exception as e:
                if not (schema and self.structured_mode == "json_schema" and _refused_format(e)):
                    raise
                log.info("%s refused response_format json_schema (%s); using json_object from now on",
                         self.base_url, str(e)[:120])
                self.structured_mode = "json_object"
                result = self._invoke(messages, schema)
        except Exception as e:  # noqa: BLE001 - transport, timeout, HTTP errors all mean "no answer"
            raise LLMError(f"{type(e).__name__}: {e}") from e
        usage = result.usage_metadata
        counts = Usage(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))) if usage else None
        return Completion.of(str(result.content), output_type, counts)

    def stream(self, messages: list[Message]) -> Iterator[str]:
        try:
            for chunk in self._chat.stream(self._lc_messages(messages)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as e:  # noqa: BLE001
            raise LLMError(f"{type(e).__name__}: {e}") from e
