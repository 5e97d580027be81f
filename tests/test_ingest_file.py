"""Generic catalogue ingest from CSV / JSONL into real SQLite + real Chroma (tmp dirs)."""

import json

import pytest

from retrieval.catalogue import CatalogueStore
from retrieval.catalogue_file import ingest_file, parse_mapping
from retrieval.reading import IngestError
from retrieval.vector_store import Filters, VectorStore, make_client


@pytest.fixture
def stores(tmp_path, embedder):
    def make(catalogue="books"):
        return CatalogueStore(tmp_path / "c.sqlite3"), VectorStore(make_client(tmp_path / "chroma"), embedder, catalogue)
    return make


def write_csv(path, rows):
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_csv_with_mapping_is_queryable_with_filters(tmp_path, stores):
    store, vectors = stores()
    f = write_csv(tmp_path / "books.csv", [
        "isbn,name,published,subjects,pages,author",
        "b1,The Hobbit,1937,Fantasy;Adventure,310,J. R. R. Tolkien",
        "b2,Dune,1965,Sci-Fi,412,Frank Herbert",
        "b3,Pride and Prejudice,1813,Romance;Classic,279,Jane Austen",
    ])
    report = ingest_file(store, vectors, f, "books",
                         parse_mapping("id=isbn,title=name,year=published,genres=subjects,directors=author"),
                         item_type="book", genre_sep=";")
    assert (report.items, report.embedded, report.skipped_rows) == (3, 3, [])
    assert store.get_item("books", "b2").genres == ["Sci-Fi"]
    assert store.get_item("books", "b2").directors == ["Frank Herbert"]  # people fields map like genres
    hits = vectors.query_text("desert planet science fiction", 3, Filters(item_type="book", year_min=1900))
    assert [h.id for h in hits][0] == "b2" and "b3" not in [h.id for h in hits]
    hits = vectors.query_text("a story", 3, Filters(exclude_genres=["Fantasy"]))
    assert "b1" not in [h.id for h in hits]


def test_bad_rows_stop_writes_nothing_and_keeps_the_old_collection(tmp_path, stores):
    store, vectors = stores()
    good = write_csv(tmp_path / "good.csv", ["id,title,year", "1,Alpha,2001", "2,Beta,2002"])
    ingest_file(store, vectors, good, "books")
    bad = write_csv(tmp_path / "bad.csv", ["id,title,year", "1,Gamma,20x1", "2,,2003", "3,Delta,2004,extra"])
    with pytest.raises(IngestError) as err:
        ingest_file(store, vectors, bad, "books")
    assert [e.split(":")[0] for e in err.value.errors] == ["line 2", "line 3", "line 4"]
    assert "not a number" in err.value.errors[0] and "missing title" in err.value.errors[1]
    # nothing was half-written: the old catalogue and collection are intact
    assert {it.title for it in store.all_items("books")} == {"Alpha", "Beta"}
    assert vectors.count() == 2


def test_skip_mode_writes_good_rows_and_reports_bad_ones(tmp_path, stores):
    store, vectors = stores()
    f = tmp_path / "items.jsonl"
    f.write_text("\n".join([json.dumps({"id": "a", "title": "Alpha", "genres": ["Drama"]}),
                            "{not json", json.dumps(["a list"]), json.dumps({"id": "b", "title": "Beta"})]))
    report = ingest_file(store, vectors, f, "things", on_error="skip")
    assert report.items == 2
    assert [s.split(":")[0] for s in report.skipped_rows] == ["line 2", "line 3"]


def test_binary_missing_and_mapping_errors_are_clear(tmp_path, stores):
    store, vectors = stores()
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    with pytest.raises(IngestError, match="binary"):
        ingest_file(store, vectors, binary, "x")
    with pytest.raises(IngestError, match="cannot read"):
        ingest_file(store, vectors, tmp_path / "missing.csv", "x")
    with pytest.raises(IngestError, match="bad --map entry"):
        parse_mapping("titel=name")
    assert store.catalogues() == []
