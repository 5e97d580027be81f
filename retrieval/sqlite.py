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


def _locked(e: BaseException) -> bool:
    return isinstance(e, sqlite3.OperationalError) and "locked" in str(e)


def connect(path: Path) -> sqlite3.Connection:
    """Open a SQLite connection in WAL mode, usable from several threads (one at a time). Switching
    a new file to WAL can fail at once with "database is locked" while another process creates it
    (SQLite does not wait on its busy timeout there): retried for up to ~10 s."""
    from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random_exponential

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    for attempt in Retrying(retry=retry_if_exception(_locked), stop=stop_after_delay(10),
                            wait=wait_random_exponential(multiplier=0.02, max=0.5), reraise=True):
        with attempt:
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
