"""A scripted LLM for tests: replies come from a list or a function; every call is recorded.

Example::

    llm = ScriptedLLM(['{"intent": "recommend"}'])
    llm.complete([Message(role="user", content="hi")], schema={...})
    llm.calls[0].schema        # what the code under test sent
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from agent.llm.base import LLMError, Message

Reply = str | Exception | Callable[[list[Message], dict | None], str]


@dataclass
class Call:
    messages: list[Message]
    schema: dict | None
    streamed: bool = False


class ScriptedLLM:
    name = "scripted"
    available = True

    def __init__(self, replies: list[Reply] | Reply, repeat_last: bool = True):
        self._replies = list(replies) if isinstance(replies, list) else [replies]
        self._repeat_last = repeat_last
        self.calls: list[Call] = []

    def _next(self, messages: list[Message], schema: dict | None) -> str:
        if not self._replies:
            raise LLMError("scripted LLM has no reply left")
        reply = self._replies[0] if (len(self._replies) == 1 and self._repeat_last) else self._replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply(messages, schema) if callable(reply) else reply

    def complete(self, messages: list[Message], schema: dict | None = None) -> str:
        self.calls.append(Call(list(messages), schema))
        return self._next(messages, schema)

    def stream(self, messages: list[Message]) -> Iterator[str]:
        self.calls.append(Call(list(messages), None, streamed=True))
        text = self._next(messages, None)
        for i in range(0, len(text), 8):
            yield text[i : i + 8]
