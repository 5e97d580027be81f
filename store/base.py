"""The one interface both engines implement. SQL is written once, with ``?`` placeholders and the
portable subset both engines share (``ON CONFLICT … DO UPDATE``, ``excluded``); only schemas differ
(both engines: numbered migrations under ``store/migrations/<engine>/``)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Protocol


class StoreUnavailable(RuntimeError):
    """The database cannot be reached right now (a server down or restarting, every pooled
    connection busy past the wait): worth retrying later; nothing of the failed call was committed."""


class Tx(Protocol):
    """Statements inside one transaction."""

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]: ...

    def run(self, sql: str, args: tuple = ()) -> int: ...

    def run_many(self, sql: str, rows: Iterable[tuple]) -> None: ...


class Database(Protocol):
    engine: str  # "sqlite" | "postgresql"

    def ensure_schema(self, concern: str) -> None:
        """``concern``'s tables at the latest version. SQLite: apply the file's pending numbered
        migrations. PostgreSQL: check ``scenerec db upgrade`` applied them (refuse otherwise)."""

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]: ...

    def run(self, sql: str, args: tuple = ()) -> int:
        """One statement in its own transaction; the rows it changed."""

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def compact(self) -> None:
        """After deletes: deleted rows leave the engine's logs (SQLite: WAL checkpoint)."""

    def lock(self, *names: str) -> AbstractContextManager[None]:
        """Locks held across every process sharing this database (PostgreSQL: advisory locks, all
        on one connection, taken in one order)."""

    def close(self) -> None: ...

