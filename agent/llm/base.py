"""The LLM boundary: every generative backend implements :class:`LLM`.

``complete(messages, output_type=None)`` returns a :class:`Completion`: the model's ``text``,
its ``usage`` (token counts, when the backend reports them) and, when an ``output_type`` (a
pydantic model) was asked for, ``parsed``: the answer validated against it, once, here
(:meth:`Completion.of`); an answer that does not fit is :class:`InvalidOutput`. Each backend
declares what it can do (:class:`Capabilities`); how it asks for structured output is its own
business. ``stream`` yields text chunks.

Example::

    done = llm.complete([Message(role="user", content=prompt)], output_type=LLMTurn)
    done.parsed.intent, done.usage.output_tokens
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationError

from retrieval.errors import SceneRecError

T = TypeVar("T", bound=BaseModel)


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class LLMError(SceneRecError, RuntimeError):
    """The model could not answer (timeout, transport error, refusal)."""


class LLMUnavailable(LLMError):
    """No generative model is configured (the embedded default)."""


class InvalidOutput(LLMError):
    """The model answered, but not with a JSON object that fits the output type."""


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do: constrain its output to a JSON schema (OpenAI's ``json_schema``
    response format), to a JSON object (``json_object``, with the schema where the server takes
    one), and stream its answer."""

    json_schema: bool = False
    json_object: bool = False
    streaming: bool = False

    @property
    def structured(self) -> bool:
        return self.json_schema or self.json_object


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Completion(Generic[T]):
    """One answer: its text, the validated value (with an output type) and the token counts."""

    text: str
    parsed: T | None = None
    usage: Usage | None = None

    @classmethod
    def of(cls, text: str, output_type: type[T] | None = None, usage: Usage | None = None) -> Completion[T]:
        """The answer, validated against ``output_type`` when one was asked for."""
        return cls(text, parse_output(text, output_type) if output_type else None, usage)


def parse_output(text: str, output_type: type[T]) -> T:
    """``text`` as an ``output_type``, or :class:`InvalidOutput` (not JSON, not an object, or not
    fitting the model)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as e:
        raise InvalidOutput(f"the model returned invalid JSON: {text[:120]!r}") from e
    if not isinstance(value, dict):
        raise InvalidOutput(f"the model returned JSON that is not an object: {text[:120]!r}")
    try:
        return output_type.model_validate(value)
    except ValidationError as e:
        raise InvalidOutput(f"the model's JSON does not fit {output_type.__name__}: {str(e)[:200]}") from e


def json_schema(output_type: type[BaseModel]) -> dict:
    """The JSON schema a server is asked to follow: the model's, with no extra keys allowed."""
    return output_type.model_json_schema() | {"additionalProperties": False}


@runtime_checkable
class LLM(Protocol):
    name: str

    @property
    def available(self) -> bool: ...

    @property
    def capabilities(self) -> Capabilities: ...

    def complete(self, messages: list[Message], output_type: type[T] | None = None) -> Completion[T]: ...

    def stream(self, messages: list[Message]) -> Iterator[str]: ...
