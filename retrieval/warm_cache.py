"""Derived models kept on disk between processes, so a command does not rebuild them each start.

What a process derives from a catalogue (its item columns and items, the vector matrix read from
Chroma, the title and people indexes, the personaliser's fitted models) costs seconds to build and
well under one to load. :class:`WarmCache` keeps it in one pickle per catalogue, under
``<data dir>/cache/warm-<catalogue>.pkl``, stamped with a *version key*: a digest of everything it
was derived from (the catalogue's completion record, its items' stored rows, its interactions, the
live Chroma collection's id, the sentence encoder, the settings that shape the models and the source
of the code that defines the pickled classes). A cache whose key differs (an older catalogue, other
settings, changed code) or that cannot be read (corrupt, truncated, written by another Python) is
ignored and rebuilt, never used; writes are atomic (a temporary file renamed over the old one), so a
killed writer leaves the previous cache or none.

The file is a pickle: it lives in the user's own data dir, beside the SQLite and Chroma files the
process trusts already. Example::

    cache = WarmCache(data_dir / "cache", "movies")
    key = cache.key(store.version("movies"), chroma_collection_id(chroma_path, "scenerec_movies"), {"encoder": "MiniLM"})
    state = cache.load(key)            # None: build, then cache.save(key, state)
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import pickle
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

FORMAT = 1  # bump when what is cached changes shape
log = logging.getLogger(__name__)


class Once:
    """A value made the first time it is asked for, once, whichever thread asks first."""

    def __init__(self, make: Callable[[], object]):
        self._make, self._value, self._lock = make, None, threading.Lock()

    def get(self):
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._make()
        return self._value


def chroma_collection_id(chroma_path: Path | None, name: str) -> str | None:
    """The id of an embedded Chroma's collection ``name``, read from its SQLite file without
    importing chromadb; None when there is none or it cannot be read (then nothing is cached).
    A rebuilt collection gets a new id (ingest writes a staging collection and renames it)."""
    db = chroma_path / "chroma.sqlite3" if chroma_path else None
    if db is None or not db.is_file():
        return None
    conn = None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        row = conn.execute("SELECT id FROM collections WHERE name = ?", (name,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        if conn is not None:
            conn.close()
    return str(row[0]) if row else None


def code_digest(objects: Iterable[object]) -> str:
    """A digest of the source files that define ``objects`` (classes or modules): a cache pickled
    by other code is never unpickled into this one's classes."""
    h = hashlib.sha1()
    for path in sorted({inspect.getsourcefile(o) or "" for o in objects}):
        h.update(path.encode())
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


class WarmCache:
    def __init__(self, folder: Path, catalogue: str, part: str = ""):
        """``part``: a further cache of the same catalogue (e.g. ``"learned"``), in its own file."""
        self.path = folder / (f"warm-{catalogue}@{part}.pkl" if part else f"warm-{catalogue}.pkl")

    @staticmethod
    def key(catalogue_version: str, collection_id: str, extra: dict) -> str:
        """The version key of a catalogue's derived state: the catalogue as stored
        (:meth:`CatalogueStore.version`), its vectors' collection, and ``extra`` (encoder, settings, code …)."""
        parts = {"format": FORMAT, "catalogue": catalogue_version, "collection": collection_id,
                 **{k: str(v) for k, v in extra.items()}}
        return hashlib.sha1(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def drop(self) -> None:
        """Delete the file (e.g. it holds a person who asked to be forgotten)."""
        self.path.unlink(missing_ok=True)

    def load(self, key: str) -> dict | None:
        """The state saved under ``key``; None when absent, stale or unreadable (it is then rebuilt)."""
        try:
            with open(self.path, "rb") as f:
                stamp = pickle.load(f)
                if stamp != key:
                    log.info("warm cache %s is from another catalogue version; rebuilding", self.path)
                    return None
                state = pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception as e:  # noqa: BLE001 - a corrupt pickle raises almost anything
            log.warning("warm cache %s cannot be read (%s: %s); rebuilding", self.path, type(e).__name__, e)
            return None
        return state if isinstance(state, dict) else None

    def save(self, key: str, state: dict) -> bool:
        """Write atomically; a failure (read-only dir, full disk) is logged, never raised."""
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "wb") as f:
                pickle.dump(key, f, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            return True
        except Exception as e:  # noqa: BLE001 - a cache that cannot be written only costs time
            log.warning("warm cache %s not written (%s: %s)", self.path, type(e).__name__, e)
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            return False
