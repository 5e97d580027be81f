"""The API's rules between the HTTP layer and the agent: ownership, limits, threads.

Turns are CPU-bound and synchronous: they run in a bounded thread pool, on the agent itself or,
with worker processes, on a :class:`ui.api.pooled.PooledAgent` whose threads wait for a worker.
Turns on one session are serialised so concurrent requests cannot lose each other's updates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AsyncExitStack, asynccontextmanager, nullcontext

import anyio
from anyio.to_thread import run_sync

from agent.core import UnknownSession
from agent.results import TurnResult, UserProfile
from agent.settings import Settings
from agent.turn_events import EventSink
from ui.api.auth import Caller
from ui.api.errors import ApiError
from ui.api.limits import SharedWindowLimiter, SlidingWindowLimiter, retry_after
from ui.api.ownership import SessionOwner, SessionOwners

HOUR_S = 3600.0


class SessionLocks:
    """One asyncio lock per busy session; idle sessions hold no lock object. (Across replicas the
    agent call itself also holds the session's lock in the shared database: :meth:`ChatService._exclusive`.)"""

    def __init__(self):
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold_all(self, session_ids: list[str]):
        """Every one of these sessions' locks, taken in one order (no deadlock with another holder
        of several; a turn holds one)."""
        async with AsyncExitStack() as stack:
            for sid in sorted(set(session_ids)):
                await stack.enter_async_context(self.hold(sid))
            yield

    @asynccontextmanager
    async def hold(self, session_id: str):
        lock, users = self._locks.get(session_id, (asyncio.Lock(), 0))
        self._locks[session_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[session_id]
            if users <= 1:
                del self._locks[session_id]
            else:
                self._locks[session_id] = (lock, users - 1)



class ChatService:
    def __init__(self, agent, owners: SessionOwners, settings: Settings, clock: Callable[[], float] = time.time,
                 threads: int | None = None, shared_db=None):
        """``threads``: agent calls at once (default ``settings.api_turn_threads``); ``shared_db``: the
        PostgreSQL every replica shares (limits and session locks counted there), None for SQLite."""
        self.agent, self.owners, self.settings, self.clock = agent, owners, settings, clock

        def limiter(kind: str, limit: int, window_s: float = 60.0):
            return (SharedWindowLimiter(shared_db, kind, limit, window_s) if shared_db is not None
                    else SlidingWindowLimiter(limit, window_s))

        self.per_key = limiter("turns per key", settings.api_turns_per_minute_per_key)
        self.per_ip = limiter("turns per address", settings.api_turns_per_minute_per_ip)
        self.sessions_per_ip = limiter("sessions per address", settings.api_sessions_per_hour_per_ip, HOUR_S)
        self.threads = anyio.CapacityLimiter(threads or settings.api_turn_threads)
        self.locks = SessionLocks()
        self.shared_db = shared_db

    # -- sessions ------------------------------------------------------------------------------
    def create_session(self, caller: Caller, user_id: str | None) -> SessionOwner:
        if user_id is not None and not caller.trusted:
            raise ApiError(403, "user_id_not_allowed",
                           "browser keys cannot choose a user id; the server derives one for each visitor")
        if not caller.trusted and caller.visitor is None:  # else every such caller of the key shares it
            raise ApiError(422, "anonymous_id_required",
                           "browser callers must send X-SceneRec-Anon: a random id of 16-64 letters, digits, "
                           "'-' or '_', kept per visitor (the widget does this)")
        now = time.time()
        recent = self.owners.created_since(caller.key_id, now - HOUR_S)
        if len(recent) >= self.settings.api_sessions_per_hour_per_key:
            wait = retry_after(recent[0], HOUR_S, now)
            raise ApiError(429, "too_many_sessions",
                           f"this key created {len(recent)} sessions in the last hour (limit "
                           f"{self.settings.api_sessions_per_hour_per_key}); retry in {wait:.0f} s",
                           {"Retry-After": f"{wait:.0f}"})
        wait = self.sessions_per_ip.hit(caller.ip, self.clock())
        if wait is not None:
            raise ApiError(429, "too_many_sessions",
                           f"this address created {self.sessions_per_ip.limit} sessions in the last hour; "
                           f"retry in {wait:.0f} s", {"Retry-After": f"{wait:.0f}"})
        namespaced = caller.namespaced(user_id or caller.visitor) if (user_id or caller.visitor) else None
        return self.owners.add(self.agent.new_session_id(), caller.key_id, namespaced)

    def owned_session(self, caller: Caller, session_id: str) -> SessionOwner:
        """The session if this caller may use it; the same 404 whether it is foreign or absent."""
        owner = self.owners.get(session_id)
        visitor = caller.namespaced(caller.visitor) if caller.visitor else None
        foreign_visitor = not caller.trusted and (visitor is None or owner is None or owner.user_id != visitor)
        if owner is None or owner.key_id != caller.key_id or foreign_visitor:
            raise ApiError(404, "unknown_session", "no such session for this key; create one with POST /v1/sessions")
        return owner

    # -- turns and feedback ----------------------------------------------------------------------
    def check_turn_allowed(self, caller: Caller, message: str) -> None:
        if not message.strip():
            raise ApiError(422, "empty_message", "the message is empty; say what you would like to watch")
        if len(message) > self.settings.max_message_chars:
            raise ApiError(422, "message_too_long", f"the message has {len(message):,} characters; "
                           f"the limit is {self.settings.max_message_chars:,}")
        self.check_rate(caller)

    def check_rate(self, caller: Caller) -> None:
        """Turns and feedback share the per-key and per-address request limits. The address is
        checked first: a request it rejects is not counted against the key (one address must not
        spend a public key's budget for every other visitor)."""
        now = self.clock()
        for limiter, name, what in ((self.per_ip, caller.ip, "address"), (self.per_key, caller.key_id, "key")):
            wait = limiter.hit(name, now)
            if wait is not None:
                raise ApiError(429, "rate_limited", f"too many requests for this {what} (limit {limiter.limit} "
                               f"turns and feedback per minute); retry in {wait:.0f} s", {"Retry-After": f"{wait:.0f}"})

    async def turn(self, caller: Caller, session_id: str | None, message: str) -> TurnResult:
        return await self.run_turn(await self.prepare_turn(caller, session_id, message), message)

    async def prepare_turn(self, caller: Caller, session_id: str | None, message: str) -> SessionOwner:
        """Everything a turn may be refused for (message, limits, ownership), before it runs:
        the session it will run on (created when none is given). Off the event loop: even small
        store reads and writes (and the shared limits' transactions) must not block it."""
        return await run_sync(self._prepare_turn, caller, session_id, message)

    def _prepare_turn(self, caller: Caller, session_id: str | None, message: str) -> SessionOwner:
        self.check_turn_allowed(caller, message)
        return self._session_for_turn(caller, session_id)

    async def run_turn(self, owner: SessionOwner, message: str, events: EventSink | None = None) -> TurnResult:
        """The turn, off the event loop; ``events`` hears it while it runs (called from its threads)."""
        async with self.locks.hold(owner.session_id):
            return await run_sync(self._exclusive, [owner.session_id], True, self.agent.turn, message,
                                  owner.session_id, owner.user_id, events, limiter=self.threads)

    def _exclusive(self, session_ids: list[str], owned: bool, fn: Callable, *args):
        """``fn(*args)`` in this thread, holding the sessions' locks in the shared database (when
        there is one: replicas) and, with ``owned``, once their owner rows are checked again
        under the lock: a user deleted while this request waited is gone, and nothing may be
        written for it again."""
        held = self.shared_db.lock(*(f"session {s}" for s in session_ids)) if self.shared_db else nullcontext()
        with held:
            if owned and any(self.owners.get(s) is None for s in session_ids):
                raise ApiError(404, "unknown_session", "no such session for this key; create one with POST /v1/sessions")
            return fn(*args)

    def _session_for_turn(self, caller: Caller, session_id: str | None) -> SessionOwner:
        return self.owned_session(caller, session_id) if session_id else self.create_session(caller, None)

    async def feedback(self, caller: Caller, session_id: str, item_id: str, kind: str):
        await run_sync(self.check_rate, caller)
        await run_sync(self.owned_session, caller, session_id)
        if self.agent.item(item_id) is None:
            raise ApiError(404, "unknown_item", f"no item {item_id!r} in the catalogue")
        async with self.locks.hold(session_id):
            try:
                return await run_sync(self._exclusive, [session_id], True, self.agent.feedback, session_id, item_id,
                                      kind, limiter=self.threads)
            except UnknownSession as e:  # the owner row exists, but no turn was stored yet
                raise ApiError(409, "no_turn_yet", "this session has no recommendations yet; "
                               "send a message with POST /v1/chat first") from e

    # -- users -------------------------------------------------------------------------------------
    def _delete_user(self, namespaced: str) -> tuple[int, int]:
        """The user's data, then the ownership rows (last: a failure half-way leaves the user deletable)."""
        return self.agent.delete_user(namespaced), self.owners.delete_user(namespaced)

    def authorised_user(self, caller: Caller, user_id: str) -> str:
        """The namespaced id of a user this caller may read or delete."""
        if not caller.trusted and user_id != caller.visitor:
            raise ApiError(403, "not_your_user", "browser keys can only read or delete their own visitor's data")
        return caller.namespaced(user_id)

    def profile(self, caller: Caller, user_id: str) -> UserProfile:
        profile = self.agent.user_profile(self.authorised_user(caller, user_id))
        if profile is None:
            raise ApiError(404, "unknown_user", f"no stored sessions for user {user_id!r}")
        return profile

    async def delete_user(self, caller: Caller, user_id: str) -> int:
        """Delete everything of the user, holding the locks of all their sessions: a turn running
        on one finishes first, one waiting finds the session gone (404). The ownership rows go
        last, so a failure half-way leaves the user deletable again."""
        namespaced = self.authorised_user(caller, user_id)
        sessions = await run_sync(self.owners.sessions_of, namespaced)
        async with self.locks.hold_all(sessions):
            deleted, owned = await run_sync(self._exclusive, sorted(set(sessions)), False, self._delete_user,
                                            namespaced, limiter=self.threads)
        if not deleted and not owned:
            raise ApiError(404, "unknown_user", f"no stored data for user {user_id!r}")
        return deleted
