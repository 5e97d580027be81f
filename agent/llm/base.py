"""The LLM boundary: every generative backend implements :class:`LLM`.

``complete(messages, schema=None)`` returns the model's text; with a JSON schema the backend
asks for structured output (the caller still validates it). ``stream`` yields text chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from retrieval.errors import SceneRecError


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class LLMError(SceneRecError, RuntimeError):
    """The model could not answer (timeout, transport error, refusal)."""


class LLMUnavailable(LLMError):
    """No generative model is configured (the embedded default)."""


@runtime_checkable
class LLM(Protocol):
    name: str

    @property
    def available(self) -> bool: ...

    def complete(self, messages: list[Message], schema: dict | None = None) -> str: ...

    def stream(self, messages: list[Message]) -> Iterator[str]: ...
