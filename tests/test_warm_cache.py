"""The warm cache of derived models (retrieval/warm_cache.py, wired in agent/wiring.py): a later
process loads what an earlier one built, gives exactly the same answers, and never uses a cache
from another catalogue version or one it cannot read (it rebuilds it instead, never crashes)."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys

import pytest

from agent.settings import load_settings
from agent.warm_start import warm_key
from agent.wiring import build_agent, open_stores
from retrieval.warm_cache import WarmCache, chroma_collection_id, code_digest
from tests.helpers import ROOT, offline_env
from tests.live_server import copy_data_dir

TURNS = [("a thriller from the 90s, under 2 hours", None), ("something lighter, a comedy", None),
         ("I loved Toy Story, something for my kids", "ml:42"), ("九十年代的惊悚片", None)]


# --- the cache file ----------------------------------------------------------------------------
def test_a_saved_state_loads_under_its_own_key_only(tmp_path):
    cache = WarmCache(tmp_path / "cache", "movies")
    assert cache.load("k1") is None  # nothing yet
    assert cache.save("k1", {"numbers": [1, 2, 3]})
    assert cache.load("k1") == {"numbers": [1, 2, 3]}
    assert cache.load("k2") is None  # another catalogue version: ignored
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["warm-movies.pkl"]  # no temporary left


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "not a dict", "a directory"])
def test_an_unreadable_cache_is_ignored_not_raised(tmp_path, damage):
    cache = WarmCache(tmp_path, "movies")
    cache.save("k", {"numbers": list(range(1000))})
    data = cache.path.read_bytes()
    if damage == "garbage":
        cache.path.write_bytes(b"\x80\x05not a pickle at all" * 10)
    elif damage == "truncated":
        cache.path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        cache.path.write_bytes(b"")
    elif damage == "not a dict":
        cache.path.write_bytes(pickle.dumps("k") + pickle.dumps([1, 2]))
    else:
        cache.path.unlink()
        cache.path.mkdir()
    assert cache.load("k") is None


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert WarmCache(blocker / "cache", "movies").save("k", {"a": 1}) is False  # parent is a file


def test_the_key_changes_with_the_code_that_defines_the_cached_classes(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("x = 1\n")
    import importlib.util

    def module(path):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        return m

    before = code_digest([module(a), module(b)])
    b.write_text("x = 2\n")
    assert code_digest([module(a), module(b)]) != before


def test_no_collection_means_no_key(tmp_path):
    assert chroma_collection_id(tmp_path, "scenerec_movies") is None  # no chroma.sqlite3
    (tmp_path / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    assert chroma_collection_id(tmp_path, "scenerec_movies") is None


# --- with the default catalogue --------------------------------------------------------------------
@pytest.fixture(scope="module")
def own_data(data_dir, tmp_path_factory):
    """A private copy of the catalogue, with no warm cache in it yet."""
    target = tmp_path_factory.mktemp("warm") / "data"
    return copy_data_dir(data_dir, target, without=("cache/warm-*.pkl",))


def _answers(agent) -> list:
    out = []
    for message, user in TURNS:
        r = agent.turn(message, user_id=user)
        out.append((r.reply, r.action, [(i.id, i.score, i.reason, i.contributions, i.facts) for i in r.items]))
    return out


def test_results_are_identical_with_and_without_the_cache(own_data, tmp_path, monkeypatch):
    # two copies with the same sessions and profiles: turns write feedback, which must not leak across
    cold_dir, warm_dir = tmp_path / "cold", tmp_path / "warm"
    for d in (cold_dir, warm_dir):
        shutil.copytree(own_data, d, ignore=shutil.ignore_patterns("warm-*.pkl"))
    cold = build_agent(load_settings(data_dir=cold_dir))  # builds everything, writes the cache
    cold_answers = _answers(cold)
    (warm_dir / "cache").mkdir(exist_ok=True)
    for f in (cold_dir / "cache").glob("warm-*.pkl"):
        shutil.copy2(f, warm_dir / "cache" / f.name)
    settings = load_settings(data_dir=warm_dir)
    key = warm_key(settings, open_stores(settings))
    assert key and WarmCache(warm_dir / "cache", "movies").load(key) is not None

    def rebuilt(*_, **__):
        raise AssertionError("rebuilt although the cache is of this catalogue version")

    from agent.personal.personalizer import Personalizer
    from retrieval.engine import CatalogueEngine

    monkeypatch.setattr(CatalogueEngine, "_load_matrix", rebuilt)
    monkeypatch.setattr(Personalizer, "_fit", rebuilt)
    warm = build_agent(settings)  # loads it
    assert _answers(warm) == cold_answers
    assert warm.ranking_mode == cold.ranking_mode


def test_a_changed_catalogue_is_never_served_from_the_old_cache(own_data):
    settings = load_settings(data_dir=own_data)
    build_agent(settings)  # a cache of this version exists
    stores = open_stores(settings)
    before = warm_key(settings, stores)
    item = stores.catalogue.all_items("movies")[0]
    renamed = item.model_copy(update={"title": "Zzyzx Road Renamed For The Test"})
    stores.catalogue.upsert_items("movies", [renamed])
    try:
        after = warm_key(settings, stores)
        assert after != before
        agent = build_agent(settings)
        assert agent.engine.get(item.id).title == renamed.title  # not the cached old title
        assert agent.engine.resolver  # rebuilt from the new rows
        assert WarmCache(own_data / "cache", "movies").load(after) is not None  # and cached anew
    finally:
        stores.catalogue.upsert_items("movies", [item])


def test_a_corrupt_cache_is_rebuilt(own_data):
    settings = load_settings(data_dir=own_data)
    cache = WarmCache(own_data / "cache", "movies")
    build_agent(settings)
    cache.path.write_bytes(cache.path.read_bytes()[:1000])  # truncated mid-pickle
    agent = build_agent(settings)
    assert agent.turn("a comedy").items
    assert cache.load(warm_key(settings, open_stores(settings))) is not None  # written again, whole


def test_a_warm_start_does_not_import_chroma(own_data, tmp_path):
    build_agent(load_settings(data_dir=own_data))  # the cache is warm
    code = ("import sys; from agent.settings import load_settings; from agent.wiring import build_agent; "
            f"a = build_agent(load_settings(data_dir={str(own_data)!r})); r = a.turn('a thriller from the 90s'); "
            "assert r.items; print('chromadb' in sys.modules, 'jieba' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=offline_env(tmp_path), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["False", "False"]  # neither Chroma nor the Chinese reader was needed


def test_an_unreadable_ratings_cache_is_read_again_from_the_catalogue(own_data):
    settings = load_settings(data_dir=own_data)
    build_agent(settings)
    ratings = WarmCache(own_data / "cache", "movies", "ratings")
    expected = dict(ratings.load(warm_key(settings, open_stores(settings)))["base"])
    ratings.path.write_bytes(b"garbage")
    agent = build_agent(settings)  # the main cache is warm; the ratings are loaded on first use
    assert agent.turn("a comedy", user_id="ml:42").items
    assert dict(agent.personalizer.base) == expected


def test_forgetting_a_person_leaves_no_copy_of_their_ratings_in_the_cache(own_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(own_data, data)  # deleting a person changes the catalogue: a copy of its own
    settings = load_settings(data_dir=data)
    agent = build_agent(settings)
    files = sorted((data / "cache").glob("warm-movies*.pkl"))
    assert len(files) == 3 and "ml:1" in agent.personalizer.base
    assert agent.delete_user("ml:1") > 0
    assert not any(f.exists() for f in files)  # dropped at once, not only made stale
    again = build_agent(settings)  # builds the cache anew, without them
    assert "ml:1" not in again.personalizer.base
    assert "ml:1" not in WarmCache(data / "cache", "movies", "ratings").load(warm_key(settings, open_stores(settings)))["base"]
