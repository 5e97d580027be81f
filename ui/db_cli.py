"""``scenerec db``: the stores' schemas. With SCENEREC_DATABASE_URL, the shared PostgreSQL's numbered
migrations; otherwise the embedded SQLite files' own (state.sqlite3, api.sqlite3 in the data dir),
which the stores also apply when they open a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

db_app = typer.Typer(help="The stores' schemas: versioned migrations (PostgreSQL with SCENEREC_DATABASE_URL, "
                          "else the data dir's SQLite files).", no_args_is_help=True)
Url = Annotated[Optional[str], typer.Option("--database-url", help="postgresql://… (env SCENEREC_DATABASE_URL).")]
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="The data dir holding the SQLite files "
                                                                    "(env SCENEREC_DATA_DIR).")]


@db_app.command("upgrade")
def upgrade(database_url: Url = None, data_dir: DataDir = None) -> None:
    """Apply every migration not applied yet (safe to run from several replicas or processes at once)."""
    from agent.settings import load_settings

    settings = load_settings(database_url=database_url, data_dir=data_dir)
    for line in (_upgrade_postgresql(settings.database_url) if settings.database_url else _upgrade_sqlite(settings)):
        typer.echo(line)


def _upgrade_postgresql(url: str) -> list[str]:
    from store.migrate import migrations, upgrade as apply
    from store.postgres import PostgresDatabase

    db = PostgresDatabase(url)
    try:
        done = apply(db)
    finally:
        db.close()
    return [_report("PostgreSQL", done, migrations()[-1].version)]


def _upgrade_sqlite(settings) -> list[str]:
    from store.sqlite import SQLiteDatabase
    from store.versions import sqlite_migrations

    lines = []
    for concern, path in (("state", settings.state_path), ("api", settings.api_db_path)):
        db = SQLiteDatabase(path)
        try:
            done = db.upgrade(concern)
        finally:
            db.close()
        lines.append(_report(str(path), done, sqlite_migrations(concern)[-1].version))
    return lines


def _report(where: str, done: list, latest: int) -> str:
    return (f"{where}: applied {len(done)} migration(s); the schema is at version {latest}" if done
            else f"{where}: the schema is up to date (version {latest})")
