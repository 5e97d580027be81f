"""The embedded engine: a SQLite file (WAL); one connection per store, shared by its threads. Its
schema comes from numbered migrations (``store/migrations/sqlite/<concern>/``), applied when a store
opens the file (the embedded default needs no setup step) or by ``scenerec db upgrade``."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from retrieval.sqlite import connect
from store.versions import Migration, newer_than_known, sqlite_migrations

_LEDGER = ("CREATE TABLE IF NOT EXISTS schema_migrations (concern TEXT NOT NULL, version INTEGER NOT NULL, "
           "name TEXT NOT NULL, applied_at REAL NOT NULL, PRIMARY KEY (concern, version))")


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

    def ensure_schema(self, concern: str) -> None:
        """Bring the file's ``concern`` tables to the latest version."""
        self.upgrade(concern)

    def applied(self, concern: str) -> list[int]:
        with self._lock:
            self._conn.execute(_LEDGER)
            self._conn.commit()
            return [r[0] for r in self._conn.execute(
                "SELECT version FROM schema_migrations WHERE concern = ? ORDER BY version", (concern,))]

    def upgrade(self, concern: str) -> list[Migration]:
        """Apply the ``concern``'s migrations this file lacks, all in one write transaction
        (``BEGIN IMMEDIATE``: processes opening the file at once wait for each other, and each
        migration runs once); returns those applied now."""
        known = sqlite_migrations(concern)
        with self._lock:
            self._conn.execute(_LEDGER)
            self._conn.commit()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                have = [r[0] for r in self._conn.execute(
                    "SELECT version FROM schema_migrations WHERE concern = ?", (concern,))]
                newer_than_known(have, known, str(self.path))
                todo = [m for m in known if m.version not in set(have)]
                for m in todo:
                    for statement in _statements(m.sql()):
                        self._conn.execute(statement)
                    self._conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                                       (concern, m.version, m.name, time.time()))
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise
        return todo

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


def _is_comment(text: str) -> bool:
    return all(not ln.strip() or ln.strip().startswith("--") for ln in text.splitlines())


def _statements(script: str) -> list[str]:
    """A migration's statements, one by one (``executescript`` would commit the transaction)."""
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if not _is_comment(pending):
                out.append(pending.strip())
            pending = ""
    if not _is_comment(pending):
        raise ValueError(f"an incomplete SQL statement at the end of a migration: {pending.strip()[:80]!r}")
    return out
