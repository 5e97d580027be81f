"""A warm start: what :func:`agent.wiring.build_agent` derives from a catalogue, kept on disk
(:mod:`retrieval.warm_cache`) and loaded by the next process, and the parts built on first use.

- :func:`warm_key`: the catalogue version the cache must match (never a stale model);
- :func:`load_warm` / :func:`save_warm`: the engine's columns, items, vectors and title/people
  indexes, and the personaliser's fitted models; the catalogue's ratings per person go to a file of
  their own, read on the first turn with a user id (``LoadedOnFirstUse``);
- ``BuiltOnFirstUse``: the Chinese reader waits for a first Chinese turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from agent.bundle_choice import encoder_name, knowledge_digest
from agent.personal.history import ratings_by_user
from agent.personal.personalizer import Personalizer
from agent.settings import Settings
from agent.understanding import lexicon
from retrieval.catalogue import CatalogueStore
from retrieval.engine import CatalogueEngine
from retrieval.ingest import records_complete
from retrieval.warm_cache import Once, WarmCache, chroma_collection_id, code_digest

if TYPE_CHECKING:
    from agent.wiring import Stores

PARTS = ("", "ratings", "learned")  # the files of a catalogue's warm cache: derived models, ratings, learned names


def _warm_cache(settings: Settings) -> WarmCache:
    return WarmCache(settings.data_dir / "cache", settings.catalogue)


def load_warm(settings: Settings, key: str | None) -> dict | None:
    """The derived models cached under ``key`` (None: build them)."""
    return _warm_cache(settings).load(key) if key else None


def warm_key(settings: Settings, stores: Stores) -> str | None:
    """The version key of this catalogue's derived models (see :mod:`retrieval.warm_cache`), or
    None when they cannot be cached: a catalogue not complete, Chroma on a server, no collection."""
    knowledge = knowledge_digest(settings, encoder_name(stores.embedder))
    if stores.chroma_path is None or records_complete(stores.catalogue, settings.catalogue, knowledge) is None:
        return None  # (a default catalogue built with other film knowledge is not complete: rebuilt first)
    collection = chroma_collection_id(stores.chroma_path, stores.vectors.name)
    if collection is None:
        return None
    embedder = stores.embedder
    extra = {"encoder": f"{type(embedder).__name__}:{getattr(embedder, 'model_name', '')}",
             "in_memory": (settings.max_items_in_memory, settings.exact_search_max_items),
             "profile": settings.profile.model_dump_json(),
             "moods": json.dumps(lexicon.MOOD_GENRES, sort_keys=True, default=str),
             "code": code_digest(_pickled_code()), "runtime": _runtime()}
    return WarmCache.key(stores.catalogue.version(settings.catalogue), collection, extra)


def _pickled_code() -> list:
    """The code whose objects a warm cache pickles, or which builds them (its source is part of the key)."""
    from agent.personal import facts, history, privacy, signals, snapshot, user_model
    from retrieval import attributes, collaborative, columns, interest, items, people, titles

    return [CatalogueEngine, CatalogueStore, Personalizer, history, user_model, signals, facts, snapshot, privacy,
            attributes, collaborative, columns, interest, items, people, titles]


def _runtime() -> str:
    """Python and the libraries whose objects are pickled: another version may read them differently."""
    import sys

    import numpy
    import pydantic
    import scipy

    return f"{sys.version}|numpy {numpy.__version__}|scipy {scipy.__version__}|pydantic {pydantic.VERSION}"


class LoadedOnFirstUse(Mapping):
    """A read-only mapping loaded the first time it is read: the catalogue's ratings per person
    (100k entries, ~0.4 s to unpickle) matter only to a turn with a user id."""

    def __init__(self, load):
        self._data = Once(load)

    def __getitem__(self, key):
        return self._data.get()[key]

    def __iter__(self):
        return iter(self._data.get())

    def __len__(self) -> int:
        return len(self._data.get())


def _ratings_loader(settings: Settings, stores: Stores, key: str):
    """Loads the ratings per person from their warm cache, or reads them again if it is unreadable."""
    def load() -> dict:
        cached = WarmCache(settings.data_dir / "cache", settings.catalogue, PARTS[1]).load(key)
        if cached is not None:
            return cached["base"]
        return ratings_by_user(stores.catalogue.interactions(settings.catalogue))

    return load


def drop_warm(settings: Settings) -> None:
    """Delete every file of the catalogue's warm cache: after a person's ratings were deleted, no
    copy of them may stay on disk (the next start builds the cache again)."""
    for part in PARTS:
        WarmCache(settings.data_dir / "cache", settings.catalogue, part).drop()


def save_warm(settings: Settings, key: str, engine: CatalogueEngine, personalizer: Personalizer) -> None:
    fitted = personalizer.fitted_state()
    base = dict(fitted.pop("base"))
    WarmCache(settings.data_dir / "cache", settings.catalogue, PARTS[1]).save(key, {"base": base})
    _warm_cache(settings).save(key, {"engine": engine.warm_state(), "personalizer": fitted})


def fitted_personalizer(settings: Settings, stores: Stores, warm: dict | None, key: str | None) -> dict | None:
    """The personaliser's fitted models from a warm cache, its ratings per person loaded on first use."""
    if not warm:
        return None
    return warm["personalizer"] | {"base": LoadedOnFirstUse(_ratings_loader(settings, stores, key))}


class BuiltOnFirstUse:
    """Stands in for an object that is built the first time one of its attributes is used (once,
    thread-safe): the Chinese reader (jieba's dictionary, ~1.5 s) waits for a first Chinese turn."""

    def __init__(self, build):
        self._built = Once(build)

    def __getattr__(self, name):
        if name.startswith("_"):  # its own (not set yet while unpickling) and special names
            raise AttributeError(name)
        return getattr(self._built.get(), name)
