"""Item knowledge merged from ReDial's movie_info, MovieLens 25M and Wikipedia (evaluation/knowledge.py),
on tiny hand-made files."""

import json

import pytest

from evaluation import paths
from evaluation.catalogue import benchmark_items
from evaluation.knowledge import first_sentences, genre_names, load_knowledge
from evaluation.readers import BenchmarkMovie
from retrieval.items import Item

CSV = """movieId,title,genres,keyword
858,"Godfather, The (1972)",Crime|Drama,mafia|organized crime|mafia|classic|a|b|c|d|e|f|g|h|i|j
1,Toy Story (1995),Adventure|Animation|Children,pixar|toys
2,Blank (2001),(no genres listed),
3,Late Film (2019),Horror,
4,Twice (2010),Drama,
5,Twice (2014),Comedy,
"""

WIKI = [
    {"title": "Late Film", "year": 2018, "cast": ["Ann Actor", ")", "Bob Actor"], "genres": ["Science Fiction", "Family"],
     "extract": "Late Film is a 2018 American film by J. R. Smith. It follows a dog. It was a hit."},
    {"title": "Wiki Only", "year": 2019, "cast": ["Cy Actor"], "genres": ["Romantic comedy", "Biography"],
     "extract": "Wiki Only is a film. It has two sentences. And a third."},
    {"title": "Toy Story", "year": 1995, "cast": ["Tom Hanks"], "genres": ["Animated"], "extract": "A toy film."},
]

INFO = {"7": {"name": "Toy Story (1995)", "genre": ["family"], "plot": "Toys come alive.", "director": ["John Lasseter"],
              "star": ["Tom Hanks", "Tim Allen"]}}


def _shared(tmp_path, csv_text=CSV, wiki=WIKI):
    ml = tmp_path.joinpath(*paths.MOVIELENS_KEYWORDS)
    ml.parent.mkdir(parents=True)
    ml.write_text(csv_text, encoding="utf-8")
    folder = tmp_path.joinpath(*paths.WIKIPEDIA_MOVIES)
    folder.mkdir(parents=True)
    (folder / "movies-2010s.json").write_text(json.dumps(wiki), encoding="utf-8")
    return tmp_path


def _apply(knowledge, title, year, **fields):
    return knowledge.apply(Item(id="x", title=title, year=year, **fields), title, year)


def test_movielens_titles_genres_and_keywords(tmp_path):
    k = load_knowledge(None, ("movielens",), _shared(tmp_path))
    item, used = _apply(k, "The Godfather", 1972)
    assert used == ["movielens"] and item.genres == ["Crime", "Drama"]
    assert item.description.startswith("Keywords: mafia, organized crime, classic, a,")
    assert len(item.description.split(", ")) == 12  # at most 12 keywords, duplicates once
    blank, used = _apply(k, "Blank", 2001)
    assert blank.genres == [] and blank.description == "" and used == []


def test_a_year_off_by_one_only_where_the_title_is_unique(tmp_path):
    k = load_knowledge(None, ("movielens",), _shared(tmp_path))
    assert _apply(k, "Late Film", 2018)[0].genres == ["Horror"]
    assert _apply(k, "Late Film", 2017)[0].genres == []  # two years off
    assert _apply(k, "Twice", 2011)[0].genres == []  # two films of that title
    assert _apply(k, "Twice", 2014)[0].genres == ["Comedy"]


def test_wikipedia_description_cast_and_mapped_genres(tmp_path):
    k = load_knowledge(None, ("wikipedia",), _shared(tmp_path))
    item, used = _apply(k, "Wiki Only", 2019)
    assert used == ["wikipedia"] and item.genres == ["Romance", "Comedy"]  # Biography has no mapping: dropped
    assert item.description == "Wiki Only is a film. It has two sentences." and item.cast == ["Cy Actor"]
    late, _ = _apply(k, "Late Film", 2018)
    assert late.genres == ["Sci-Fi", "Children"] and late.cast == ["Ann Actor", "Bob Actor"]
    assert late.description == "Late Film is a 2018 American film by J. R. Smith. It follows a dog."
    assert genre_names().wikipedia["animated"] == ("Animation",)


def test_precedence_never_overwrites_a_field_a_better_source_filled(tmp_path):
    k = load_knowledge(INFO, ("movielens", "wikipedia"), _shared(tmp_path))
    item, used = _apply(k, "Toy Story", 1995, genres=["Comedy"])
    assert used == ["movie_info", "movielens"]  # wikipedia had nothing left to fill
    assert item.genres == ["Comedy"]  # the linked catalogue's
    assert item.cast == ["Tom Hanks", "Tim Allen"] and item.directors == ["John Lasseter"]
    assert item.description == "Toys come alive. Keywords: pixar, toys."
    late, used = _apply(k, "Late Film", 2019)
    assert used == ["movielens", "wikipedia"] and late.genres == ["Horror"]  # MovieLens before Wikipedia
    assert late.description.startswith("Late Film is a 2018") and late.cast


def test_benchmark_items_count_what_each_source_filled(tmp_path):
    from collections import Counter

    k = load_knowledge(INFO, ("movielens", "wikipedia"), _shared(tmp_path))
    movies = [BenchmarkMovie(id="1", name="Toy Story (1995)", title="Toy Story", year=1995),
              BenchmarkMovie(id="2", name="Wiki Only (2019)", title="Wiki Only", year=2019),
              BenchmarkMovie(id="3", name="Nobody (2000)", title="Nobody", year=2000)]
    filled = Counter()
    items = benchmark_items(movies, {}, {}, knowledge=k, filled=filled)
    assert [bool(it.genres) for it in items] == [True, True, False]
    assert filled == {"movie_info": 1, "movielens": 1, "wikipedia": 1}


def test_a_missing_or_malformed_file_is_skipped_with_a_note(tmp_path):
    shared = _shared(tmp_path, csv_text="id,name\n1,x\n", wiki=WIKI)
    (shared.joinpath(*paths.WIKIPEDIA_MOVIES) / "movies-2000s.json").write_text("{not json", encoding="utf-8")
    k = load_knowledge(None, ("movielens", "wikipedia"), shared)
    assert [s.name for s in k.sources] == ["wikipedia"]
    assert any(n.startswith("movielens: skipped movies_w_keywords.csv") for n in k.notes)
    assert any(n.startswith("wikipedia: skipped movies-2000s.json") for n in k.notes)
    assert any("movies-2020s.json" in n for n in k.notes)  # missing
    assert all("\n" not in n for n in k.notes)
    empty = load_knowledge(None, ("movielens", "wikipedia"), tmp_path / "nowhere")
    assert not empty and len(empty.notes) == 4


def test_first_sentences_keeps_initials_and_abbreviations():
    assert first_sentences("Dr. No meets Mr. X in the U.S. capital. Then more. Last.", 2) == \
        "Dr. No meets Mr. X in the U.S. capital. Then more."
    assert first_sentences("One only", 2) == "One only"


def test_genre_names_are_data_checked_on_load(tmp_path):
    """Each source's genre words map to catalogue genres only; a typo in the file is caught."""
    names = genre_names()
    assert names.movie_info["family"] == ("Children",) and names.wikipedia["romantic comedy"] == ("Romance", "Comedy")
    bad = tmp_path / "genre_names.yaml"
    bad.write_text("movie_info: {family: [Kids]}\nwikipedia: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Kids"):
        genre_names(bad)
