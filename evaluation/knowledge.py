"""What is known about a benchmark's films beyond the linked default catalogue, merged per film.

Three sources, in this order of precedence (each fills only the fields still empty; the linked
default catalogue comes first, except that ReDial's plot line replaces its description):

- ``movie_info``: ReDial's movie_info.json (genres, one-line plot, directors, stars);
- ``movielens``: the MovieLens 25M movie list (genres, and tag keywords as a short
  "Keywords: a, b, c." tail of the description);
- ``wikipedia``: American films from Wikipedia (the lead paragraph's first two sentences as the
  description, cast, genres mapped to the catalogue's names by ``data/genre_names.yaml``).

Films are matched by normalised title + year (:func:`retrieval.titles.normalize_title`), a year
off by one allowed where the title is unique in the source. The text is third-party: it goes
into the runtime benchmark catalogue only, read from ``../shared/data`` at run time.

Example::

    knowledge = load_knowledge(movie_info_path, ("movielens", "wikipedia"))
    item, used = knowledge.apply(item, "Godfather, The", 1972)
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from agent.understanding.vocabulary import GENRES
from evaluation import paths
from evaluation.readers import clean_name
from retrieval.items import CAST_KEPT, Item
from retrieval.titles import normalize_title, split_year, title_year_key

SOURCES: tuple[str, ...] = ("movie_info", "movielens", "wikipedia")
EXTRA_SOURCES: tuple[str, ...] = SOURCES[1:]
FIELDS = ("genres", "description", "directors", "cast")
KEYWORDS_KEPT = 12
DIRECTORS_KEPT = 3

GENRE_NAMES = Path(__file__).with_name("data") / "genre_names.yaml"


class GenreNames(BaseModel):
    """What each source calls a genre -> the catalogue's genres (``data/genre_names.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    movie_info: dict[str, tuple[str, ...]]
    wikipedia: dict[str, tuple[str, ...]]

    @field_validator("movie_info", "wikipedia")
    @classmethod
    def _known(cls, table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted({g for gs in table.values() for g in gs} - set(GENRES))
        if unknown:
            raise ValueError(f"not catalogue genres: {unknown}")
        return {word.lower(): gs for word, gs in table.items()}


@functools.cache
def genre_names(path: Path = GENRE_NAMES) -> GenreNames:
    return GenreNames.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class Source:
    """One source's records (``genres``, ``description``, ``directors``, ``cast``, ``keywords``)
    by normalised title + year. ``overrides``: fields it may replace though already filled."""

    name: str
    records: dict[str, dict] = field(default_factory=dict)
    years: dict[str, set] = field(default_factory=dict)  # normalised title -> years seen
    overrides: tuple[str, ...] = ()

    def add(self, title: str, year: int | None, record: dict) -> None:
        norm = normalize_title(title)
        if norm:
            self.records.setdefault(title_year_key(title, year), record)
            self.years.setdefault(norm, set()).add(year)

    def find(self, title: str, year: int | None) -> dict | None:
        norm = normalize_title(title)
        record = self.records.get(title_year_key(title, year))
        if record is None and year is not None:
            years = self.years.get(norm, ())
            if len(years) == 1:
                (other,) = years
                if other is not None and abs(other - year) == 1:
                    record = self.records[title_year_key(title, other)]
        return record


@dataclass
class Knowledge:
    """The sources in order of precedence, and a note per file skipped."""

    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sources)

    def apply(self, item: Item, title: str, year: int | None) -> tuple[Item, list[str]]:
        """The item with the fields the sources fill, and the names of the sources that filled any."""
        fields = {f: getattr(item, f) for f in FIELDS}
        keywords: list[str] = []
        used = []
        for source in self.sources:
            record = source.find(title, year)
            if not record:
                continue
            filled = [f for f in FIELDS if record.get(f) and (not fields[f] or f in source.overrides)]
            fields |= {f: record[f] for f in filled}
            if record.get("keywords") and not keywords:
                keywords, filled = record["keywords"], [*filled, "keywords"]
            if filled:
                used.append(source.name)
        if keywords:
            tail = f"Keywords: {', '.join(keywords)}."
            fields["description"] = f"{fields['description'].rstrip()} {tail}".strip()
        return item.model_copy(update=fields), used


