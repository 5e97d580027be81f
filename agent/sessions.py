"""Persistent dialogue sessions (SQLite by default, or the shared PostgreSQL): a session survives
restarts of any interface, and with PostgreSQL any replica can take any session."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from agent.state import DialogueState
from store import Database, as_database

class SessionStore:
    def __init__(self, db: Path | Database):
        self.db = as_database(db)
        self.db.ensure_schema("state")  # tables: store/migrations
        self.path = getattr(self.db, "path", None)  # the SQLite file, when embedded

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def load(self, session_id: str) -> tuple[DialogueState, str | None] | None:
        rows = self.db.rows("SELECT state, user_id FROM sessions WHERE id = ?", (session_id,))
        return (DialogueState.model_validate_json(rows[0][0]), rows[0][1]) if rows else None

    def save(self, session_id: str, state: DialogueState, user_id: str | None = None) -> None:
        self.db.run(
            "INSERT INTO sessions (id, user_id, state, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated = excluded.updated, "
            "user_id = COALESCE(excluded.user_id, sessions.user_id)",
            (session_id, user_id, state.model_dump_json(), time.time()),
        )

    def user_states(self, user_id: str) -> list[DialogueState]:
        """Every stored session state of one user, oldest first."""
        rows = self.db.rows("SELECT state FROM sessions WHERE user_id = ? ORDER BY updated", (user_id,))
        return [DialogueState.model_validate_json(r[0]) for r in rows]

    def for_user(self, user_id: str) -> list[dict]:
        """Every session of a user: id, last update and state (for a privacy export)."""
        rows = self.db.rows("SELECT id, updated, state FROM sessions WHERE user_id = ? ORDER BY updated", (user_id,))
        return [{"id": i, "updated": u, "state": DialogueState.model_validate_json(s).summary()} for i, u, s in rows]

    def delete(self, session_id: str) -> bool:
        """Remove one session; False when there was none."""
        gone = self.db.run("DELETE FROM sessions WHERE id = ?", (session_id,)) > 0
        self.db.compact()
        return gone

    def delete_user(self, user_id: str) -> int:
        n = self.db.run("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        self.db.compact()
        return n
