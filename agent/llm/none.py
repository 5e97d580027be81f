"""The embedded default: no generative model. Callers check ``available`` and use templates."""

from __future__ import annotations

from collections.abc import Iterator

from agent.llm.base import Capabilities, Completion, LLMUnavailable, Message, T


class NoLLM:
    name = "none"
    available = False
    capabilities = Capabilities()

    def complete(self, messages: list[Message], output_type: type[T] | None = None) -> Completion[T]:
        raise LLMUnavailable("no LLM is configured (embedded mode)")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        raise LLMUnavailable("no LLM is configured (embedded mode)")
