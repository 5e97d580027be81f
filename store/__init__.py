"""Where per-person state lives: sessions, profiles and feedback, API keys, session owners and
rate-limit counters. One interface (:class:`~store.base.Database`), two engines:

* SQLite (the embedded default): one WAL file per concern under the data dir, schemas created on open.
* PostgreSQL (``SCENEREC_DATABASE_URL=postgresql://…``): every concern in one database shared by
  any number of ``scenerec serve`` replicas; versioned migrations (``store/migrations/*.sql``,
  applied by ``scenerec db upgrade``), a connection pool, one retry on a dropped connection.

Example::

    db = open_database(settings, "state")        # SQLite file or the shared PostgreSQL
    SessionStore(db)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from store.base import Database, StoreUnavailable

Concern = Literal["state", "api"]


def open_database(settings, concern: Concern) -> Database:
    """The database for ``state`` (sessions, profiles) or ``api`` (keys, owners, limits)."""
    url = getattr(settings, "database_url", None)
    if url:
        from store.postgres import PostgresDatabase

        return PostgresDatabase.shared(url)
    from store.sqlite import SQLiteDatabase

    path: Path = settings.state_path if concern == "state" else settings.api_db_path
    return SQLiteDatabase(path)


__all__ = ["Database", "StoreUnavailable", "as_database", "open_database"]


def as_database(target) -> Database:
    """A store's database: a :class:`Database` as given, or a SQLite file at a path."""
    if isinstance(target, (str, Path)):
        from store.sqlite import SQLiteDatabase

        return SQLiteDatabase(Path(target))
    return target
