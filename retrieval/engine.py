"""The retrieval engine: one catalogue's items, its vectors, title resolver and candidate pools.

It knows nothing of dialogues: the agent turns its state into a :class:`CandidateQuery`.

Hard filters are evaluated in memory on :class:`~retrieval.columns.ItemColumns` (a numpy mask
over the whole catalogue), not by Chroma's ``where`` (a metadata scan: ~25 ms at 9k items,
~2 s at 100k). Then the semantic pool comes from:

- an exact search in memory when the catalogue is small (``exact_search_max_items``: the
  vectors are copied from Chroma at start, 1.5 KB per item; one matrix product over the
  allowed rows, ~1 ms at 9k items), or
- Chroma's ANN index, as :func:`plan_search` decides: an unfiltered search over-fetched by the
  filters' selectivity and post-filtered (the common case), or, when too few items pass for
  that, an exact comparison with the vectors of the allowed items (at most ``fetch_limit``, the
  most popular). Chroma's own ``where`` and id-restricted searches are not used: both scan
  (17 s and 0.4 s per query at 1M items).

Items are held in memory up to ``max_items_in_memory``; larger catalogues are read from
SQLite on demand, so memory stays bounded at a million items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from retrieval.catalogue import CatalogueStore
from retrieval.people import PeopleIndex
from retrieval.columns import ItemColumns
from retrieval.defaults import EXACT_SEARCH_MAX_ITEMS, MAX_ITEMS_IN_MEMORY
from retrieval.items import Item
from retrieval.ranking import Candidate
from retrieval.titles import TitleResolver
from retrieval.vector_store import Filters, Hit, VectorStore


@dataclass
class CandidateQuery:
    vector: np.ndarray | None  # semantic query (None: no semantic pool)
    filters: Filters
    exclude: set[str] = field(default_factory=set)
    prefer_genres: list[str] = field(default_factory=list)  # feeds a genre-popular pool
    n_semantic: int = 120
    n_popular: int = 40
    personal: dict[str, list[str]] = field(default_factory=dict)  # more pools: source -> ids (collaborative, people)


@dataclass(frozen=True)
class SearchPlan:
    mode: str  # "none" (nothing allowed), "ann" (over-fetch + post-filter), "fetch" (read the
    #            vectors of k allowed items, compare exactly), "exact" (all vectors in memory)
    k: int  # how many neighbours to ask the vector store for


@dataclass(frozen=True)
class PlanLimits:
    max_fetch: int = 2000  # largest unfiltered ANN request (cost grows with k)
    fetch_limit: int = 500  # most vectors read for an exact comparison (~20 ms for 500 at 1M items)
    embeddings_in_query: int = 600  # up to this k, the ANN query returns the vectors too
    overfetch: float = 1.3  # margin over the expected number of survivors


def plan_search(allowed: int, total: int, need: int, limits: PlanLimits = PlanLimits()) -> SearchPlan:
    """How to find ``need`` nearest allowed items when ``allowed`` of ``total`` pass the filters.

    Filters are assumed independent of similarity, so an unfiltered top-k keeps about
    ``k * allowed / total`` items. When that cannot reach ``need`` within ``max_fetch``, read the
    vectors of the allowed items (the ``fetch_limit`` most popular when there are more) and
    compare exactly.
    """
    if allowed == 0 or need <= 0:
        return SearchPlan("none", 0)
    need = min(need, allowed)
    if allowed == total:
        return SearchPlan("ann", need)
    k = math.ceil(need * total / allowed * limits.overfetch)
    if k <= limits.max_fetch:
        return SearchPlan("ann", min(max(k, need), total))
    return SearchPlan("fetch", min(allowed, limits.fetch_limit))


class CatalogueEngine:
    def __init__(self, store: CatalogueStore, vectors: VectorStore, catalogue: str,
                 max_items_in_memory: int = MAX_ITEMS_IN_MEMORY, exact_search_max_items: int = EXACT_SEARCH_MAX_ITEMS,
                 limits: PlanLimits = PlanLimits(), warm: dict | None = None):
        """``warm``: a :meth:`warm_state` saved by an earlier process for this same catalogue version
        (see :mod:`retrieval.warm_cache`): nothing is then read from SQLite or Chroma."""
        self.store = store
        self.vectors = vectors
        self.catalogue = catalogue
        self.limits = limits
        if warm is not None:
            self.columns, self.items, self.matrix = warm["columns"], warm["items"], warm["matrix"]
            self.__dict__.update({k: warm[k] for k in ("resolver", "people") if warm.get(k) is not None})
        else:
            self.columns = ItemColumns.from_records(store.iter_records(catalogue))
            self.items: dict[str, Item] | None = None
            if len(self.columns) <= max_items_in_memory:
                self.items = {it.id: it for it in store.all_items(catalogue)}
        self._fetch_one = lru_cache(maxsize=10_000)(lambda item_id: store.get_item(catalogue, item_id))
        years = self.columns.year[~np.isnan(self.columns.year)]
        self.max_year = int(years.max()) if len(years) else 2025
        self.genres = self.columns.genre_names
        self.last_plan: SearchPlan | None = None
        if warm is None:
            self.matrix = self._load_matrix() if len(self.columns) <= exact_search_max_items else None

    def warm_state(self) -> dict | None:
        """What a later process may load instead of rebuilding (None for catalogues not held in
        memory). The title and people indexes are included when they have been built."""
        if self.items is None or self.matrix is None:
            return None
        return {"columns": self.columns, "items": self.items, "matrix": self.matrix,
                "resolver": self.__dict__.get("resolver"), "people": self.__dict__.get("people")}

    def _load_matrix(self) -> np.ndarray:
        """All vectors in catalogue row order (rows without a vector stay zero: never similar)."""
        matrix = np.zeros((len(self.columns), 0), dtype=np.float32)
        for ids, vecs in self.vectors.all_embeddings():
            if matrix.shape[1] == 0:
                matrix = np.zeros((len(self.columns), vecs.shape[1]), dtype=np.float32)
            rows = [self.columns.row.get(i, -1) for i in ids]
            keep = [j for j, r in enumerate(rows) if r >= 0]
            matrix[[rows[j] for j in keep]] = vecs[keep]
        return matrix

    def __len__(self) -> int:
        return len(self.columns)

    @cached_property
    def resolver(self) -> TitleResolver:
        """Built on first use (seconds at a million titles)."""
        return TitleResolver(list(self.items.values()) if self.items is not None else self.columns.title_records())

    @cached_property
    def people(self) -> PeopleIndex:
        """Directors and cast of the items held in memory (none for catalogues read on demand)."""
        return PeopleIndex(self.items.values() if self.items is not None else ())

    def get(self, item_id: str) -> Item | None:
        if self.items is not None:
            return self.items.get(item_id)
        return self._fetch_one(item_id) if item_id in self.columns.row else None

    def get_many(self, ids: list[str]) -> dict[str, Item]:
        if self.items is not None:
            return {i: self.items[i] for i in ids if i in self.items}
        return self.store.get_items(self.catalogue, ids)

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Vectors of some items (from memory when the catalogue's vectors are held)."""
        if self.matrix is None:
            return self.vectors.embeddings(ids)
        rows = self.columns.row
        return {i: self.matrix[rows[i]] for i in ids if i in rows}

    def semantic_hits(self, vector: np.ndarray, allowed: np.ndarray, n: int) -> list[Hit]:
        """The ``n`` nearest items among the allowed rows, nearest first (with their vectors
        when they came at no extra cost)."""
        vector = np.asarray(vector, dtype=np.float32)
        if self.matrix is not None:
            self.last_plan = SearchPlan("exact", n)
            return self._exact(self.matrix @ vector, allowed, self.matrix, self.columns.ids, n)
        plan = plan_search(int(allowed.sum()), len(self.columns), n, self.limits)
        self.last_plan = plan
        if plan.mode == "none":
            return []
        if plan.mode == "fetch":
            ids = self.columns.top_popular(allowed, plan.k)
            found = self.vectors.embeddings(ids)
            ids = np.array([i for i in ids if i in found], dtype=object)
            vecs = np.stack([found[i] for i in ids]) if len(ids) else np.zeros((0, len(vector)), np.float32)
            return self._exact(vecs @ vector, np.ones(len(ids), dtype=bool), vecs, ids, n)
        rows = self.columns.row
        hits = self.vectors.query(vector, plan.k, with_embeddings=plan.k <= self.limits.embeddings_in_query)
        return [h for h in hits if allowed[rows[h.id]]][:n]

    @staticmethod
    def _exact(sims: np.ndarray, allowed: np.ndarray, vecs: np.ndarray, ids: np.ndarray, n: int) -> list[Hit]:
        sims = np.where(allowed, sims, -np.inf)
        n = min(n, int(allowed.sum()))
        top = np.argpartition(-sims, n - 1)[:n] if 0 < n < len(sims) else np.arange(n)
        top = top[np.argsort(-sims[top])]
        return [Hit(ids[j], float(sims[j]), vecs[j]) for j in top]

    def candidates(self, q: CandidateQuery) -> list[Candidate]:
        allowed = self.columns.mask(q.filters, q.exclude)
        similarity: dict[str, float] = {}
        sources: dict[str, set[str]] = {}
        embeddings: dict[str, np.ndarray] = {}
        if q.vector is not None:
            for h in self.semantic_hits(q.vector, allowed, q.n_semantic):
                similarity[h.id] = h.similarity
                sources[h.id] = {"semantic"}
                if h.embedding is not None:
                    embeddings[h.id] = h.embedding
        # personal pools (collaborative, profile history) under the same hard constraints
        for source, ids in q.personal.items():
            for item_id in ids:
                row = self.columns.row.get(item_id)
                if row is not None and allowed[row]:
                    sources.setdefault(item_id, set()).add(source)
        # popular items that satisfy the constraints (and the preferred genres, if any)
        for source, genres in (("genre", q.prefer_genres), ("popular", [])):
            if source == "genre" and not genres:
                continue
            for item_id in self.columns.top_popular(allowed, q.n_popular, genres):
                sources.setdefault(item_id, set()).add(source)
        items = self.get_many(list(sources))
        embeddings |= self.embeddings([i for i in sources if i not in embeddings])
        pool = []
        for item_id, srcs in sources.items():
            emb = embeddings.get(item_id)
            sim = similarity.get(item_id)
            if sim is None:
                sim = float(np.dot(emb, q.vector)) if q.vector is not None and emb is not None else 0.0
            if item_id in items:
                pool.append(Candidate(items[item_id], sim, emb, srcs))
        return pool
