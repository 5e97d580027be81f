"""Any OpenAI-compatible server (vLLM, llama.cpp server, Ollama) through LangChain's ChatOpenAI.

vLLM is just a base URL. Structured output modes:

- ``json_schema`` (vLLM, OpenAI): ``response_format={"type": "json_schema", "json_schema": {...}}``
- ``json_object`` (llama.cpp server): ``response_format={"type": "json_object", "schema": {...}}``
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Literal

from agent.llm.base import LLMError, Message


def response_format(schema: dict, mode: Literal["json_schema", "json_object"]) -> dict:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
    return {"type": "json_object", "schema": schema}


class OpenAICompatibleLLM:
    name = "openai"
    available = True

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "not-needed",
        timeout_s: float = 10.0,
        structured_mode: Literal["json_schema", "json_object"] = "json_schema",
        max_tokens: int = 512,
        temperature: float = 0.0,
    ):
        from langchain_openai import ChatOpenAI

        self.base_url = base_url
        self.model = model
        self.structured_mode = structured_mode
        self._local = threading.local()
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
    def last_usage(self) -> dict | None:
        """Token counts of this thread's last completed call (``input_tokens``, ``output_tokens``)."""
        return getattr(self._local, "usage", None)

    @staticmethod
    def _lc_messages(messages: list[Message]) -> list[tuple[str, str]]:
        return [("human" if m.role == "user" else "ai" if m.role == "assistant" else "system", m.content)
                for m in messages]

    def complete(self, messages: list[Message], schema: dict | None = None) -> str:
        kwargs = {"response_format": response_format(schema, self.structured_mode)} if schema else {}
        try:
            result = self._chat.invoke(self._lc_messages(messages), **kwargs)
        except Exception as e:  # noqa: BLE001 - transport, timeout, HTTP errors all mean "no answer"
            raise LLMError(f"{type(e).__name__}: {e}") from e
        self._local.usage = result.usage_metadata
        return str(result.content)

    def stream(self, messages: list[Message]) -> Iterator[str]:
        try:
            for chunk in self._chat.stream(self._lc_messages(messages)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as e:  # noqa: BLE001
            raise LLMError(f"{type(e).__name__}: {e}") from e
