"""A scripted LLM for tests: replies come from a list or a function; every call is recorded.

Example::

    llm = ScriptedLLM(['{"intent": "recommend"}'])
    done = llm.complete([Message(role="user", content="hi")], output_type=LLMTurn)
    done.parsed.intent, llm.calls[0].schema        # what the code under test asked for
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from agent.llm.base import Capabilities, Completion, LLMError, Message, T, Usage, json_schema

# a reply: its text, an error to raise, or a function of (messages, the JSON schema asked for or None)
Reply = str | Exception | Callable[[list[Message], dict | None], str]


@dataclass
class Call:
    messages: list[Message]
    output_type: type[BaseModel] | None
    streamed: bool = False

    @property
    def schema(self) -> dict | None:
        """The JSON schema a server would have been sent."""
        return json_schema(self.output_type) if self.output_type else None


class ScriptedLLM:
    name = "scripted"
    available = True

    def __init__(self, replies: list[Reply] | Reply, repeat_last: bool = True,
                 capabilities: Capabilities = Capabilities(json_schema=True, json_object=True, streaming=True),
                 chunk_chars: int = 8):
        self._replies = list(replies) if isinstance(replies, list) else [replies]
        self._repeat_last = repeat_last
        self.capabilities = capabilities
        self.chunk_chars = chunk_chars
        self.calls: list[Call] = []

    def _next(self, call: Call) -> str:
        self.calls.append(call)
        if not self._replies:
            raise LLMError("scripted LLM has no reply left")
        reply = self._replies[0] if (len(self._replies) == 1 and self._repeat_last) else self._replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply(call.messages, call.schema) if callable(reply) else reply

    def complete(self, messages: list[Message], output_type: type[T] | None = None) -> Completion[T]:
        text = self._next(Call(list(messages), output_type))
        return Completion.of(text, output_type, Usage(sum(len(m.content.split()) for m in messages),
                                                      len(text.split())))

    def stream(self, messages: list[Message]) -> Iterator[str]:
        text = self._next(Call(list(messages), None, streamed=True))
        for i in range(0, len(text), self.chunk_chars):
            yield text[i : i + self.chunk_chars]
