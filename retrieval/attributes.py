"""Item attributes a taste profile is spread over: genres, eras, moods and runtime bands.

Each family is one categorical distribution; an item spreads one unit of mass evenly over its
values in each family (a Comedy|Romance item gives 0.5 to each genre). The mood table is given by
the caller (the agent's lexicon), so this module stays free of dialogue vocabulary. Example::

    space = AttributeSpace(items, mood_genres={"funny": {"Comedy": 1.0}})
    space.values_of(item)          # {'genre': ['Comedy'], 'era': ['1990s'], 'mood': ['funny'], ...}
    space.matrix                   # items x attributes (scipy CSR), rows sum to 1 per family
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from retrieval.items import Item

FAMILIES = ("genre", "era", "mood", "runtime")
RUNTIME_BANDS = (("under 90 min", 0, 89), ("90-120 min", 90, 120), ("over 2 hours", 121, 10_000))


def era_of(year: int | None) -> str | None:
    if year is None:
        return None
    if year < 1960:
        return "before 1960"
    return f"{year // 10 * 10}s"


def runtime_band(runtime: int | None) -> str | None:
    if runtime is None:
        return None
    return next((name for name, lo, hi in RUNTIME_BANDS if lo <= runtime <= hi), None)


@dataclass(frozen=True)
class Attribute:
    family: str
    value: str

    @property
    def label(self) -> str:
        return f"{self.family}: {self.value}"


class AttributeSpace:
    """The attribute vocabulary of a catalogue and each item's attribute mass (sparse)."""

    def __init__(self, items: Iterable[Item], mood_genres: dict[str, dict[str, float]] | None = None,
                 mood_threshold: float = 0.5):
        self.items = list(items)
        # a mood applies to an item whose genres lean towards it strongly enough
        self._moods = {m: {g: w for g, w in table.items() if w >= mood_threshold}
                       for m, table in (mood_genres or {}).items()}
        self._moods = {m: t for m, t in self._moods.items() if t}
        values = [self.values_of(it) for it in self.items]
        vocab = sorted({(f, v) for vs in values for f in FAMILIES for v in vs[f]},
                       key=lambda fv: (FAMILIES.index(fv[0]), fv[1]))
        self.attributes = [Attribute(f, v) for f, v in vocab]
        self.index = {(a.family, a.value): i for i, a in enumerate(self.attributes)}
        self.item_index = {it.id: i for i, it in enumerate(self.items)}
        self.family_slices = {f: np.array([i for i, a in enumerate(self.attributes) if a.family == f], dtype=int)
                              for f in FAMILIES}
        rows, cols, data = [], [], []
        for r, vs in enumerate(values):
            for f in FAMILIES:
                for v in vs[f]:
                    rows.append(r)
                    cols.append(self.index[(f, v)])
                    data.append(1.0 / len(vs[f]))
        self.matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(self.items), len(self.attributes)))

    def values_of(self, item: Item) -> dict[str, list[str]]:
        moods = [m for m, table in self._moods.items() if set(table) & set(item.genres)]
        era, band = era_of(item.year), runtime_band(item.runtime)
        return {"genre": list(item.genres), "era": [era] if era else [], "mood": sorted(moods),
                "runtime": [band] if band else []}

    def rows_for(self, item_ids: list[str]) -> np.ndarray:
        """Row indices of known items (unknown ids are dropped)."""
        return np.array([self.item_index[i] for i in item_ids if i in self.item_index], dtype=int)

