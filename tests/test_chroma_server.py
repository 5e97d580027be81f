"""Chroma in client/server mode: a real ``chroma run`` on loopback, reached through
``SCENEREC_CHROMA_URL``; ingest (file and streamed synthetic, interrupted and resumed) and
queries go through it, and a whole agent answers over it."""

import shutil
import sys
from itertools import islice
from pathlib import Path

import pytest

from agent.settings import load_settings
from agent.wiring import build_agent, open_stores
from retrieval.catalogue_file import ingest_file
from retrieval.ingest import ingest_stream, is_complete
from retrieval.synthetic import GENRES, TermVectorEmbedder, synthetic_items
from retrieval.vector_store import Filters, VectorStore, make_client
from tests.live_server import copy_data_dir
from tests.servers import ServerProcess, free_port


def chroma_cli() -> str:
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    assert found, "the chroma CLI (installed with chromadb) is not on PATH"
    return found


def start_chroma(path: Path, log_dir: Path) -> ServerProcess:
    port = free_port()
    server = ServerProcess([chroma_cli(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                           f"http://127.0.0.1:{port}/api/v2/heartbeat", log_dir / f"chroma-{port}.log")
    server.url = f"http://127.0.0.1:{port}"
    return server.start()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chroma_server")
    server = start_chroma(tmp / "db", tmp)
    yield server
    server.kill()


@pytest.fixture(scope="module")
def term_embedder(embedder):
    return TermVectorEmbedder.from_model(embedder)


def test_chroma_url_selects_the_http_client(chroma_server, tmp_path):
    settings = load_settings(data_dir=tmp_path, chroma_url=chroma_server.url)
    client = open_stores(settings).vectors.client
    client.get_or_create_collection("made_through_settings")
    seen_by_server = {c.name for c in make_client(url=chroma_server.url).list_collections()}
    assert "made_through_settings" in seen_by_server
    assert not (tmp_path / "chroma").exists()  # nothing embedded was created


def test_file_ingest_and_filtered_queries_through_the_server(chroma_server, tmp_path, embedder):
    settings = load_settings(data_dir=tmp_path, chroma_url=chroma_server.url, catalogue="books")
    stores = open_stores(settings, embedder)
    f = tmp_path / "books.csv"
    f.write_text("id,title,year,genres\nb1,The Hobbit,1937,Fantasy|Adventure\nb2,Dune,1965,Sci-Fi\n"
                 "b3,Pride and Prejudice,1813,Romance\n")
    report = ingest_file(stores.catalogue, stores.vectors, f, "books", item_type="book")
    assert report.embedded == 3 and is_complete(stores.catalogue, stores.vectors, "books")
    hits = stores.vectors.query_text("desert planet science fiction", 3, Filters(item_type="book", year_min=1900))
    assert hits[0].id == "b2" and "b3" not in {h.id for h in hits}


class Interrupted(RuntimeError):
    pass


def cut_after(items, n):
    yield from islice(items, n)
    raise Interrupted


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_streamed_synthetic_ingest_resumes_after_an_interruption(mode, chroma_server, tmp_path, term_embedder):
    from retrieval.catalogue import CatalogueStore

    client = make_client(url=chroma_server.url) if mode == "server" else make_client(tmp_path / "chroma")
    store, vectors = CatalogueStore(tmp_path / "c.sqlite3"), VectorStore(client, term_embedder, f"syn_{mode}")
    n = 2500
    with pytest.raises(Interrupted):
        ingest_stream(store, vectors, vectors.name, cut_after(synthetic_items(n), 1200), n, GENRES, "syn", batch_size=500)
    assert not vectors.exists() and not is_complete(store, vectors, vectors.name)  # nothing half-live
    report = ingest_stream(store, vectors, vectors.name, synthetic_items(n), n, GENRES, "syn", batch_size=500)
    assert report.embedded == n - 1000  # the two complete batches were kept; the cut one is redone
    assert vectors.count() == n == store.count_items(vectors.name)
    again = ingest_stream(store, vectors, vectors.name, synthetic_items(n), n, GENRES, "syn", batch_size=500)
    assert again.already_complete and again.embedded == 0
    hits = vectors.query_text("a scary haunted house horror", 20, Filters(any_genres=["Horror"], year_min=1990))
    items = [store.get_item(vectors.name, h.id) for h in hits]
    assert len(items) == 20 and all("Horror" in it.genres and it.year >= 1990 for it in items)


def test_a_whole_agent_answers_over_a_chroma_server(data_dir, tmp_path):
    """The server holds the vectors; the agent's data dir holds only SQLite (no embedded store)."""
    # copied by another process: this one has the session's Chroma and catalogue SQLite files open
    copy_data_dir(data_dir / "chroma", tmp_path / "server-db")
    agent_dir = copy_data_dir(data_dir, tmp_path / "agent", without=("chroma", "state.sqlite3*", "api.sqlite3*"))
    server = start_chroma(tmp_path / "server-db", tmp_path)
    try:
        agent = build_agent(load_settings(data_dir=agent_dir, chroma_url=server.url))
        result = agent.turn("a thriller from the 90s, nothing too long")
        assert result.action == "recommend" and len(result.items) == 5
        assert all(1990 <= it.year <= 1999 for it in result.items)
        assert not (agent_dir / "chroma").exists()
    finally:
        server.kill()
