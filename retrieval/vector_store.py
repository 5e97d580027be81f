"""Chroma vector store: item vectors plus filterable metadata.

Embedded ``PersistentClient`` by default, ``HttpClient`` when a server URL is given. Writes go
to a staging collection that replaces the live one only when complete, so a failed or
interrupted ingest never leaves a half-written collection (and a rerun resumes the staging).
"""

from __future__ import annotations

import re
from itertools import islice
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from retrieval.embeddings import Embedder
from retrieval.items import MPAA_ORDER, Item
from retrieval.warm_cache import Once

UNKNOWN_MPAA = "NR"
SHORT_FILM_MINUTES = 40  # shorter items are shorts, left out unless asked for


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def genre_key(genre: str) -> str:
    """Metadata key of a genre flag: ``Sci-Fi`` -> ``g_sci_fi``."""
    return "g_" + re.sub(r"[^a-z0-9]+", "_", genre.lower()).strip("_")


def item_metadata(item: Item, all_genres: Iterable[str]) -> dict:
    """Chroma metadata for an item. Unknown numbers are omitted (so range filters drop them)."""
    meta: dict = {
        "item_type": item.item_type,
        "title": item.title,
        "genres": "|".join(item.genres),
        "mpaa": item.mpaa or UNKNOWN_MPAA,
        "popularity": int(item.popularity),
        "is_short": item.runtime is not None and item.runtime < SHORT_FILM_MINUTES,
    }
    for key, value in (("year", item.year), ("runtime", item.runtime), ("votes", item.votes)):
        if value is not None:
            meta[key] = int(value)
    if item.rating is not None:
        meta["rating"] = float(item.rating)
    present = set(item.genres)
    for g in all_genres:
        meta[genre_key(g)] = g in present
    return meta


@dataclass(frozen=True)
class Condition:
    """One hard constraint on an item field: ``runtime not_short``, ``year ge 1990``,
    ``mpaa in [...]`` (an unrated item counts as UNKNOWN_MPAA), ``genres none_of / any_of [...]``.
    An item whose genres are unknown (none on record) passes ``any_of``: unknown is not "none of
    these" (INSPIRED dev: 17 of 253 gold films had no genres and were refused)."""

    field: str  # item_type | year | runtime | rating | mpaa | genres
    op: str  # eq | ge | le | in | none_of | any_of | not_short
    value: object = None

    def chroma(self) -> list[dict]:
        """The condition as Chroma ``where`` clauses over the stored metadata."""
        if self.op == "not_short":
            return [{"is_short": False}]
        if self.op == "eq":
            return [{self.field: self.value}]
        if self.op in ("ge", "le"):
            cast = float if self.field == "rating" else int
            return [{self.field: {"$gte" if self.op == "ge" else "$lte": cast(self.value)}}]
        if self.op == "in":
            return [{self.field: {"$in": list(self.value)}}]
        if self.op == "none_of":
            return [{genre_key(g): {"$ne": True}} for g in self.value]
        return [{"$or": [{genre_key(g): True} for g in self.value] + [{"genres": ""}]}]

    def accepts(self, item: Item) -> bool:
        """An item with no value for a limited field fails the limit."""
        if self.op == "not_short":
            return not (item.runtime is not None and item.runtime < SHORT_FILM_MINUTES)
        value = getattr(item, self.field)
        if self.op == "eq":
            return value == self.value
        if self.op in ("ge", "le"):
            return value is not None and (value >= self.value if self.op == "ge" else value <= self.value)
        if self.op == "in":
            return (value or UNKNOWN_MPAA) in self.value
        overlap = bool(set(self.value) & set(value))
        return not overlap if self.op == "none_of" else overlap or not value


@dataclass
class Filters:
    """Hard constraints, translated into a Chroma ``where`` clause."""

    item_type: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    min_runtime: int | None = None
    max_runtime: int | None = None
    mpaa_allowed: list[str] | None = None  # may include UNKNOWN_MPAA
    exclude_genres: list[str] = field(default_factory=list)
    any_genres: list[str] = field(default_factory=list)
    min_rating: float | None = None
    exclude_shorts: bool = True

    def conditions(self) -> list[Condition]:
        """The constraints, each once: every evaluator (Chroma's ``where``, :meth:`accepts`,
        :meth:`retrieval.columns.ItemColumns.mask`) reads this list."""
        out: list[Condition] = []
        if self.exclude_shorts and (self.max_runtime is None or self.max_runtime >= SHORT_FILM_MINUTES):
            out.append(Condition("runtime", "not_short"))
        if self.item_type:
            out.append(Condition("item_type", "eq", self.item_type))
        for name, op, limit in (("year", "ge", self.year_min), ("year", "le", self.year_max),
                                ("runtime", "ge", self.min_runtime), ("runtime", "le", self.max_runtime)):
            if limit is not None:
                out.append(Condition(name, op, limit))
        if self.mpaa_allowed is not None:
            out.append(Condition("mpaa", "in", list(self.mpaa_allowed)))
        if self.exclude_genres:
            out.append(Condition("genres", "none_of", list(self.exclude_genres)))
        if self.any_genres:
            out.append(Condition("genres", "any_of", list(self.any_genres)))
        if self.min_rating is not None:
            out.append(Condition("rating", "ge", self.min_rating))
        return out

    def where(self) -> dict | None:
        """The constraints as a Chroma ``where`` clause (None: no constraint)."""
        conds = [clause for c in self.conditions() for clause in c.chroma()]
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def accepts(self, item: Item) -> bool:
        """The same constraints checked on one item (for collaborative candidates)."""
        return all(c.accepts(item) for c in self.conditions())


