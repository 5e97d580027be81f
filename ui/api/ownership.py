"""Which API key (and which user) owns each session, stored (SQLite or PostgreSQL) so it survives restarts.

User ids are namespaced by key (``<key id>/<user id>``): one key can never name another
key's users, whatever ids its callers send.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from store import Database
from ui.api.db import Tables


@dataclass(frozen=True)
class SessionOwner:
    session_id: str
    key_id: str
    user_id: str | None  # namespaced
    created: float


class SessionOwners:
    def __init__(self, db: Path | Database):
        self._db = Tables(db)

    def add(self, session_id: str, key_id: str, user_id: str | None) -> SessionOwner:
        owner = SessionOwner(session_id, key_id, user_id, time.time())
        self._db.write("INSERT INTO session_owners VALUES (?, ?, ?, ?)", (session_id, key_id, user_id, owner.created))
        return owner

    def get(self, session_id: str) -> SessionOwner | None:
        rows = self._db.read("SELECT * FROM session_owners WHERE session_id = ?", (session_id,))
        return SessionOwner(*rows[0]) if rows else None

    def created_since(self, key_id: str, since: float) -> list[float]:
        """Creation times of the key's sessions after ``since``, oldest first."""
        rows = self._db.read("SELECT created FROM session_owners WHERE key_id = ? AND created > ? ORDER BY created",
                             (key_id, since))
        return [r[0] for r in rows]

    def sessions_of(self, user_id: str) -> list[str]:
        return [r[0] for r in self._db.read("SELECT session_id FROM session_owners WHERE user_id = ?", (user_id,))]

    def delete_user(self, user_id: str) -> int:
        n = self._db.write("DELETE FROM session_owners WHERE user_id = ?", (user_id,))
        self._db.db.compact()
        return n
