"""In-memory filtering and the search plan: the numpy mask agrees with ``Filters.accepts`` on
every item, the plan picks ANN over-fetch or an exact comparison of fetched vectors, and the engine's
candidates honour the filters whichever plan ran (on real Chroma, small and lazy catalogues)."""

import random

import numpy as np
import pytest

from retrieval.catalogue import CatalogueStore
from retrieval.columns import ItemColumns
from retrieval.engine import CandidateQuery, CatalogueEngine, PlanLimits, SearchPlan, plan_search
from retrieval.ingest import ingest_stream
from retrieval.synthetic import GENRES, TermVectorEmbedder, synthetic_items
from retrieval.vector_store import Filters, VectorStore, make_client, mpaa_up_to


def random_filters(rng: random.Random) -> Filters:
    genres = list(GENRES)
    pick = lambda: rng.random() < 0.4  # noqa: E731
    return Filters(
        item_type=rng.choice([None, "movie", "book"]) if pick() else None,
        year_min=rng.randint(1930, 2010) if pick() else None,
        year_max=rng.randint(1950, 2016) if pick() else None,
        min_runtime=rng.randint(20, 100) if pick() else None,
        max_runtime=rng.choice([30, 39, 40, 90, 120]) if pick() else None,
        mpaa_allowed=mpaa_up_to(rng.choice(["G", "PG", "PG-13", "R"]), allow_unknown=rng.random() < 0.5) if pick() else None,
        exclude_genres=rng.sample(genres, rng.randint(1, 3)) if pick() else [],
        any_genres=rng.sample(genres, rng.randint(1, 2)) if pick() else [],
        min_rating=rng.choice([5.0, 7.0, 8.5]) if pick() else None,
        exclude_shorts=rng.random() < 0.8,
    )


def test_mask_has_exactly_the_semantics_of_accepts(tiny_items):
    items = list(synthetic_items(3000)) + tiny_items
    cols = ItemColumns.from_items(items)
    rng = random.Random(7)
    for _ in range(300):
        f = random_filters(rng)
        exclude = {it.id for it in rng.sample(items, 5)}
        expected = [f.accepts(it) and it.id not in exclude for it in items]
        assert cols.mask(f, exclude).tolist() == expected, f


def test_top_popular_is_ordered_and_filtered(tiny_items):
    cols = ItemColumns.from_items(tiny_items)
    allowed = cols.mask(Filters(mpaa_allowed=mpaa_up_to("PG")))
    assert cols.top_popular(allowed, 3) == ["8", "1", "9"]  # Star Wars 290, Toy Story 250, Shrek 170
    assert cols.top_popular(allowed, 2, genres=["Drama"]) == ["3", "4"]  # Up (PG), Kids (unknown MPAA)


@pytest.mark.parametrize("allowed,total,need,expected", [
    (0, 1000, 150, SearchPlan("none", 0)),
    (1000, 1000, 150, SearchPlan("ann", 150)),
    (500, 1000, 150, SearchPlan("ann", 390)),  # half pass: ask for 2.6x
    (900, 9000, 150, SearchPlan("ann", 1950)),
    (300, 1_000_000, 150, SearchPlan("fetch", 300)),  # too rare for ANN: read them all
    (50_000, 1_000_000, 150, SearchPlan("fetch", 500)),  # rare but many: the 500 most popular
    (40, 1000, 150, SearchPlan("ann", 1000)),  # a small collection: the whole of it
])
def test_plan_search(allowed, total, need, expected):
    assert plan_search(allowed, total, need, PlanLimits(max_fetch=2000, fetch_limit=500)) == expected


