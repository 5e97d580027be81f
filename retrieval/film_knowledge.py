"""What a richer catalogue knows about each film, as sentence vectors by film name.

The default catalogue's own text of a film is thin (title, genres, people: "Elf. Comedy,
Fantasy"), so "a funny Christmas movie" cannot find *Elf* by its words. ``scenerec train`` builds
the benchmark catalogue from far richer knowledge (ReDial's plots and people, MovieLens keywords,
Wikipedia leads) and embeds each film's text; this keeps those vectors, by name ("Title (Year)"),
as numbers only (int8 with a scale per film; no text), so the default catalogue can carry them::

    knowledge = FilmKnowledge(names, vectors, encoder="all-MiniLM-L6-v2")
    known = knowledge.for_items(items)              # item id -> unit vector, films it knows
    blended = blend(own_vectors, known)             # what ingest stores for those items

Ingest stores, for every film the knowledge maps onto (title and year, :func:`map_names`), the
normalised sum of the vector of its own text and the knowledge's vector: both say what the film
is, and the catalogue's own facts (languages, countries) still count.
"""

from __future__ import annotations

import hashlib
from functools import cached_property

import numpy as np

from retrieval.items import Item
from retrieval.packing import dequantised, joined, quantised, split_joined
from retrieval.titles import map_names


class FilmKnowledge:
    def __init__(self, names: list[str], vectors: np.ndarray, encoder: str):
        if len(names) != len(vectors):
            raise ValueError(f"film knowledge: {len(names)} names for {len(vectors)} vectors")
        if len(set(names)) != len(names):
            raise ValueError("film knowledge: a film name is listed twice")
        self.names = list(names)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else np.ones((0, 1))
        self.vectors = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        self.encoder = encoder

    @classmethod
    def of_catalogue(cls, ids: list[str], vectors: np.ndarray, names: dict[str, str], encoder: str) -> FilmKnowledge:
        """A catalogue's item vectors (rows in ``ids`` order) by film name (``names``: item id -> name;
        items without one are left out, a name held twice keeps its first item)."""
        rows: dict[str, int] = {}
        for row, item_id in enumerate(ids):
            if item_id in names:
                rows.setdefault(names[item_id], row)
        return cls(list(rows), vectors[list(rows.values())] if rows else np.zeros((0, vectors.shape[1])), encoder)

    @property
    def dimension(self) -> int:
        return self.vectors.shape[1] if self.vectors.ndim == 2 else 0

    def for_items(self, items: list[Item]) -> dict[str, np.ndarray]:
        """Item id -> the knowledge's unit vector, for the items it knows (by title and year)."""
        index = {name: k for k, name in enumerate(self.names)}
        return {items[row].id: self.vectors[index[name]] for name, row in map_names(self.names, items).items()}

    def digest(self) -> str:
        """A short fingerprint: a catalogue built with other knowledge is rebuilt (computed once:
        start-up asks for it more than once)."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        h = hashlib.sha256(joined(self.names).tobytes())
        h.update(np.ascontiguousarray(quantised(self.vectors)[0]).tobytes())
        return h.hexdigest()[:16]

    def to_arrays(self) -> dict[str, np.ndarray]:
        codes, scale = quantised(self.vectors)
        return {"names": joined(self.names), "vectors": codes, "vectors_scale": scale,
                "encoder": joined([self.encoder])}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> FilmKnowledge:
        return cls(split_joined(a["names"]), dequantised(a["vectors"], a["vectors_scale"]),
                   split_joined(a["encoder"])[0])


def blend(own: dict[str, np.ndarray], known: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """For every item with both: the unit vector of the sum of its own vector and the known one."""
    out = {}
    for item_id, vector in own.items():
        if item_id in known:
            total = vector + known[item_id]
            out[item_id] = (total / (np.linalg.norm(total) or 1.0)).astype(np.float32)
    return out
