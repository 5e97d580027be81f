"""A small thread-safe SQLite helper for the API's own tables (keys, session owners)."""

from __future__ import annotations

import threading
from pathlib import Path

from retrieval.catalogue import connect


class Tables:
    """One WAL connection shared by threads; creates its tables on open."""

    def __init__(self, path: Path, *ddl: str):
        self._conn = connect(path)
        self._lock = threading.Lock()
        with self._lock, self._conn:
            for statement in ddl:
                self._conn.execute(statement)

    def read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def write(self, sql: str, args: tuple = ()) -> int:
        """Run one statement in its own transaction; returns the rows it changed."""
        with self._lock, self._conn:
            return self._conn.execute(sql, args).rowcount
