"""SQLite plumbing shared by every store: one WAL connection per store, shared by threads.

Example::

    class Notes(SQLiteStore):
        def __init__(self, path):
            super().__init__(path, "CREATE TABLE IF NOT EXISTS notes (text TEXT)")
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def connect(path: Path) -> sqlite3.Connection:
    """Open a SQLite connection in WAL mode, usable from several threads (one at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class SQLiteStore:
    """A store over one SQLite file: ``_conn`` guarded by ``_lock``; ``schema`` runs on open."""

    def __init__(self, path: Path, schema: str, reentrant: bool = False):
        self.path = path
        self._conn = connect(path)
        self._lock = threading.RLock() if reentrant else threading.Lock()
        with self._lock, self._conn:
            self._conn.executescript(schema)
