"""The retrieval engine: one catalogue's items, its vectors, title resolver and candidate pools.

It knows nothing of dialogues: the agent turns its state into a :class:`CandidateQuery`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from retrieval.catalogue import CatalogueStore
from retrieval.items import Item
from retrieval.ranking import Candidate
from retrieval.titles import TitleResolver
from retrieval.vector_store import Filters, VectorStore


@dataclass
class CandidateQuery:
    vector: np.ndarray | None  # semantic query (None: no semantic pool)
    filters: Filters
    exclude: set[str] = field(default_factory=set)
    prefer_genres: list[str] = field(default_factory=list)  # feeds a genre-popular pool
    n_semantic: int = 120
    n_popular: int = 40
    personal: dict[str, list[str]] = field(default_factory=dict)  # source -> item ids (e.g. collaborative)


class CatalogueEngine:
    def __init__(self, store: CatalogueStore, vectors: VectorStore, catalogue: str):
        self.store = store
        self.vectors = vectors
        self.catalogue = catalogue
        self.items: dict[str, Item] = {it.id: it for it in store.all_items(catalogue)}
        self.by_popularity = sorted(self.items.values(), key=lambda it: -it.popularity)
        self.resolver = TitleResolver(list(self.items.values()))
        years = [it.year for it in self.items.values() if it.year]
        self.max_year = max(years) if years else 2025
        self.genres = sorted({g for it in self.items.values() for g in it.genres})

    def get(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def candidates(self, q: CandidateQuery) -> list[Candidate]:
        pool: dict[str, Candidate] = {}
        if q.vector is not None:
            hits = self.vectors.query(q.vector, _padded(q.n_semantic, q.exclude), q.filters, with_embeddings=True)
            for h in hits:
                item = self.items.get(h.id)
                if item and h.id not in q.exclude:
                    pool[h.id] = Candidate(item, h.similarity, h.embedding, {"semantic"})
        for source, ids in q.personal.items():
            for item_id in ids:
                item = self.items.get(item_id)
                if item and item_id not in q.exclude and q.filters.accepts(item):
                    pool.setdefault(item_id, Candidate(item, 0.0, None, set())).sources.add(source)
        # popular items that satisfy the constraints (and the preferred genres, if any)
        for source, genres in (("genre", q.prefer_genres), ("popular", [])):
            if source == "genre" and not genres:
                continue
            taken = 0
            for item in self.by_popularity:
                if taken >= q.n_popular:
                    break
                if item.id in q.exclude or not q.filters.accepts(item):
                    continue
                if genres and not set(genres) & set(item.genres):
                    continue
                taken += 1
                pool.setdefault(item.id, Candidate(item, 0.0, None, set())).sources.add(source)
        missing = [cid for cid, c in pool.items() if c.embedding is None]
        if missing:
            embs = self.vectors.embeddings(missing)
            for cid in missing:
                pool[cid].embedding = embs.get(cid)
                if q.vector is not None and pool[cid].embedding is not None:
                    pool[cid].similarity = float(np.dot(pool[cid].embedding, q.vector))
        return list(pool.values())


def _padded(n: int, exclude: set[str]) -> int:
    """Ask for extra hits to make up for excluded ones, within reason (a person may have rated
    thousands of items; most of them are nowhere near the query)."""
    return n + min(len(exclude), 2 * n)