def mpaa_up_to(ceiling: str, allow_unknown: bool = True) -> list[str]:
    """Ratings at or below a ceiling: ``mpaa_up_to("PG")`` -> ``["G", "PG", "NR"]``."""
    allowed = list(MPAA_ORDER[: MPAA_ORDER.index(ceiling) + 1])
    return allowed + [UNKNOWN_MPAA] if allow_unknown else allowed


@dataclass
class Hit:
    id: str
    similarity: float
    embedding: np.ndarray | None = None


def make_client(path: Path | None = None, url: str | None = None):
    """A Chroma client: server mode when ``url`` is set, embedded otherwise. No telemetry."""
    import chromadb  # ~1 s: imported only where a collection is opened
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "//" in url else f"http://{url}")
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
    assert path is not None, "an embedded Chroma needs a path"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorStore:
    """One Chroma collection per catalogue. Given ``connect`` (a function making the client)
    instead of a client, Chroma is opened only when first used: a process that finds every
    vector in its warm cache never imports it."""

    def __init__(self, client, embedder: Embedder, catalogue: str, connect: Callable[[], object] | None = None):
        assert client is not None or connect is not None, "a Chroma client or a way to make one"
        self._client = Once(lambda: client) if client is not None else Once(connect)
        self.embedder = embedder
        self.name = f"scenerec_{catalogue}"
        self._ef = None
        self._collection = None

    @property
    def client(self):
        return self._client.get()

    def _open(self, name: str, create: bool):
        if self._ef is None:
            from retrieval.chroma_embedding import SceneRecEmbeddingFunction

            self._ef = SceneRecEmbeddingFunction(self.embedder)
        kwargs = dict(name=name, embedding_function=self._ef, configuration={"hnsw": {"space": "cosine"}})
        if create:
            return self.client.get_or_create_collection(**kwargs)
        kwargs.pop("configuration")
        return self.client.get_collection(**kwargs)

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self._open(self.name, create=False)
        return self._collection

    def exists(self) -> bool:
        return self.name in {c if isinstance(c, str) else c.name for c in self.client.list_collections()}

    def count(self) -> int:
        return self.collection.count() if self.exists() else 0

    def build(
        self,
        items: Iterable[Item],
        batch_size: int = 256,
        progress: Callable[[int], None] | None = None,
        fresh: bool = False,
        genres: Iterable[str] | None = None,
        vectors: dict[str, np.ndarray] | None = None,
    ) -> int:
        """Write items into the staging collection (resuming what is there), then swap it live.

        ``items`` may be a lazy iterator (memory stays bounded by ``batch_size``) when the
        catalogue's ``genres`` are given; otherwise they are collected to find the genres.
        ``vectors`` may bring precomputed embeddings for some ids (those are not embedded again).
        Returns how many items were written in this call (0 when all were already staged).
        """
        staging_name = self.name + "__staging"
        if fresh:
            self._drop(staging_name)
        staging = self._open(staging_name, create=True)
        if genres is None:
            items = list(items)
            genres = {g for it in items for g in it.genres}
        all_genres = sorted(genres)
        done = 0
        for batch in batched(items, batch_size):
            have = set(staging.get(ids=[it.id for it in batch], include=[])["ids"])
            todo = [it for it in batch if it.id not in have]
            if todo:
                docs = [it.document() for it in todo]
                staging.upsert(
                    ids=[it.id for it in todo],
                    documents=docs,
                    embeddings=self._embed(todo, docs, vectors or {}),
                    metadatas=[item_metadata(it, all_genres) for it in todo],
                )
                done += len(todo)
            if progress:
                progress(len(batch))
        self._drop(self.name)
        staging.modify(name=self.name)
        self._collection = None
        return done

    def _embed(self, items: list[Item], docs: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
        fresh = iter(self.embedder.encode([d for it, d in zip(items, docs) if it.id not in known]))
        return np.stack([known[it.id] if it.id in known else next(fresh) for it in items]).astype(np.float32)

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:  # noqa: BLE001 - chroma raises different types for "missing"
            pass

    def delete(self) -> None:
        self._drop(self.name)
        self._drop(self.name + "__staging")
        self._collection = None

    def query(
        self,
        vector: np.ndarray,
        n: int,
        filters: Filters | None = None,
        with_embeddings: bool = False,
    ) -> list[Hit]:
        """Nearest items, optionally restricted by a ``where`` clause (a metadata scan: slow at scale)."""
        include = ["distances"] + (["embeddings"] if with_embeddings else [])
        res = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=max(1, n),
            where=filters.where() if filters else None,
            include=include,
        )
        found, dists = res["ids"][0], res["distances"][0]
        embs = res["embeddings"][0] if with_embeddings else [None] * len(found)
        return [
            Hit(i, 1.0 - float(d), None if e is None else np.asarray(e, dtype=np.float32))
            for i, d, e in zip(found, dists, embs)
        ]

    def query_text(self, text: str, n: int, filters: Filters | None = None) -> list[Hit]:
        return self.query(self.embedder.encode_query(text), n, filters)

    def all_embeddings(self, page: int = 5000) -> Iterator[tuple[list[str], np.ndarray]]:
        """Every stored vector, page by page, as (ids, matrix)."""
        total = self.count()
        for offset in range(0, total, page):
            res = self.collection.get(limit=page, offset=offset, include=["embeddings"])
            yield res["ids"], np.asarray(res["embeddings"], dtype=np.float32)

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        res = self.collection.get(ids=ids, include=["embeddings"])
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(res["ids"], res["embeddings"])}
