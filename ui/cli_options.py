"""Options and settings shared by the ``scenerec`` commands (imports nothing heavy)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Where catalogues, vectors and sessions live (env SCENEREC_DATA_DIR).")]
Catalogue = Annotated[Optional[str], typer.Option("--catalogue", help="Catalogue name (env SCENEREC_CATALOGUE; default 'movies').")]


def settings_for(data_dir: Path | None = None, catalogue: str | None = None):
    from agent.settings import load_settings

    return load_settings(data_dir=data_dir, catalogue=catalogue)
