"""Item-item collaborative filtering from a catalogue's interactions (e.g. MovieLens ratings).

Each item is a vector over users (1 for a rating of ``liked_rating`` or more, ``other_weight``
for a lower one), L2-normalised; two items are as similar as the cosine of those vectors, i.e.
how much the same people watched and liked both. Example::

    cf = ItemItemCF.build(item_ids, store.interactions("movies"))
    cf.scores(["1"])          # array aligned with item_ids: similarity to Toy Story
    cf.neighbours(["1"], 10)  # the 10 most similar items
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse


class ItemItemCF:
    def __init__(self, item_ids: Sequence[str], matrix: sparse.csr_matrix):
        self.item_ids = list(item_ids)
        self.pos = {item_id: i for i, item_id in enumerate(self.item_ids)}
        self._m = matrix  # items x users, rows L2-normalised

    @classmethod
    def build(cls, item_ids: Sequence[str], interactions: Iterable[tuple], liked_rating: float = 3.5,
              other_weight: float = 0.3) -> ItemItemCF:
        """``interactions`` rows start with (user_id, item_id, rating); unknown items are ignored."""
        pos = {item_id: i for i, item_id in enumerate(item_ids)}
        users: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for user, item, rating, *_ in interactions:
            i = pos.get(str(item))
            if i is None:
                continue
            rows.append(i)
            cols.append(users.setdefault(str(user), len(users)))
            vals.append(1.0 if rating is None or rating >= liked_rating else other_weight)
        m = sparse.csr_matrix((np.asarray(vals, np.float32), (rows, cols)),
                              shape=(len(pos), max(1, len(users))))
        m.sum_duplicates()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        m = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)).astype(np.float32) @ m
        return cls(item_ids, m.tocsr())

    def known(self, item_ids: Iterable[str]) -> list[str]:
        """The ids that have interactions (others carry no collaborative signal)."""
        return [i for i in item_ids if i in self.pos and self._m.indptr[self.pos[i] + 1] > self._m.indptr[self.pos[i]]]

    def scores(self, seeds: Sequence[str], weights: Sequence[float] | None = None) -> np.ndarray:
        """Weighted mean cosine similarity of every item to the seed items (0 when none known)."""
        weights = list(weights) if weights is not None else [1.0] * len(seeds)
        pairs = [(self.pos[s], w) for s, w in zip(seeds, weights) if s in self.pos]
        if not pairs:
            return np.zeros(len(self.item_ids), np.float32)
        idx = [p for p, _ in pairs]
        w = np.asarray([w for _, w in pairs], np.float32)
        sims = self._m @ self._m[idx].T  # items x seeds
        out = np.asarray(sims @ w, dtype=np.float32).ravel() / float(w.sum())
        out[idx] = 0.0  # an item is not its own neighbour
        return out

    def neighbours(self, seeds: Sequence[str], n: int) -> list[tuple[str, float]]:
        s = self.scores(seeds)
        top = np.argsort(-s)[:n]
        return [(self.item_ids[i], float(s[i])) for i in top if s[i] > 0]