def movie_info_source(info: dict[str, dict]) -> Source:
    """ReDial's movie_info records (by ReDial id, :func:`evaluation.catalogue.read_movie_info`)."""
    source = Source("movie_info", overrides=("description",))
    names = genre_names().movie_info
    for record in info.values():
        title, year = split_year(clean_name(str(record.get("name", ""))))
        genres = [g for word in record.get("genre") or [] for g in names.get(str(word).lower(), (str(word).title(),))]
        source.add(title, year, {
            "genres": list(dict.fromkeys(genres)),
            "description": str(record.get("plot") or "").strip(),
            "directors": [str(d) for d in record.get("director") or []][:DIRECTORS_KEPT],
            "cast": [str(a) for a in record.get("star") or []][:CAST_KEPT],
        })
    return source


def read_movielens(path: Path) -> Source:
    """MovieLens 25M's movies_w_keywords.csv (movieId,title,genres,keyword)."""
    source = Source("movielens")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not {"title", "genres"} <= set(reader.fieldnames or ()):
            raise ValueError("expected the columns movieId,title,genres,keyword")
        for row in reader:
            title, year = split_year(str(row.get("title") or ""))
            genres = [g for g in str(row.get("genres") or "").split("|") if g and g != "(no genres listed)"]
            words = [w.strip() for w in str(row.get("keyword") or "").split("|") if w.strip()]
            source.add(title, year, {"genres": genres, "keywords": list(dict.fromkeys(words))[:KEYWORDS_KEPT]})
    return source


def read_wikipedia(files: list[Path], notes: list[str]) -> Source:
    """Wikipedia's film lists (``title``, ``year``, ``cast``, ``genres``, ``extract``); a file
    that cannot be read is skipped with a note."""
    source = Source("wikipedia")
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, list):
                raise ValueError("expected a list of films")
        except (OSError, ValueError) as e:
            notes.append(f"wikipedia: skipped {path.name} ({_reason(e)})")
            continue
        for film in data:
            if isinstance(film, dict) and film.get("title"):
                source.add(str(film["title"]), _year(film.get("year")), _wikipedia_record(film))
    return source


def _wikipedia_record(film: dict) -> dict:
    genres = [g for word in film.get("genres") or [] for g in genre_names().wikipedia.get(str(word).strip().lower(), ())]
    cast = [str(a).strip() for a in film.get("cast") or [] if re.search(r"[^\W\d_]", str(a))]
    return {"genres": list(dict.fromkeys(genres)), "cast": cast[:CAST_KEPT],
            "description": first_sentences(str(film.get("extract") or ""), 2)}


_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Jr|Sr|St|vs|Co|Inc|Ltd|No|Vol))\.$")


def first_sentences(text: str, n: int) -> str:
    """The first ``n`` sentences of ``text`` (a capital after ". " starts one, except after an
    initial or a common abbreviation)."""
    text = " ".join(text.split())
    start, count = 0, 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start:m.start() + 1]):
            continue
        count += 1
        if count == n:
            return text[:m.start() + 1].strip()
    return text.strip()


def _year(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _reason(e: Exception) -> str:
    return f"{type(e).__name__}: {e}"[:160]


def load_knowledge(movie_info: dict[str, dict] | None, extra: tuple[str, ...] = EXTRA_SOURCES,
                   shared: Path | None = None) -> Knowledge:
    """The sources to merge: ``movie_info`` records when given, then each of ``extra``
    (``movielens``, ``wikipedia``) from ``shared`` (default ``../shared/data``). A missing or
    malformed file is skipped with a one-line note in ``Knowledge.notes``."""
    shared = shared or paths.shared_data_dir()
    knowledge = Knowledge()
    if movie_info:
        knowledge.sources.append(movie_info_source(movie_info))
    if "movielens" in extra:
        path = shared.joinpath(*paths.MOVIELENS_KEYWORDS)
        try:
            knowledge.sources.append(read_movielens(path))
            knowledge.files.append(path)
        except (OSError, ValueError, csv.Error) as e:
            knowledge.notes.append(f"movielens: skipped {path.name} ({_reason(e)})")
    if "wikipedia" in extra:
        files = [shared.joinpath(*paths.WIKIPEDIA_MOVIES, name) for name in paths.WIKIPEDIA_FILES]
        source = read_wikipedia(files, knowledge.notes)
        if source.records:
            knowledge.sources.append(source)
            knowledge.files += [p for p in files if p.exists()]
    return knowledge
