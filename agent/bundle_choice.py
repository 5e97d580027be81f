"""Which learned-model bundle the settings choose, and the film knowledge the default catalogue
is built with from it (:mod:`retrieval.film_knowledge`).

Example::

    learned_models_path(settings)        # DATA_DIR/models/redial when trained there, else the packaged one
    knowledge_digest(settings, "all-MiniLM-L6-v2")   # what the default catalogue's vectors should carry
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from agent.settings import Settings
from retrieval.film_knowledge import FilmKnowledge
from retrieval.learned import MANIFEST, read_film_knowledge

PACKAGED_MODELS = Path(__file__).resolve().parents[1] / "retrieval" / "trained" / "redial"
DEFAULT_CATALOGUE = "movies"  # the catalogue the film knowledge is for


def learned_models_path(settings: Settings) -> Path | None:
    """The model bundle the settings ask for (None: hand-set weights only)."""
    choice = settings.learned_models
    if choice == "off":
        return None
    if choice != "auto":
        return Path(choice)
    own = settings.models_path
    return own if (own / MANIFEST).exists() else PACKAGED_MODELS


def encoder_name(embedder: object) -> str:
    """A sentence encoder's name as bundles record it ("" for one without a name)."""
    return getattr(embedder, "model_name", "")


def film_knowledge(settings: Settings, encoder: str) -> FilmKnowledge | None:
    """What the chosen bundle knows of each film, for the default catalogue's vectors (the packaged
    bundle's with learned models off: the hand-set ranker still ranks a catalogue that knows its films,
    and switching the ranker does not rebuild the catalogue); None with film knowledge off, for another
    catalogue, or when the bundle has no such part for this encoder."""
    if not settings.film_knowledge or settings.catalogue != DEFAULT_CATALOGUE:
        return None
    folder = learned_models_path(settings) or PACKAGED_MODELS
    path = folder / MANIFEST
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None
    return _read(folder.resolve(), encoder, stamp)


def knowledge_digest(settings: Settings, encoder: str) -> str | None:
    knowledge = film_knowledge(settings, encoder)
    return knowledge.digest() if knowledge else None


@lru_cache(maxsize=4)
def _read(folder: Path, encoder: str, stamp: tuple | None) -> FilmKnowledge | None:
    """One read per bundle version (``stamp``: its manifest's mtime and size) and encoder."""
    return read_film_knowledge(folder, encoder) if stamp else None
