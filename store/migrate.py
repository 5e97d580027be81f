"""Versioned PostgreSQL migrations: ``store/migrations/NNNN_name.sql``, applied in order, each in
its own transaction, recorded in ``schema_migrations``; replicas starting at once take an advisory
lock, so each file runs exactly once. ``scenerec db upgrade`` runs :func:`upgrade`.

SQLite needs none of this: each embedded store creates its tables on open."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from store.postgres import PostgresDatabase, lock_key

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


class SchemaOutOfDate(RuntimeError):
    """The database lacks migrations this code needs."""


def migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name!r} is not named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3… without gaps (found {versions})")
    return found


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
                    conn.execute(m.path.read_text(encoding="utf-8"))
                    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (m.version, m.name))
                log.info("applied migration %04d_%s", m.version, m.name)
                done.append(m)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key("scenerec schema migrations"),))
            conn.autocommit = False
    return done


def check_current(db: PostgresDatabase) -> None:
    missing = [m for m in migrations() if m.version not in set(applied(db))]
    if missing:
        raise SchemaOutOfDate(f"the database lacks {len(missing)} migration(s) "
                              f"({', '.join(f'{m.version:04d}_{m.name}' for m in missing)}): run `scenerec db upgrade`")


__all__ = ["Migration", "SchemaOutOfDate", "check_current", "lock_key", "migrations", "upgrade"]
