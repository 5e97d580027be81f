"""The embedded default: no generative model. Callers check ``available`` and use templates."""

from __future__ import annotations

from collections.abc import Iterator

from agent.llm.base import LLMUnavailable, Message


class NoLLM:
    name = "none"
    available = False

    def complete(self, messages: list[Message], schema: dict | None = None) -> str:
        raise LLMUnavailable("no LLM is configured (embedded mode)")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        raise LLMUnavailable("no LLM is configured (embedded mode)")
