"""The API's own tables (keys, session owners) on either engine (:mod:`store`)."""

from __future__ import annotations

from pathlib import Path

from store import Database, as_database


class Tables:
    """A database with the API's tables (store/migrations: applied on open in SQLite, by
    ``scenerec db upgrade`` in PostgreSQL)."""

    def __init__(self, db: Path | Database):
        self.db = as_database(db)
        self.db.ensure_schema("api")

    def read(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self.db.rows(sql, args)

    def write(self, sql: str, args: tuple = ()) -> int:
        """Run one statement in its own transaction; returns the rows it changed."""
        return self.db.run(sql, args)
