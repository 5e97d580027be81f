"""What a turn tells its caller while it runs, before its :class:`~agent.results.TurnResult`:
the HTTP stream (``/v1/chat/stream``) forwards each event as it comes.

A turn calls its sink, from its own thread or from the threads writing reasons, with:

- ``("session", {"session_id", "action", "intent"})`` once the message is understood and the
  action decided;
- ``("reply", {"text"})`` as soon as the reply is composed (before any reason is written);
- ``("picks", {"items"})``: the chosen items, their reasons still to come;
- ``("reason_delta", {"index", "text"})``: a piece of an LLM-written reason as the server
  streams it — provisional until its ``reason`` event;
- ``("reason", {"index", "id", "text", "replaced"})``: the final reason of pick ``index``;
  ``replaced`` when it is not what was streamed (the LLM failed mid-stream, ran out of the turn's
  time, or wrote something the fact check rejected: the template reason stands instead).

Example::

    seen = []
    agent.turn("something funny", events=lambda name, data: seen.append(name))
    seen   # ['session', 'reply', 'picks', 'reason', 'reason', ...]
"""

from __future__ import annotations

import threading
from collections.abc import Callable

EventSink = Callable[[str, dict], None]


def ignore(_name: str, _data: dict) -> None:
    """The sink of a turn nobody streams."""


class ReasonStream:
    """One pick's reason as it is written: forwards the pieces, then says whether the final text
    is what was streamed."""

    def __init__(self, sink: EventSink, index: int, item_id: str):
        self.sink, self.index, self.item_id = sink, index, item_id
        self.streamed: list[str] = []

    @property
    def heard(self) -> bool:
        """Does anyone listen? (Else an LLM's reason is not streamed, only completed.)"""
        return self.sink is not ignore

    def piece(self, text: str) -> None:
        self.streamed.append(text)
        self.sink("reason_delta", {"index": self.index, "text": text})

    def final(self, text: str) -> None:
        replaced = bool(self.streamed) and " ".join("".join(self.streamed).split()) != text
        self.sink("reason", {"index": self.index, "id": self.item_id, "text": text, "replaced": replaced})


def serialised(sink: EventSink) -> EventSink:
    """``sink`` safe to call from several threads at once (one event at a time)."""
    lock = threading.Lock()

    def send(name: str, data: dict) -> None:
        with lock:
            sink(name, data)
    return send
