"""A turn as Server-Sent Events, sent as the turn produces them:

``started`` (at once, before the turn runs) → ``session`` (understood: action and intent) →
``delta``… (the reply text, as soon as it is composed) → ``picks`` (the chosen items, reasons to
come) → ``reason_delta``… (an LLM's reason as its server streams it, provisional) and ``reason``
(each pick's final reason; ``replaced``: true when it is not what was streamed: the LLM failed
mid-stream, ran out of the turn's time or wrote something the fact check rejected, so the template
reason stands) → ``items`` (the final cards, with their reasons) → ``done``; or ``error``.

A client that only knows ``session``, ``delta``, ``items`` and ``done`` still gets the whole turn:
``items`` always carries the final reasons. The turn's own events are described in
:mod:`agent.turn_events`; what a turn that could not stream (an agent retried in a process of
its own after its worker died) did not send comes from its result at the end.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

from sse_starlette import ServerSentEvent

from agent.results import TurnResult
from agent.turn_events import EventSink

_CHUNK = re.compile(r"\S+\s*|\s+")


def reply_chunks(reply: str, words_per_chunk: int = 3) -> list[str]:
    """Split a reply into small chunks that join back to exactly the reply."""
    words = _CHUNK.findall(reply)
    return ["".join(words[i:i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]


def event(name: str, data) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=name)


def live_events(name: str, data: dict) -> list[ServerSentEvent]:
    """One event of a running turn (:mod:`agent.turn_events`) as Server-Sent Events: the reply
    in small chunks, the others as they are."""
    if name == "reply":
        return [event("delta", {"text": chunk}) for chunk in reply_chunks(data["text"])]
    return [event(name, data)]


def closing_events(result: TurnResult, sent: set[str] = frozenset()) -> Iterator[ServerSentEvent]:
    """The end of a turn's stream: what the live events (``sent``, by name) did not carry, then
    the final items and ``done``."""
    if "session" not in sent:
        yield event("session", {"session_id": result.session_id, "action": result.action, "intent": result.intent})
    if "reply" not in sent:
        yield from live_events("reply", {"text": result.reply})
    yield event("items", {"items": [it.model_dump() for it in result.items]})
    yield event("done", {"state": result.state, "notices": result.notices, "timings_ms": result.timings_ms})


async def turn_stream(run_turn: Callable[[EventSink], Awaitable[TurnResult]], session_id: str,
                      refusals: Callable[[BaseException], ServerSentEvent | None]) -> AsyncIterator[ServerSentEvent]:
    """A turn's whole stream: ``started`` at once, each event as the turn (``run_turn(sink)``, run
    off the event loop) produces it, then the closing events; a failure the API knows
    (``refusals(e)``) ends the stream with its ``error`` event, anything else is raised."""
    yield event("started", {"session_id": session_id})
    loop = asyncio.get_running_loop()
    heard: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()

    def sink(name: str, data: dict) -> None:  # called from the turn's threads
        try:
            loop.call_soon_threadsafe(heard.put_nowait, (name, data))
        except RuntimeError:  # the server is shutting down: the turn still ends and is saved
            pass

    task = asyncio.ensure_future(run_turn(sink))
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # a client gone: the turn still ends
    sent: set[str] = set()
    while not (task.done() and heard.empty()):
        if heard.empty():
            waiting = asyncio.ensure_future(heard.get())
            await asyncio.wait({waiting, task}, return_when=asyncio.FIRST_COMPLETED)
            if not waiting.done():
                waiting.cancel()
                continue
            name, data = waiting.result()
        else:  # the turn's last events, queued before it ended
            name, data = heard.get_nowait()
        sent.add(name)
        for e in live_events(name, data):
            yield e
    try:
        result = task.result()
    except Exception as e:  # noqa: BLE001 - a known refusal becomes the stream's last event
        refusal = refusals(e)
        if refusal is None:
            raise
        yield refusal
        return
    for e in closing_events(result, sent):
        yield e
