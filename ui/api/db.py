"""A small thread-safe SQLite helper for the API's own tables (keys, session owners)."""

from __future__ import annotations

from pathlib import Path

from retrieval.sqlite import SQLiteStore


class Tables(SQLiteStore):
    """One WAL connection shared by threads; creates its tables on open."""

    def __init__(self, path: Path, *ddl: str):
        super().__init__(path, ";\n".join(ddl))

    def read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def write(self, sql: str, args: tuple = ()) -> int:
        """Run one statement in its own transaction; returns the rows it changed."""
        with self._lock, self._conn:
            return self._conn.execute(sql, args).rowcount