@pytest.fixture(scope="module")
def synthetic_stores(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("engine")
    term = TermVectorEmbedder.from_model(embedder)
    store, vectors = CatalogueStore(tmp / "c.sqlite3"), VectorStore(make_client(tmp / "chroma"), term, "syn")
    ingest_stream(store, vectors, "syn", synthetic_items(4000), 4000, GENRES, "syn", batch_size=1000)
    return store, vectors, term


@pytest.mark.parametrize("in_memory", [True, False])
@pytest.mark.parametrize("filters,mode", [
    (Filters(), "ann"),
    (Filters(year_min=1990, exclude_genres=["Horror"]), "ann"),
    (Filters(any_genres=["Western"], year_max=1980), "fetch"),
    (Filters(year_min=1990, exclude_genres=["Horror"]), "exact"),
    (Filters(any_genres=["Western"], year_max=1980), "exact"),
])
def test_engine_candidates_honour_filters_with_every_plan(synthetic_stores, in_memory, filters, mode):
    store, vectors, term = synthetic_stores
    engine = CatalogueEngine(store, vectors, "syn", max_items_in_memory=10**6 if in_memory else 0,
                             exact_search_max_items=10**6 if mode == "exact" else 0,
                             limits=PlanLimits(max_fetch=1500, fetch_limit=500))
    assert (engine.items is not None) == in_memory and (engine.matrix is not None) == (mode == "exact")
    query = term.encode_query("a scary haunted house horror")
    exclude = set(engine.columns.ids[:50].tolist())
    pool = engine.candidates(CandidateQuery(query, filters, exclude=exclude, prefer_genres=["Drama"], n_semantic=60))
    assert engine.last_plan.mode == mode
    assert pool and all(filters.accepts(c.item) and c.item.id not in exclude for c in pool)
    semantic = [c for c in pool if "semantic" in c.sources]
    assert semantic and all(c.embedding is not None for c in pool)
    # the semantic pool is the exact top of the allowed items (compare with brute force)
    allowed = [it for it in synthetic_items(4000) if filters.accepts(it) and it.id not in exclude]
    vecs = term.encode([it.document() for it in allowed])
    best = {allowed[i].id for i in np.argsort(-(vecs @ query))[:len(semantic)]}
    overlap = len(best & {c.item.id for c in semantic}) / len(semantic)
    assert overlap >= 0.8, overlap
    assert engine.get(pool[0].item.id) == pool[0].item and engine.get("nope") is None
    assert engine.resolver.exact(pool[0].item.title)


def test_one_list_of_conditions_is_what_chroma_is_asked():
    """``Filters.conditions()`` is the one home of what a filter means; ``where`` renders it."""
    f = Filters(item_type="movie", year_min=1990, max_runtime=100, mpaa_allowed=["G", "PG"],
                exclude_genres=["Horror", "War"], any_genres=["Comedy", "Drama"], min_rating=7)
    assert [(c.field, c.op) for c in f.conditions()] == [
        ("runtime", "not_short"), ("item_type", "eq"), ("year", "ge"), ("runtime", "le"), ("mpaa", "in"),
        ("genres", "none_of"), ("genres", "any_of"), ("rating", "ge")]
    clauses = f.where()["$and"]
    assert clauses[0] == {"is_short": False} and clauses[2] == {"year": {"$gte": 1990}}
    assert clauses[-1] == {"rating": {"$gte": 7.0}} and isinstance(clauses[-1]["rating"]["$gte"], float)
    assert len(clauses) == 9 and {"$or": [{"g_comedy": True}, {"g_drama": True}, {"genres": ""}]} in clauses
    assert {"g_horror": {"$ne": True}} in clauses and {"g_war": {"$ne": True}} in clauses
    assert Filters(exclude_shorts=False).where() is None and Filters().conditions()[0].op == "not_short"


def test_unknown_genres_pass_a_genre_wish_but_not_a_genre_refusal(tmp_path):
    """An item with no genres on record passes ``any_of`` (unknown is not "none of these") and
    ``none_of``, alike in Chroma's ``where``, ``Filters.accepts`` and ``ItemColumns.mask``."""
    from retrieval.items import Item
    from retrieval.vector_store import item_metadata

    items = [Item(id="c", title="A Comedy", genres=["Comedy"]), Item(id="h", title="A Horror", genres=["Horror"]),
             Item(id="u", title="Unknown Genres", genres=[])]
    client = make_client(tmp_path / "chroma")
    coll = client.create_collection("genres-test", embedding_function=None)
    coll.add(ids=[it.id for it in items], embeddings=[[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]],
             metadatas=[item_metadata(it, ["Comedy", "Horror"]) | {"year": 2000} for it in items])
    cols = ItemColumns.from_items(items)
    for f, expected in ((Filters(any_genres=["Comedy"], exclude_shorts=False), {"c", "u"}),
                        (Filters(exclude_genres=["Horror"], exclude_shorts=False), {"c", "u"}),
                        (Filters(any_genres=["Comedy"], exclude_genres=["Comedy"], exclude_shorts=False), {"u"})):
        assert set(coll.get(where=f.where())["ids"]) == expected
        assert {it.id for it in items if f.accepts(it)} == expected
        assert set(cols.ids[cols.mask(f)].tolist()) == expected
