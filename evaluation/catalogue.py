"""A benchmark's movie list as a SceneRec catalogue, linked to the default catalogue.

Each benchmark movie is linked to a movie of a MovieLens-based catalogue (the default catalogue,
or one read from a MovieLens folder such as ``ml-latest-small``) by title + year (see
:mod:`evaluation.linking`) and borrows its genres, runtime, MPAA, IMDb rating, MovieLens popularity and ratings. Unlinked
movies stay in the catalogue with their title and year only.

Example::

    links, report = link_movies(movies, default_items)
    items = benchmark_items(movies, links, {it.id: it for it in default_items})
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from typing import Literal, get_args

import numpy as np

from pathlib import Path

from evaluation.dialogues import DatasetError
from evaluation.knowledge import Knowledge
from evaluation.readers import BenchmarkMovie
from retrieval.catalogue import CatalogueStore
from retrieval.ingest import meta_key
from retrieval.items import Item
from retrieval.popularity import recent_counts
from retrieval.vector_store import VectorStore

Prior = Literal["recent", "movielens", "mentions"]
PRIORS: tuple[str, ...] = get_args(Prior)
BUILD_VERSION = 4  # 3: items carry the benchmark's own knowledge (movie_info.json); 4: MovieLens 25M, Wikipedia
# Half-life of the "recent" prior, fitted on MovieLens ratings alone (benchmarks/popularity_recency.py:
# the counts that best predict the held-out final year of ml-latest-small's ratings; 180-1095 days
# score within 3% of each other).
RECENT_HALF_LIFE_DAYS = 730.0


def benchmark_items(movies: list[BenchmarkMovie], links: dict[str, str], catalogue: dict[str, Item],
                    prior: Prior = "movielens", interactions: list[tuple] = (),
                    knowledge: Knowledge | None = None, filled: Counter | None = None) -> list[Item]:
    """Catalogue items for the benchmark movies. ``prior`` picks the popularity: ``recent``, the
    linked movie's MovieLens ratings weighted by age (half-life ``RECENT_HALF_LIFE_DAYS`` before
    the newest rating; needs the catalogue's ``interactions``), ``movielens``, its plain rating
    count, or -- a diagnostic only -- the benchmark's own mention counts (``mentions``: ReDial's
    nbMentions counts mentions over the whole corpus, evaluation dialogues included). ``knowledge``
    fills what the link leaves empty (:class:`evaluation.knowledge.Knowledge`); ``filled`` counts
    the films each of its sources filled a field of."""
    recent = recent_counts(interactions, RECENT_HALF_LIFE_DAYS) if prior == "recent" else {}
    out = []
    for m in movies:
        linked = catalogue.get(links.get(m.id, ""))
        fields = linked.model_dump(exclude={"id", "title", "year"}) if linked else {}
        item = Item(id=m.id, title=m.title, year=m.year if m.year is not None else (linked.year if linked else None),
                    **fields)
        if prior == "mentions":
            item.popularity = m.mentions
        elif prior == "recent":
            item.popularity = round(recent.get(linked.id, 0.0)) if linked else 0
        if knowledge:
            item, used = knowledge.apply(item, m.title, m.year)
            if filled is not None:
                filled.update(used)
        out.append(item)
    return out


def read_movie_info(path: Path) -> dict[str, dict]:
    """ReDial's movie_info.json (genres, one-line plot, directors, writers, stars per ReDial id)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DatasetError(f"{path}: cannot be read as JSON ({e})") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{path}: expected an object keyed by movie id")
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def knowledge_coverage(items: list[Item]) -> dict[str, float]:
    """Share of items that have each field (the note reports it)."""
    n = max(1, len(items))
    fields = {"year": lambda it: it.year, "genres": lambda it: it.genres, "description": lambda it: it.description,
              "directors": lambda it: it.directors, "cast": lambda it: it.cast, "runtime": lambda it: it.runtime,
              "mpaa": lambda it: it.mpaa, "ratings": lambda it: it.popularity,
              "keywords": lambda it: "Keywords: " in it.description}
    return {name: round(sum(1 for it in items if get(it)) / n, 4) for name, get in fields.items()}


def benchmark_interactions(links: dict[str, str], interactions: list[tuple]) -> list[tuple]:
    """The default catalogue's ratings re-keyed to the benchmark ids they link to."""
    by_item: dict[str, list[str]] = defaultdict(list)
    for bench_id, item_id in links.items():
        by_item[item_id].append(bench_id)
    return [(u, b, r, ts) for (u, i, r, ts) in interactions for b in by_item.get(i, ())]


def fingerprint(items: list[Item]) -> str:
    """Changes with the items' data and with the text they are embedded by (a new ``Item.document``
    format re-embeds them)."""
    blob = json.dumps([it.model_dump() | {"document": it.document()} for it in items], sort_keys=True).encode()
    return hashlib.sha1(blob + str(BUILD_VERSION).encode()).hexdigest()


def is_current(store: CatalogueStore, vectors: VectorStore, name: str, items: list[Item]) -> bool:
    meta = store.get_meta(meta_key(name)) or {}
    return meta.get("fingerprint") == fingerprint(items) and vectors.count() == len(items)


def ensure_benchmark_catalogue(store: CatalogueStore, vectors: VectorStore, name: str, items: list[Item],
                               interactions: list[tuple], known_vectors: dict[str, np.ndarray],
                               progress=None) -> bool:
    """Write the benchmark catalogue (items, ratings, vectors) unless an identical one is there.
    ``known_vectors`` reuses embeddings by benchmark id; ``progress()`` makes the callback that
    counts written items (called only when building). Returns whether it was (re)built."""
    if is_current(store, vectors, name, items):
        return False
    fp = fingerprint(items)
    store.delete_meta(meta_key(name))
    vectors.build(items, progress=progress() if progress else None, fresh=True, vectors=known_vectors)
    store.replace_catalogue(name, items)
    store.replace_interactions(name, interactions)
    store.set_meta(meta_key(name), {"complete": True, "items": len(items), "interactions": len(interactions),
                                    "source": "benchmark", "fingerprint": fp})
    return True
