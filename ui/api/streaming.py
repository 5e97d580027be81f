"""A turn as Server-Sent Events: ``started`` (at once, before the turn runs) → ``session`` →
``delta``… (the reply text) → ``items`` → ``done``; or ``started`` → ``error`` when the turn fails.

In embedded mode the reply is complete when the turn ends, so it is streamed in word chunks;
the event protocol is the same one a token-streaming LLM backend would feed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from sse_starlette import ServerSentEvent

from agent.results import TurnResult

_CHUNK = re.compile(r"\S+\s*|\s+")


def reply_chunks(reply: str, words_per_chunk: int = 3) -> list[str]:
    """Split a reply into small chunks that join back to exactly the reply."""
    words = _CHUNK.findall(reply)
    return ["".join(words[i:i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]


def event(name: str, data) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=name)


def turn_events(result: TurnResult) -> Iterator[ServerSentEvent]:
    yield event("session", {"session_id": result.session_id, "action": result.action, "intent": result.intent})
    for chunk in reply_chunks(result.reply):
        yield event("delta", {"text": chunk})
    yield event("items", {"items": [it.model_dump() for it in result.items]})
    yield event("done", {"state": result.state, "notices": result.notices, "timings_ms": result.timings_ms})
