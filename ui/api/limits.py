"""Request limits: a sliding-window rate limiter and a request-body size cap (ASGI middleware)."""

from __future__ import annotations

import asyncio
import json
import math
import threading
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SlidingWindowLimiter:
    """At most ``limit`` hits per ``window_s`` seconds for each name (a key id, an IP address).

    Pure bookkeeping: the caller passes the clock, so it is testable without sleeping.
    """

    def __init__(self, limit: int, window_s: float = 60.0):
        self.limit, self.window_s = limit, window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._pruned = float("-inf")

    def hit(self, name: str, now: float) -> float | None:
        """Record a hit; returns None if allowed, else the seconds to wait before retrying."""
        with self._lock:
            hits = self._hits.setdefault(name, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return retry_after(hits[0], self.window_s, now)
            hits.append(now)
            if len(self._hits) > 10_000 and now - self._pruned >= self.window_s:
                # forget callers idle for a whole window (memory stays bounded); at most once a
                # window, so many live callers cannot make every hit scan them all
                self._pruned = now
                for idle in [k for k, v in self._hits.items() if v[-1] <= now - self.window_s]:
                    del self._hits[idle]
            return None


class SharedWindowLimiter:
    """The same sliding window counted in the shared database (PostgreSQL), so every replica spends
    one budget: ``rate_hits`` rows, pruned as they leave the window; one transaction per hit, under
    a transaction-scoped advisory lock on the name (two replicas never both take the last slot).
    ``now`` must be wall-clock time (``time.time``): replicas share no monotonic clock."""

    def __init__(self, db, kind: str, limit: int, window_s: float = 60.0):
        self.db, self.kind, self.limit, self.window_s = db, kind, limit, window_s

    def hit(self, name: str, now: float) -> float | None:
        def work(tx) -> float | None:
            tx.rows("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (f"{self.kind}:{name}",))
            tx.run("DELETE FROM rate_hits WHERE limiter = ? AND name = ? AND at <= ?",
                   (self.kind, name, now - self.window_s))
            count, oldest = tx.rows("SELECT COUNT(*), MIN(at) FROM rate_hits WHERE limiter = ? AND name = ?",
                                    (self.kind, name))[0]
            if count >= self.limit:
                return retry_after(oldest, self.window_s, now)
            tx.run("INSERT INTO rate_hits (limiter, name, at) VALUES (?, ?, ?)", (self.kind, name, now))
            return None

        return self.db.run_in_transaction(work)


def retry_after(oldest: float, window_s: float, now: float) -> float:
    """Seconds until the oldest hit in a full window expires (at least one)."""
    return max(1.0, math.ceil(oldest + window_s - now))


class BodyLimitMiddleware:
    """Reject request bodies over ``max_bytes`` with a JSON 413, before any handler reads them.

    Applies to paths under ``prefix``; the body is read here (at most max_bytes + 1) and replayed.
    A body not fully received within ``timeout_s`` gets a 408 (a stalled upload holds nothing long).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/v1/", timeout_s: float = 10.0):
        self.app, self.max_bytes, self.prefix, self.timeout_s = app, max_bytes, prefix, timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        chunks, size, more = [], 0, True
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        while more:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except asyncio.TimeoutError:
                await self._error(send, 408, "body_timeout",
                                  f"the request body did not arrive within {self.timeout_s:g} s")
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await self._error(send, 413, "body_too_large", f"the request body is larger than {self.max_bytes:,} bytes")

    @staticmethod
    async def _error(send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
