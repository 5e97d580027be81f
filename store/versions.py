"""Numbered migrations, one folder per engine: ``store/migrations/postgresql/NNNN_name.sql`` (one
schema shared by every concern) and ``store/migrations/sqlite/<concern>/NNNN_name.sql`` (one set per
embedded file: ``state`` for state.sqlite3, ``api`` for api.sqlite3). Numbered 1, 2, 3… without
gaps; each applied once, in order, in its own transaction, and recorded in ``schema_migrations``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
POSTGRESQL = MIGRATIONS / "postgresql"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


class SchemaOutOfDate(RuntimeError):
    """The database lacks migrations this code needs, or has some this code does not know."""


def migrations(folder: Path = POSTGRESQL) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name!r} is not named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3… without gaps (found {versions})")
    return found


def sqlite_migrations(concern: str) -> list[Migration]:
    folder = MIGRATIONS / "sqlite" / concern
    if not folder.is_dir():
        raise ValueError(f"no SQLite migrations for {concern!r} (known: "
                         f"{', '.join(sorted(p.name for p in (MIGRATIONS / 'sqlite').iterdir()))})")
    return migrations(folder)


def newer_than_known(applied: list[int], known: list[Migration], where: str) -> None:
    """Refuse a database written by a newer SceneRec (it may hold what this code would break)."""
    unknown = sorted(set(applied) - {m.version for m in known})
    if unknown:
        raise SchemaOutOfDate(f"{where} has schema version(s) {unknown} this SceneRec does not know "
                              f"(it knows up to {known[-1].version if known else 0}): upgrade SceneRec")
