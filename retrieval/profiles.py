"""Per-user profile records in embedded SQLite (WAL) or the shared PostgreSQL (one transaction per write).

A profile is the person's chat feedback (like, dislike, seen, accept — each with the scene it was
given in), ratings they add, and cached vectors derived from them. The catalogue's own
interactions (e.g. MovieLens ratings of ``ml:42``) stay in the catalogue store; ``delete_user``
here removes the rows kept in this store. Example::

    store = ProfileStore(data_dir / "state.sqlite3")
    store.add([ProfileEvent("ml:42", "1", "like", scene="kids")])
    store.events("ml:42")            # [ProfileEvent(...)]
    store.delete_user("ml:42")       # rows removed, returns how many
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from store import Database, as_database

EVENT_KINDS = ("rating", "like", "dislike", "seen", "accept")

@dataclass(frozen=True)
class ProfileEvent:
    user_id: str
    item_id: str
    kind: str  # one of EVENT_KINDS
    rating: float | None = None  # for kind == "rating" (0-5)
    scene: str | None = None  # e.g. "kids", "date_night"; None = no particular scene
    session_id: str | None = None
    ts: float = field(default_factory=time.time)

    def __post_init__(self):
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"profile event kind must be one of {', '.join(EVENT_KINDS)}")


class ProfileStore:
    def __init__(self, db: Path | Database):
        self.db = as_database(db)
        self.db.ensure_schema("state")  # tables: store/migrations

    def add(self, events: Iterable[ProfileEvent]) -> int:
        """Append events atomically (all or none). Returns how many were written."""
        rows = [(e.user_id, e.item_id, e.kind, e.rating, e.scene, e.session_id, e.ts) for e in events]
        if not rows:
            return 0
        with self.db.transaction() as tx:
            tx.run_many(
                "INSERT INTO profile_events (user_id, item_id, kind, rating, scene, session_id, ts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            # derived vectors are stale once the evidence changes
            tx.run_many("DELETE FROM profile_vectors WHERE user_id = ?", [(u,) for u in {r[0] for r in rows}])
        return len(rows)

    def events(self, user_id: str) -> list[ProfileEvent]:
        return self.history(user_id)[1]

    def history(self, user_id: str) -> tuple[int, list[ProfileEvent]]:
        """The user's events and the :meth:`version` they make up, read together (one query)."""
        rows = self.db.rows("SELECT seq, user_id, item_id, kind, rating, scene, session_id, ts FROM profile_events "
                            "WHERE user_id = ? ORDER BY seq", (user_id,))
        return (rows[-1][0] if rows else 0), [ProfileEvent(*r[1:]) for r in rows]

    def version(self, user_id: str) -> int:
        """Changes whenever the user's events change (the last sequence number)."""
        return int(self.db.rows("SELECT MAX(seq) FROM profile_events WHERE user_id = ?", (user_id,))[0][0] or 0)

    def users(self) -> list[str]:
        return [r[0] for r in self.db.rows("SELECT DISTINCT user_id FROM profile_events ORDER BY user_id")]

    # -- cached vectors derived from the events (e.g. interest posteriors) -------------------------
    def get_vectors(self, user_id: str, fingerprint: str) -> dict[str, np.ndarray]:
        """The user's cached vectors, if they were computed from evidence with this fingerprint."""
        rows = self.db.rows("SELECT name, vector FROM profile_vectors WHERE user_id = ? AND fingerprint = ?",
                            (user_id, fingerprint))
        return {name: np.frombuffer(bytes(blob), dtype=np.float64).copy() for name, blob in rows}

    def put_vectors(self, user_id: str, fingerprint: str, vectors: dict[str, np.ndarray]) -> None:
        """Replace the user's cached vectors (one transaction)."""
        with self.db.transaction() as tx:
            tx.run("DELETE FROM profile_vectors WHERE user_id = ?", (user_id,))
            # an upsert: two turns of one user may cache at once, and under PostgreSQL's READ
            # COMMITTED neither DELETE sees the other's rows (a plain INSERT broke the primary key)
            tx.run_many("INSERT INTO profile_vectors VALUES (?, ?, ?, ?) ON CONFLICT (user_id, name) DO UPDATE "
                        "SET fingerprint = excluded.fingerprint, vector = excluded.vector",
                        [(user_id, name, fingerprint, np.asarray(v, dtype=np.float64).tobytes())
                         for name, v in vectors.items()])

    def vector_names(self, user_id: str) -> list[str]:
        return [r[0] for r in self.db.rows("SELECT name FROM profile_vectors WHERE user_id = ?", (user_id,))]

    # -- privacy --------------------------------------------------------------------------------
    def export(self, user_id: str) -> dict:
        return {"user_id": user_id, "events": [asdict(e) for e in self.events(user_id)],
                "cached_vectors": self.vector_names(user_id)}

    def delete_user(self, user_id: str) -> int:
        with self.db.transaction() as tx:
            n = tx.run("DELETE FROM profile_events WHERE user_id = ?", (user_id,))
            n += tx.run("DELETE FROM profile_vectors WHERE user_id = ?", (user_id,))
        self.db.compact()  # the deleted rows leave the engine's log files too
        return n

    def close(self) -> None:
        if self.db.engine == "sqlite":  # a PostgreSQL pool is shared by the process's stores
            self.db.close()
