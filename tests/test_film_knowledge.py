"""Film knowledge (retrieval/film_knowledge.py): a richer catalogue's item vectors by film name, kept
in the learned bundle and blended into the default catalogue's vectors at ingest (retrieval/ingest.py,
agent/bundle_choice.py). Real Chroma, SQLite and MiniLM; the default catalogue's sources are a tiny
stand-in here (the real one is the suite's data dir)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from retrieval.film_knowledge import FilmKnowledge, blend
from retrieval.items import Item
from retrieval.learned import FILM_KNOWLEDGE, ModelBundle, ModelBundleError, load_bundle, read_film_knowledge, save_bundle


def _unit(*values: float) -> np.ndarray:
    v = np.asarray(values, np.float32)
    return v / np.linalg.norm(v)


def test_it_keeps_a_catalogues_vectors_by_film_name_and_maps_them_onto_another_catalogue():
    vectors = np.stack([_unit(1, 0, 0), _unit(0, 1, 0), _unit(0, 0, 1)])
    knowledge = FilmKnowledge.of_catalogue(["a", "b", "c"], vectors, {"a": "Elf (2003)", "b": "Heat (1995)", "x": "Up (2009)"},
                                           "enc")
    assert knowledge.names == ["Elf (2003)", "Heat (1995)"] and knowledge.dimension == 3  # "c" has no name
    items = [Item(id="e", title="Elf", year=2003), Item(id="h", title="Heat", year=1996),  # a year off still maps
             Item(id="u", title="Up", year=2009)]
    known = knowledge.for_items(items)
    assert sorted(known) == ["e", "h"] and np.allclose(known["h"], vectors[1])
    twice = FilmKnowledge.of_catalogue(["a", "b"], vectors[:2], {"a": "Elf (2003)", "b": "Elf (2003)"}, "enc")
    assert twice.names == ["Elf (2003)"] and np.allclose(twice.vectors[0], vectors[0])  # the first item of a name
    with pytest.raises(ValueError, match="twice"):
        FilmKnowledge(["Elf (2003)", "Elf (2003)"], vectors[:2], "enc")


def test_blending_gives_the_unit_sum_for_the_items_it_knows_only():
    own = {"e": _unit(1, 0, 0), "u": _unit(0, 1, 0)}
    blended = blend(own, {"e": _unit(0, 0, 1)})
    assert list(blended) == ["e"] and np.allclose(blended["e"], _unit(1, 0, 1))


def test_it_is_stored_as_numbers_in_the_bundle_and_read_back(tmp_path):
    knowledge = FilmKnowledge(["Elf (2003)", "Heat (1995)"], np.random.default_rng(0).normal(size=(2, 8)), "enc")
    save_bundle(tmp_path / "m", ModelBundle(manifest={"encoder": {"name": "enc"}}, film_knowledge=knowledge))
    loaded = load_bundle(tmp_path / "m", encoder="enc", dimension=8).film_knowledge
    assert loaded.names == knowledge.names and np.abs(loaded.vectors - knowledge.vectors).max() < 0.01
    assert loaded.digest() == knowledge.digest()
    assert read_film_knowledge(tmp_path / "m", "enc").digest() == knowledge.digest()
    assert read_film_knowledge(tmp_path / "m", "another-encoder") is None  # not this catalogue's vectors
    with pytest.raises(ModelBundleError, match="film knowledge"):
        load_bundle(tmp_path / "m", encoder="enc", dimension=4)
    assert read_film_knowledge(tmp_path / "nothing", "enc") is None


def test_a_damaged_film_knowledge_file_is_reported_and_left_out(tmp_path, caplog):
    knowledge = FilmKnowledge(["Elf (2003)"], np.ones((1, 4)), "enc")
    save_bundle(tmp_path / "m", ModelBundle(manifest={}, film_knowledge=knowledge))
    (tmp_path / "m" / FILM_KNOWLEDGE).write_bytes(b"not a zip")
    with caplog.at_level(logging.WARNING):
        assert read_film_knowledge(tmp_path / "m", "enc") is None
    assert "cannot be read" in caplog.text
    with pytest.raises(ModelBundleError, match="does not match its manifest"):
        load_bundle(tmp_path / "m")


@pytest.fixture
def tiny_default(monkeypatch, tmp_path, tiny_items, embedder):
    """Stores of a fresh data dir whose 'default catalogue' is the tiny items."""
    from agent.settings import Settings
    from agent.wiring import open_stores

    monkeypatch.setattr("retrieval.ingest.load_default_movies", lambda: (list(tiny_items), [], 1.0))
    return open_stores(Settings(data_dir=tmp_path / "data"), embedder=embedder)


def _stored(stores) -> dict[str, np.ndarray]:
    return {i: np.asarray(v) for ids, vecs in stores.vectors.all_embeddings() for i, v in zip(ids, vecs)}


def test_ingest_blends_the_knowledge_in_and_takes_it_out_again(tiny_default, tiny_items, embedder):
    from retrieval.ingest import ingest_default, is_complete, meta_key

    stores = tiny_default
    own = dict(zip([it.id for it in tiny_items], embedder.encode([it.document() for it in tiny_items])))
    knowledge = FilmKnowledge(["Shrek (2001)", "Up (2009)"], np.stack([_unit(*[1.0] * 384), _unit(*[-1.0] * 384)]),
                              embedder.model_name)
    report = ingest_default(stores.catalogue, stores.vectors, knowledge=knowledge)
    assert report.known_films == 2 and report.items == len(tiny_items)
    stored = _stored(stores)
    assert np.allclose(stored["9"], blend({"9": own["9"]}, {"9": knowledge.vectors[0]})["9"], atol=1e-5)
    assert np.allclose(stored["1"], own["1"], atol=1e-5)  # a film the knowledge does not hold: its own text
    assert stores.catalogue.get_meta(meta_key("movies"))["knowledge"] == knowledge.digest()
    assert is_complete(stores.catalogue, stores.vectors, "movies", knowledge.digest())
    assert not is_complete(stores.catalogue, stores.vectors, "movies", None)  # built with knowledge: not what is asked

    again = ingest_default(stores.catalogue, stores.vectors, knowledge=None)  # knowledge turned off: rebuilt
    assert not again.already_complete and again.known_films == 0
    assert all(np.allclose(v, own[i], atol=1e-5) for i, v in _stored(stores).items())  # nothing blended is kept
    assert ingest_default(stores.catalogue, stores.vectors).already_complete


def test_the_agent_builds_the_default_catalogue_with_the_chosen_bundles_knowledge(tiny_default, tmp_path, embedder,
                                                                                   monkeypatch):
    """ensure_catalogue rebuilds a catalogue whose knowledge is not what the settings choose, and
    SCENEREC_FILM_KNOWLEDGE=off (film_knowledge=False) builds it without."""
    from agent.bundle_choice import film_knowledge
    from agent.settings import Settings
    from agent.wiring import ensure_catalogue
    from retrieval.ingest import meta_key

    folder = tmp_path / "bundle"
    knowledge = FilmKnowledge(["Up (2009)"], np.ones((1, 384)), embedder.model_name)
    save_bundle(folder, ModelBundle(manifest={"encoder": {"name": embedder.model_name}}, film_knowledge=knowledge))
    on = Settings(data_dir=tmp_path / "data", learned_models=str(folder))
    assert film_knowledge(on, embedder.model_name).digest() == knowledge.digest()
    assert film_knowledge(on.model_copy(update={"catalogue": "books"}), embedder.model_name) is None
    assert ensure_catalogue(on, tiny_default).known_films == 1
    assert ensure_catalogue(on, tiny_default) is None  # complete, with this knowledge
    off = on.model_copy(update={"film_knowledge": False})
    assert ensure_catalogue(off, tiny_default).known_films == 0
    assert tiny_default.catalogue.get_meta(meta_key("movies"))["knowledge"] is None
