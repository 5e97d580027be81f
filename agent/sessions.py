"""Persistent dialogue sessions in SQLite (WAL): a session survives restarts of any interface."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from agent.state import DialogueState
from retrieval.sqlite import SQLiteStore


class SessionStore(SQLiteStore):
    def __init__(self, path: Path):
        super().__init__(path, "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user_id TEXT, "
                               "state TEXT NOT NULL, updated REAL NOT NULL)")

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def load(self, session_id: str) -> tuple[DialogueState, str | None] | None:
        with self._lock:
            row = self._conn.execute("SELECT state, user_id FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return (DialogueState.model_validate_json(row[0]), row[1]) if row else None

    def save(self, session_id: str, state: DialogueState, user_id: str | None = None) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO sessions (id, user_id, state, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated = excluded.updated, "
                "user_id = COALESCE(excluded.user_id, sessions.user_id)",
                (session_id, user_id, state.model_dump_json(), time.time()),
            )

    def user_states(self, user_id: str) -> list[DialogueState]:
        """Every stored session state of one user, oldest first."""
        with self._lock:
            rows = self._conn.execute("SELECT state FROM sessions WHERE user_id = ? ORDER BY updated",
                                      (user_id,)).fetchall()
        return [DialogueState.model_validate_json(r[0]) for r in rows]

    def for_user(self, user_id: str) -> list[dict]:
        """Every session of a user: id, last update and state (for a privacy export)."""
        with self._lock:
            rows = self._conn.execute("SELECT id, updated, state FROM sessions WHERE user_id = ? ORDER BY updated",
                                      (user_id,)).fetchall()
        return [{"id": i, "updated": u, "state": DialogueState.model_validate_json(s).summary()} for i, u, s in rows]

    def delete(self, session_id: str) -> bool:
        """Remove one session; False when there was none."""
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0

    def delete_user(self, user_id: str) -> int:
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount
