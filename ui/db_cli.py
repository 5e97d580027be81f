"""``scenerec db``: the shared PostgreSQL's schema (SCENEREC_DATABASE_URL). SQLite needs nothing."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

db_app = typer.Typer(help="The PostgreSQL database (SCENEREC_DATABASE_URL): versioned migrations.",
                     no_args_is_help=True)
Url = Annotated[Optional[str], typer.Option("--database-url", help="postgresql://… (env SCENEREC_DATABASE_URL).")]


@db_app.command("upgrade")
def upgrade(database_url: Url = None) -> None:
    """Apply every migration not applied yet (safe to run from several replicas at once)."""
    from agent.settings import load_settings
    from store.migrate import migrations, upgrade as apply
    from store.postgres import PostgresDatabase

    url = load_settings(database_url=database_url).database_url
    if not url:
        typer.echo("error: no PostgreSQL configured: set SCENEREC_DATABASE_URL or --database-url "
                   "(the embedded SQLite stores create their tables themselves)", err=True)
        raise typer.Exit(2)
    db = PostgresDatabase(url)
    try:
        done = apply(db)
    finally:
        db.close()
    latest = migrations()[-1].version
    typer.echo(f"applied {len(done)} migration(s); the schema is at version {latest}" if done
               else f"the schema is up to date (version {latest})")
