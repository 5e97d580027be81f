"""The synthetic catalogue: deterministic and lazy, realistic enough to filter and search, and
ingestible from the CLI with a resumable streamed ingest."""

import json
from collections import Counter
from itertools import islice

import numpy as np

from retrieval.synthetic import GENRES, TermVectorEmbedder, synthetic_items
from tests.helpers import run_cli


def test_same_seed_same_items_and_any_start_index():
    a = list(synthetic_items(2500))
    assert [it.model_dump() for it in a] == [it.model_dump() for it in synthetic_items(2500)]
    assert [it.id for it in synthetic_items(2500, start=1700)] == [it.id for it in a[1700:]]
    assert a[1700] == next(synthetic_items(2500, start=1700))
    assert list(synthetic_items(2500, seed=1))[0].title != a[0].title or a[0].year != list(synthetic_items(2500, seed=1))[0].year


def test_items_look_like_a_movie_catalogue():
    items = list(synthetic_items(5000))
    genre_share = Counter(g for it in items for g in it.genres)
    assert genre_share.most_common(2)[0][0] in ("Drama", "Comedy") and set(genre_share) <= set(GENRES)
    years = np.array([it.year for it in items])
    assert 1915 <= years.min() and years.max() <= 2016 and np.median(years) > 1990
    shorts = sum(it.runtime < 40 for it in items) / len(items)
    assert 0.01 < shorts < 0.06
    assert 0.3 < sum(it.mpaa is not None for it in items) / len(items) < 0.5
    assert len({it.title for it in items}) > 2000  # titles vary
    assert all(it.document().startswith(it.display_title) and it.description for it in items[:50])


def test_term_vectors_keep_the_real_model_geometry(embedder):
    emb = TermVectorEmbedder.from_model(embedder)
    docs = [it.document() for it in islice(synthetic_items(400), 400)]
    vecs = emb.encode(docs)
    assert vecs.shape == (400, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    query = embedder.encode_query("a scary haunted house horror")  # the real model embeds the query
    items = list(synthetic_items(400))
    top = np.argsort(-(vecs @ query))[:10]
    assert sum("Horror" in items[i].genres for i in top) >= 7
    assert np.array_equal(emb.encode(["zzz qqq"]), emb.encode(["zzz qqq"]))  # unknown words: deterministic


def test_cli_builds_a_synthetic_catalogue_and_answers_over_it(tmp_path):
    data = tmp_path / "data"
    built = run_cli(["ingest", "--synthetic", "1500", "--synthetic-vectors", "--data-dir", str(data)], tmp_path)
    assert built.returncode == 0 and "'synthetic1500': 1500 items, 1500 embedded now" in built.stdout, built.stderr[-2000:]
    assert "embedding items" in built.stderr  # the progress bar
    again = run_cli(["ingest", "--synthetic", "1500", "--synthetic-vectors", "--data-dir", str(data)], tmp_path)
    assert "already complete" in again.stdout
    asked = run_cli(["ask", "--json", "--data-dir", str(data), "--catalogue", "synthetic1500",
                     "a romantic comedy under 90 minutes"], tmp_path)
    result = json.loads(asked.stdout)
    assert len(result["items"]) == 5 and all(it["runtime"] <= 90 for it in result["items"])
    assert all(it["id"].startswith("syn") for it in result["items"])
