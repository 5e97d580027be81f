"""A person's own catalogue file (CSV or JSONL) read into items, with a column mapping, and
ingested (all rows valid, or nothing written)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from retrieval.catalogue import CatalogueStore
from retrieval.ingest import IngestReport, Progress, _no_progress, meta_key
from retrieval.items import CAST_KEPT, MPAA_ORDER, Item
from retrieval.reading import IngestError, read_text
from retrieval.vector_store import VectorStore


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
