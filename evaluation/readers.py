"""Readers for the benchmark files: the ReDial movie list and dialogues, and INSPIRED's TSV.

Every reader raises :class:`DatasetError` naming the file and line of the first bad record.

Example::

    movies = read_redial_movies(Path("movies_with_mentions.csv"))
    dialogues = read_redial(Path("dev_data.jsonl"), {m.id: m.name for m in movies})
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evaluation.dialogues import DatasetError, Dialogue, Role, merge_messages
from retrieval.reading import read_text
from retrieval.titles import normalize_title, split_year

_MENTION = re.compile(r"@(\d+)")
_SPACES = re.compile(r"\s+")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")  # ReDial writes "Why Him%3F (2016)"


def clean_name(name: str) -> str:
    """A movie name with percent-escapes decoded and whitespace collapsed."""
    name = _PERCENT_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)
    return _SPACES.sub(" ", name).strip()


@dataclass(frozen=True)
class BenchmarkMovie:
    id: str
    name: str  # as the dataset writes it, e.g. "Super Troopers (2001)"
    title: str
    year: int | None
    mentions: int = 0  # ReDial's nbMentions: how often the whole corpus mentions it

    @staticmethod
    def from_name(movie_id: str, name: str, mentions: int = 0) -> BenchmarkMovie:
        name = clean_name(name)
        title, year = split_year(name)
        return BenchmarkMovie(movie_id, name, title, year, mentions)


def _open_text(path: Path) -> str:
    return read_text(path, DatasetError, "a benchmark file")


# --- ReDial -----------------------------------------------------------------------------------
def read_redial_movies(path: Path) -> list[BenchmarkMovie]:
    """``movieId,movieName,nbMentions`` rows (the ReDial movie catalogue)."""
    lines = _open_text(path).splitlines()
    reader = csv.reader(lines)
    header = next(reader, None)
    need = ["movieId", "movieName"]
    if not header or any(col not in header for col in need):
        raise DatasetError(f"{path}: line 1: the header must have columns {', '.join(need)} (got {header})")
    col = {name: i for i, name in enumerate(header)}
    movies: list[BenchmarkMovie] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise DatasetError(f"{path}: line {line}: {len(row)} fields, the header has {len(header)}")
        movie_id, name = row[col["movieId"]].strip(), row[col["movieName"]]
        if not movie_id or not name.strip():
            raise DatasetError(f"{path}: line {line}: empty movieId or movieName")
        if movie_id in seen:
            raise DatasetError(f"{path}: line {line}: duplicate movieId {movie_id}")
        count = row[col["nbMentions"]].strip() if "nbMentions" in col else "0"
        if not count.isdigit():
            raise DatasetError(f"{path}: line {line}: nbMentions {count!r} is not a count")
        seen.add(movie_id)
        movies.append(BenchmarkMovie.from_name(movie_id, name, int(count)))
    if not movies:
        raise DatasetError(f"{path}: no movies")
    return movies


def read_redial(path: Path, movie_names: dict[str, str]) -> list[Dialogue]:
    """Official ReDial JSONL: one dialogue per line. ``@<id>`` mentions become titles in the text
    (the dialogue's own ``movieMentions`` name, else the catalogue's); ids stay beside it."""
    dialogues: list[Dialogue] = []
    for line, text in enumerate(_open_text(path).splitlines(), start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{path}: line {line}: invalid JSON ({e.msg})") from None
        try:
            dialogues.append(_redial_dialogue(obj, movie_names, line))
        except (KeyError, TypeError, ValueError) as e:
            raise DatasetError(f"{path}: line {line}: {_why(e)}") from None
    if not dialogues:
        raise DatasetError(f"{path}: no dialogues")
    return dialogues


def _why(e: Exception) -> str:
    return f"missing field {e}" if isinstance(e, KeyError) else str(e)


def _redial_dialogue(obj: dict, movie_names: dict[str, str], line: int) -> Dialogue:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    respondent = obj["respondentWorkerId"]
    own_names = obj.get("movieMentions") or {}
    if not isinstance(own_names, dict):
        raise ValueError("movieMentions is not an object")
    messages: list[tuple[Role, str, list[str]]] = []
    for m in obj["messages"]:
        raw = str(m["text"])
        ids = _MENTION.findall(raw)
        for movie_id in ids:
            if movie_id not in movie_names:
                raise ValueError(f"movie @{movie_id} is not in the movie list")

        def title(match: re.Match) -> str:
            return clean_name(own_names.get(match.group(1)) or movie_names[match.group(1)])

        role: Role = "recommender" if m["senderWorkerId"] == respondent else "seeker"
        messages.append((role, _MENTION.sub(title, raw), ids))
    return Dialogue(str(obj.get("conversationId", f"line{line}")), merge_messages(messages))


# --- INSPIRED ---------------------------------------------------------------------------------
INSPIRED_COLUMNS = ("dialog_id", "speaker", "text", "movies")
_INSPIRED_ROLES: dict[str, Role] = {"SEEKER": "seeker", "RECOMMENDER": "recommender"}


def inspired_movie_id(name: str) -> str:
    """A stable id for an INSPIRED title such as ``Shazam! (2019)``."""
    title, year = split_year(_SPACES.sub(" ", name).strip())
    return f"{normalize_title(title)} ({year})" if year else normalize_title(title)


def _inspired_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(1 << 24)
    lines = _open_text(path).splitlines()
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    missing = [c for c in INSPIRED_COLUMNS if c not in (header or [])]
    if missing:
        raise DatasetError(f"{path}: line 1: the header lacks column(s) {', '.join(missing)}")
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DatasetError(f"{path}: line {reader.line_num}: {len(row)} fields, the header has {len(header)}")
        yield reader.line_num, dict(zip(header, row))


def _inspired_titles(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(";") if t.strip()]


def read_inspired(path: Path) -> tuple[list[Dialogue], list[BenchmarkMovie]]:
    """INSPIRED TSV (one utterance a row). Returns the dialogues and the catalogue of every movie
    the file mentions (the dataset's own movie set)."""
    by_dialogue: dict[str, list[tuple[Role, str, list[str]]]] = {}
    movies: dict[str, BenchmarkMovie] = {}
    for line, row in _inspired_rows(path):
        role = _INSPIRED_ROLES.get(row["speaker"].strip().upper())
        if role is None:
            raise DatasetError(f"{path}: line {line}: speaker {row['speaker']!r} is neither SEEKER nor RECOMMENDER")
        ids = []
        for name in _inspired_titles(row["movies"]):
            movie = BenchmarkMovie.from_name(inspired_movie_id(name), name)
            movies.setdefault(movie.id, movie)
            ids.append(movie.id)
        text = row["text"].replace("QUOTATION_MARK", '"')
        by_dialogue.setdefault(row["dialog_id"], []).append((role, text, ids))
    if not by_dialogue:
        raise DatasetError(f"{path}: no dialogues")
    dialogues = [Dialogue(d, merge_messages(msgs)) for d, msgs in by_dialogue.items()]
    return dialogues, _with_mention_counts(list(movies.values()), dialogues)


def _with_mention_counts(movies: list[BenchmarkMovie], dialogues: list[Dialogue]) -> list[BenchmarkMovie]:
    counts: dict[str, int] = {}
    for d in dialogues:
        for t in d.turns:
            for m in t.mentions:
                counts[m] = counts.get(m, 0) + 1
    return [BenchmarkMovie(m.id, m.name, m.title, m.year, counts.get(m.id, 0)) for m in movies]

