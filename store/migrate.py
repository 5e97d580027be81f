"""Versioned PostgreSQL migrations: ``store/migrations/postgresql/NNNN_name.sql``, applied in order, each in
its own transaction, recorded in ``schema_migrations``; replicas starting at once take an advisory
lock, so each file runs exactly once. ``scenerec db upgrade`` runs :func:`upgrade`.

SQLite's numbered migrations (:mod:`store.versions`) are applied by :mod:`store.sqlite` when a store
opens its file, and by ``scenerec db upgrade`` too."""

from __future__ import annotations

import logging

from store.postgres import PostgresDatabase, lock_key
from store.versions import Migration, SchemaOutOfDate, migrations, newer_than_known

log = logging.getLogger(__name__)


def applied(db: PostgresDatabase) -> list[int]:
    rows = db.rows("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not rows[0][0]:
        return []
    return [r[0] for r in db.rows("SELECT version FROM schema_migrations ORDER BY version")]


def upgrade(db: PostgresDatabase) -> list[Migration]:
    """Apply every migration not applied yet; returns those applied now. All on one connection,
    under an advisory lock: replicas upgrading at once wait for each other."""
    done: list[Migration] = []
    with db.connection() as conn:
        conn.autocommit = True
        conn.execute("SELECT pg_advisory_lock(%s)", (lock_key("scenerec schema migrations"),))
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                         "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            have = {r[0] for r in conn.execute("SELECT version FROM schema_migrations").fetchall()}
            for m in migrations():
                if m.version in have:
                    continue
                with conn.transaction():
                    conn.execute(m.sql())
                    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (m.version, m.name))
                log.info("applied migration %04d_%s", m.version, m.name)
                done.append(m)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key("scenerec schema migrations"),))
            conn.autocommit = False
    return done


def check_current(db: PostgresDatabase) -> None:
    done = applied(db)
    newer_than_known(done, migrations(), "the PostgreSQL database")
    missing = [m for m in migrations() if m.version not in set(done)]
    if missing:
        raise SchemaOutOfDate(f"the database lacks {len(missing)} migration(s) "
                              f"({', '.join(f'{m.version:04d}_{m.name}' for m in missing)}): run `scenerec db upgrade`")


__all__ = ["Migration", "SchemaOutOfDate", "applied", "check_current", "lock_key", "migrations", "upgrade"]
