"""The embedded engine: a SQLite file (WAL); one connection per store, shared by its threads."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from retrieval.sqlite import connect

class _SQLiteTx:
    def __init__(self, conn):
        self._conn = conn

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._conn.execute(sql, args).fetchall()

    def run(self, sql: str, args: tuple = ()) -> int:
        return self._conn.execute(sql, args).rowcount

    def run_many(self, sql: str, rows: Iterable[tuple]) -> None:
        self._conn.executemany(sql, rows)


class SQLiteDatabase:
    engine = "sqlite"

    def __init__(self, path: Path):
        self.path = path
        self._conn = connect(path)
        self._conn.execute("PRAGMA secure_delete=ON")  # a deleted row's bytes are overwritten, not left in free pages
        self._lock = threading.RLock()
        self._named: dict[str, threading.Lock] = {}

    def ensure_schema(self, sqlite_ddl: str) -> None:
        with self._lock, self._conn:
            self._conn.executescript(sqlite_ddl)

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def run(self, sql: str, args: tuple = ()) -> int:
        with self._lock, self._conn:
            return self._conn.execute(sql, args).rowcount

    @contextmanager
    def transaction(self) -> Iterator[_SQLiteTx]:
        with self._lock, self._conn:
            yield _SQLiteTx(self._conn)

    def compact(self) -> None:
        """Deleted rows leave the -wal file now, not at some later checkpoint."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def lock(self, *names: str) -> Iterator[None]:
        """One process owns an embedded database's writers: process-local locks are enough."""
        with self._lock:
            held = [self._named.setdefault(name, threading.Lock()) for name in sorted(set(names))]
        with ExitStack() as stack:
            for lock in held:
                stack.enter_context(lock)
            yield

    def close(self) -> None:
        self._conn.close()
