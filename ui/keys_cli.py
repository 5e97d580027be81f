"""``scenerec keys``: create, list and revoke API keys (stored under the data dir)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

keys_app = typer.Typer(help="API keys: publishable widget keys bound to origins, secret server keys.",
                       no_args_is_help=True)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Data dir (env SCENEREC_DATA_DIR).")]


def _store(data_dir: Path | None):
    from agent.settings import load_settings
    from store import open_database
    from ui.api.keys import KeyStore

    return KeyStore(open_database(load_settings(data_dir=data_dir), "api"))


@keys_app.command("create")
def create(
    origin: Annotated[Optional[list[str]], typer.Option("--origin", help="Site allowed to embed the widget, e.g. https://example.com (repeatable).")] = None,
    secret: Annotated[bool, typer.Option("--secret", help="Create a secret server key (never put it in a web page).")] = False,
    label: Annotated[str, typer.Option("--label", help="A note to recognise the key by.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create a key and print it (shown once: only a hash is stored)."""
    try:
        created = _store(data_dir).create("secret" if secret else "publishable", origin or [], label)
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    typer.echo(created.token)
    where = ", ".join(created.key.origins) or "servers only"
    typer.echo(f"{created.key.kind} key {created.key.id} ({where}); store it now, it cannot be shown again", err=True)


@keys_app.command("list")
def list_keys(data_dir: DataDir = None) -> None:
    """List keys (ids, kinds, origins; never the secrets)."""
    for k in _store(data_dir).list():
        when = datetime.fromtimestamp(k.created).strftime("%Y-%m-%d %H:%M")
        state = "revoked" if k.revoked else "live"
        typer.echo(f"{k.id}  {k.kind:<11}  {state:<7}  {when}  {', '.join(k.origins) or '-'}  {k.label}")


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key id shown by `scenerec keys list`.")],
           data_dir: DataDir = None) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    if not _store(data_dir).revoke(key_id):
        typer.echo(f"error: no key {key_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
