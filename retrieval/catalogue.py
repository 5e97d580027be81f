"""SQLite store for catalogue items, interactions and small key/value metadata.

WAL mode and one transaction per write batch, so a killed writer never leaves a half
batch behind. Example::

    store = CatalogueStore(Path("/tmp/x.sqlite3"))
    store.upsert_items("movies", [Item(id="1", title="Toy Story", year=1995)])
    store.get_item("movies", "1").title   # 'Toy Story'
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.items import Item
from retrieval.sqlite import SQLiteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    catalogue TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (catalogue, id)
);
CREATE TABLE IF NOT EXISTS interactions (
    catalogue TEXT NOT NULL,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    rating REAL,
    ts INTEGER,
    PRIMARY KEY (catalogue, user_id, item_id)
);
CREATE INDEX IF NOT EXISTS interactions_item ON interactions (catalogue, item_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class CatalogueStore(SQLiteStore):
    def __init__(self, path: Path):
        super().__init__(path, _SCHEMA, reentrant=True)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._conn:
            yield self._conn

    # --- items -------------------------------------------------------------------------
    def upsert_items(self, catalogue: str, items: Iterable[Item]) -> int:
        rows = [(catalogue, it.id, it.title, it.model_dump_json()) for it in items]
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO items (catalogue, id, title, data) VALUES (?, ?, ?, ?)", rows
            )
        return len(rows)

    def replace_catalogue(self, catalogue: str, items: Iterable[Item]) -> int:
        """Atomically replace every item of a catalogue."""
        rows = [(catalogue, it.id, it.title, it.model_dump_json()) for it in items]
        with self.transaction() as c:
            c.execute("DELETE FROM items WHERE catalogue = ?", (catalogue,))
            c.executemany("INSERT INTO items (catalogue, id, title, data) VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    def get_item(self, catalogue: str, item_id: str) -> Item | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM items WHERE catalogue = ? AND id = ?", (catalogue, item_id)
            ).fetchone()
        return Item.model_validate_json(row[0]) if row else None

    def all_items(self, catalogue: str) -> list[Item]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM items WHERE catalogue = ? ORDER BY rowid", (catalogue,)
            ).fetchall()
        return [Item.model_validate_json(r[0]) for r in rows]

    def get_items(self, catalogue: str, ids: list[str]) -> dict[str, Item]:
        """Several items in one query (missing ids are left out)."""
        out: dict[str, Item] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT data FROM items WHERE catalogue = ? AND id IN ({','.join('?' * len(chunk))})",
                    (catalogue, *chunk),
                ).fetchall()
            out.update((item.id, item) for item in (Item.model_validate_json(r[0]) for r in rows))
        return out

    def iter_records(self, catalogue: str, batch: int = 10_000) -> Iterator[dict]:
        """Every item as a plain dict, streamed in rowid order (memory bounded by ``batch``)."""
        last = -1
        while True:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT rowid, data FROM items WHERE catalogue = ? AND rowid > ? ORDER BY rowid LIMIT ?",
                    (catalogue, last, batch),
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield from (json.loads(r[1]) for r in rows)

    def count_items(self, catalogue: str) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT COUNT(*) FROM items WHERE catalogue = ?", (catalogue,)
            ).fetchone()[0]

    def catalogues(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT catalogue FROM items")]

    # --- interactions ------------------------------------------------------------------
    def replace_interactions(
        self, catalogue: str, rows: Iterable[tuple[str, str, float | None, int | None]]
    ) -> int:
        data = [(catalogue, u, i, r, t) for (u, i, r, t) in rows]
        with self.transaction() as c:
            c.execute("DELETE FROM interactions WHERE catalogue = ?", (catalogue,))
            c.executemany(
                "INSERT OR REPLACE INTO interactions VALUES (?, ?, ?, ?, ?)", data
            )
        return len(data)

    def interactions(self, catalogue: str) -> list[tuple[str, str, float | None, int | None]]:
        with self._lock:
            return self._conn.execute(
                "SELECT user_id, item_id, rating, ts FROM interactions WHERE catalogue = ?",
                (catalogue,),
            ).fetchall()

    def delete_user_interactions(self, user_id: str) -> int:
        """Remove a person's interactions from every catalogue (privacy delete)."""
        with self.transaction() as c:
            return c.execute("DELETE FROM interactions WHERE user_id = ?", (user_id,)).rowcount

    def version(self, catalogue: str) -> str:
        """A digest of the catalogue as stored (~30 ms at 9k items): its completion record, every
        item row, and its interactions (count and last row id: they are only ever replaced, which
        renumbers them). Derived models cached on disk are keyed by it."""
        h = hashlib.sha1(catalogue.encode())
        with self._lock:
            meta = self._conn.execute("SELECT value FROM meta WHERE key = ?", (f"catalogue:{catalogue}",)).fetchone()
            h.update(repr(meta).encode())
            for item_id, data in self._conn.execute(
                    "SELECT id, data FROM items WHERE catalogue = ? ORDER BY rowid", (catalogue,)):
                h.update(f"{item_id}\0{data}\1".encode())
            counts = self._conn.execute(
                "SELECT COUNT(*), MAX(rowid) FROM interactions WHERE catalogue = ?", (catalogue,)).fetchone()
        h.update(repr(counts).encode())
        return h.hexdigest()

    # --- meta --------------------------------------------------------------------------
    def get_meta(self, key: str) -> dict | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: dict) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def delete_meta(self, key: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM meta WHERE key = ?", (key,))

    def close(self) -> None:
        self._conn.close()
