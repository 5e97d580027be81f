"""PostgreSQL: one database shared by every replica. A pool of connections per process (psycopg 3
+ psycopg_pool), each statement or transaction retried once on a dropped connection, advisory
locks for what must not run twice at once across replicas. The schema comes from the numbered
migrations (:mod:`store.migrate`), never from the stores."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from store.base import StoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
_shared: dict[str, PostgresDatabase] = {}
_shared_lock = threading.Lock()


def _pg(sql: str) -> str:
    """Our portable SQL uses ``?``; psycopg wants ``%s`` (no literal % or ? in our statements)."""
    return sql.replace("?", "%s")


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class _PgTx:
    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        cur = self._conn.execute(_pg(sql), args)
        return cur.fetchall() if cur.description else []

    def run(self, sql: str, args: tuple = ()) -> int:
        return self._conn.execute(_pg(sql), args).rowcount

    def run_many(self, sql: str, rows: Iterable[tuple]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(_pg(sql), list(rows))


class PostgresDatabase:
    engine = "postgresql"

    def __init__(self, url: str, min_size: int = 1, max_size: int = 8, wait_s: float = 5.0):
        """``wait_s``: how long a call waits for a pooled connection (while the server is down, the
        pool reconnects in the background) before it fails with :class:`StoreUnavailable`."""
        self.url = url
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True, timeout=wait_s,
                                    check=ConnectionPool.check_connection, name="scenerec")

    @classmethod
    def shared(cls, url: str) -> PostgresDatabase:
        """One pool per URL in this process (sessions, profiles, keys and limits share it)."""
        with _shared_lock:
            db = _shared.get(url)
            if db is None or db._pool.closed:
                db = _shared[url] = cls(url)
            return db

    def ensure_schema(self, concern: str) -> None:  # noqa: ARG002 - one schema holds every concern
        from store.migrate import check_current

        check_current(self)

    def _retrying(self, work: Callable[[psycopg.Connection], T]) -> T:
        """Run ``work`` in one transaction; once more on a fresh connection if the first dropped
        (a restarted server, a failover): nothing of a failed transaction was committed."""
        for attempt in (1, 2):
            try:
                with _unavailable_as_store_error(), self._pool.connection() as conn, conn.transaction():
                    return work(conn)
            except StoreUnavailable as e:
                if attempt == 2 or not _dropped(e.__cause__):
                    raise
                log.warning("PostgreSQL connection dropped (%s); retrying once", e.__cause__)
                with _unavailable_as_store_error():
                    self._pool.check()  # drops the pool's other dead connections
        raise AssertionError("unreachable")

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._retrying(lambda conn: _PgTx(conn).rows(sql, args))

    def run(self, sql: str, args: tuple = ()) -> int:
        return self._retrying(lambda conn: _PgTx(conn).run(sql, args))

    @contextmanager
    def transaction(self) -> Iterator[_PgTx]:
        """One transaction (not retried: its statements run in the caller's code; a dropped
        connection rolls it back whole and the caller sees the error)."""
        with _unavailable_as_store_error(), self._pool.connection() as conn, conn.transaction():
            yield _PgTx(conn)

    def run_in_transaction(self, work: Callable[[_PgTx], T]) -> T:
        """``work(tx)`` in one transaction, retried once on a dropped connection."""
        return self._retrying(lambda conn: work(_PgTx(conn)))

    def compact(self) -> None:
        """Deleted rows are gone for every reader at commit; VACUUM reclaims their space later."""

    def connection(self):
        """A pooled connection (context manager), for work that needs one connection throughout."""
        return self._pool.connection()

    @contextmanager
    def lock(self, *names: str) -> Iterator[None]:
        """Session-level advisory locks, all on one pooled connection (in one order: no deadlock
        between holders of several), held until the block ends; a connection that dies releases them."""
        keys = sorted({lock_key(n) for n in names})
        with _unavailable_as_store_error(), self._pool.connection() as conn:
            conn.autocommit = True
            try:
                for key in keys:
                    conn.execute("SELECT pg_advisory_lock(%s)", (key,))
                yield
            finally:
                if not conn.closed:
                    conn.execute("SELECT pg_advisory_unlock_all()")
                    conn.autocommit = False

    def close(self) -> None:
        with _shared_lock:
            if _shared.get(self.url) is self:
                del _shared[self.url]
        self._pool.close()


def _dropped(e: BaseException | None) -> bool:
    """A lost connection (worth a retry), not a refused statement nor a wait for the pool."""
    return isinstance(e, psycopg.OperationalError) and not isinstance(e, (psycopg.errors.QueryCanceled, PoolTimeout))


@contextmanager
def _unavailable_as_store_error() -> Iterator[None]:
    """The server unreachable, a connection lost, the pool's wait spent: :class:`StoreUnavailable`
    (callers need not know psycopg). Refused statements (constraint, syntax) pass unchanged."""
    try:
        yield
    except (psycopg.OperationalError, PoolTimeout) as e:
        raise StoreUnavailable(f"PostgreSQL is unavailable: {type(e).__name__}: {str(e).strip()[:200]}") from e
