"""Collaborative signals learned from timestamped interactions (ratings).

* **Item-item**: EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): the item x item
  weights B that best rebuild each person's row of the rating matrix from their other items,
  ridge-regularised, in closed form: ``P = (X'X + lambda I)^-1``, ``B = -P / diag(P)`` with a zero
  diagonal. Scores for weighted seeds are ``seeds @ B``. B is fitted over the items with at least
  ``min_raters`` raters and kept sparse (each seed's ``neighbours`` largest weights). Seeds
  outside it (rarely rated items) score by cosine similarity of rater columns instead.
* **Transitions**: "people who watched A then watched B": for each person's time-ordered history,
  the next ``window`` items after A (weighted 1/distance), row-normalised into P(B | A).

Example::

    model = CollaborativeModel(interactions, item_ids)
    scores = model.item_scores({"1": 1.0})           # array over item_ids
    model.best_seed({"1": 1.0, "2": 0.5}, "3114")   # ('1', 0.41): which seed drove the score
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from retrieval.defaults import EASE_L2, TRANSITION_WINDOW

Interaction = tuple[str, str, float | None, int | None]  # (user id, item id, rating, timestamp)
LIKED_RATING = 4.0


@dataclass(frozen=True)
class LikedTogether:
    """Of the people who liked the seed and rated the item, how many liked the item too."""

    seed: str
    raters: int
    liked: int


@dataclass(frozen=True)
class EaseSettings:
    """EASE's ridge strength, the items it covers and the weights kept per item. ``l2=0`` turns
    it off (cosine only)."""

    l2: float = EASE_L2
    min_raters: int = 3
    neighbours: int = 500
    max_items: int = 8000  # the dense solve is items^2 floats; above this, cosine only


def fit_ease(seen: sparse.csr_matrix, settings: EaseSettings) -> sparse.csr_matrix | None:
    """Sparse EASE weights (items x items; row = seed), or None when off or too large."""
    counts = np.asarray(seen.sum(axis=0)).ravel()
    keep = np.flatnonzero(counts >= settings.min_raters)
    if settings.l2 <= 0 or not len(keep) or len(keep) > settings.max_items:
        return None
    x = seen[:, keep]
    gram = (x.T @ x).toarray().astype(np.float32)
    gram[np.diag_indices_from(gram)] += settings.l2
    p = np.linalg.inv(gram)
    b = p / -np.diag(p)  # column j divided by -P_jj
    np.fill_diagonal(b, 0.0)
    k = min(settings.neighbours, len(keep) - 1)
    if k <= 0:
        return None
    top = np.argpartition(-np.abs(b), k - 1, axis=1)[:, :k]  # per seed row: its k strongest weights
    rows = np.repeat(keep, k)
    cols = keep[top.ravel()]
    vals = np.take_along_axis(b, top, axis=1).ravel()
    n = seen.shape[1]
    out = sparse.csr_matrix((vals.astype(np.float32), (rows, cols)), shape=(n, n))
    out.eliminate_zeros()
    return out


def load_or_fit_ease(seen: sparse.csr_matrix, item_ids: Sequence[str], settings: EaseSettings,
                     cache: Path | None) -> sparse.csr_matrix | None:
    """:func:`fit_ease`, kept in ``cache`` (an .npz) for the next start with the same ratings,
    items and settings: the dense solve takes seconds, and every worker process builds an agent."""
    if cache is not None:
        digest = hashlib.sha1(repr(settings).encode() + "\n".join(item_ids).encode())
        for a in (seen.indptr, seen.indices):
            digest.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
        key = digest.hexdigest()
        try:
            with np.load(cache) as z:
                if str(z["key"]) == key:
                    return sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        except (OSError, KeyError, ValueError):
            pass  # absent, unreadable or from another version: fit again
    b = fit_ease(seen, settings)
    if cache is not None and b is not None:  # nothing to keep when EASE is off or the catalogue too large
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, key=key, data=b.data, indices=b.indices, indptr=b.indptr, shape=np.array(b.shape))
        os.replace(tmp, cache)  # atomic: processes starting together never read half a file
    return b


class CollaborativeModel:
    def __init__(self, interactions: Sequence[Interaction], item_ids: Sequence[str], window: int = TRANSITION_WINDOW,
                 ease: EaseSettings = EaseSettings(), cache: Path | None = None):
        self.item_ids = list(item_ids)
        self.index = {i: k for k, i in enumerate(self.item_ids)}
        users: dict[str, int] = {}
        rows, cols, ratings, stamps = [], [], [], []
        for user, item, rating, ts in interactions:
            col = self.index.get(item)
            if col is None:
                continue
            rows.append(users.setdefault(user, len(users)))
            cols.append(col)
            ratings.append(np.nan if rating is None else float(rating))
            stamps.append(0 if ts is None else int(ts))
        n_users, n_items = len(users), len(self.item_ids)
        rows_a, cols_a = np.array(rows, dtype=int), np.array(cols, dtype=int)
        ratings_a = np.array(ratings, dtype=float)
        seen = sparse.csr_matrix((np.ones(len(rows_a)), (rows_a, cols_a)), shape=(n_users, n_items))
        seen.data[:] = 1.0  # a person rating an item twice still counts once (everywhere below)
        self.popularity = np.asarray(seen.sum(axis=0)).ravel()
        norms = np.sqrt(self.popularity)
        self._xn = (seen @ sparse.diags(1.0 / np.maximum(norms, 1.0))).tocsr()
        self._xn_t = self._xn.T.tocsr()
        self._ease = load_or_fit_ease(seen, self.item_ids, ease, cache)
        self._in_ease = (np.diff(self._ease.indptr) > 0) if self._ease is not None else np.zeros(n_items, bool)
        liked = np.nan_to_num(ratings_a, nan=LIKED_RATING) >= LIKED_RATING
        self._seen_t = seen.T.tocsr()  # items x users
        self._liked_t = sparse.csr_matrix((np.ones(int(liked.sum())), (cols_a[liked], rows_a[liked])),
                                          shape=(n_items, n_users))
        self._transitions = self._fit_transitions(rows_a, cols_a, np.array(stamps), n_items, window)
        for m in (self._xn_t, self._seen_t, self._liked_t, self._transitions):
            m.sum_duplicates()  # canonical rows (sorted, unique columns) for the single-row reads below

    @staticmethod
    def _fit_transitions(rows, cols, stamps, n_items: int, window: int) -> sparse.csr_matrix:
        order = np.lexsort((np.arange(len(rows)), stamps, rows))  # by user, then time, then arrival
        r, c = rows[order], cols[order]
        src, dst, w = [], [], []
        for d in range(1, window + 1):
            same = r[:-d] == r[d:]
            src.append(c[:-d][same])
            dst.append(c[d:][same])
            w.append(np.full(int(same.sum()), 1.0 / d))
        if not src or not sum(len(s) for s in src):
            return sparse.csr_matrix((n_items, n_items))
        t = sparse.csr_matrix((np.concatenate(w), (np.concatenate(src), np.concatenate(dst))),
                              shape=(n_items, n_items))
        out_mass = np.asarray(t.sum(axis=1)).ravel()
        return (sparse.diags(1.0 / np.maximum(out_mass, 1e-9)) @ t).tocsr()

    # -- scores over all items ---------------------------------------------------------------------
    def _vector(self, weights: dict[str, float]) -> np.ndarray:
        v = np.zeros(len(self.item_ids))
        for item, w in weights.items():
            k = self.index.get(item)
            if k is not None:
                v[k] += w
        return v

    def item_scores(self, seeds: dict[str, float]) -> np.ndarray:
        """Item-item scores for every item: EASE weights from the seeds it covers; cosine from the
        others, used only when no seed is covered (the two are on different scales)."""
        v = self._vector(seeds)
        if not v.any():
            return np.zeros(len(self.item_ids))
        covered = np.where(self._in_ease, v, 0.0)
        if covered.any():
            return np.asarray(self._ease.T @ covered).ravel()  # a CSC view: no copy
        return np.asarray(self._xn_t @ (self._xn @ v)).ravel()

    def transition_scores(self, recent: dict[str, float]) -> np.ndarray:
        """Sum over recent items of weight x P(next = item | recent item)."""
        v = self._vector(recent)
        if not v.any():
            return np.zeros(len(self.item_ids))
        return np.asarray(self._transitions.T @ v).ravel()

    def top(self, scores: np.ndarray, n: int, exclude: set[str] = frozenset()) -> dict[str, float]:
        """The ``n`` best-scoring items (score > 0) not in ``exclude``."""
        if n <= 0 or not scores.any():
            return {}
        take = min(len(scores), n + len(exclude))
        idx = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
        idx = idx[np.argsort(-scores[idx])]
        out: dict[str, float] = {}
        for k in idx:
            if scores[k] <= 0 or len(out) >= n:
                break
            if self.item_ids[k] not in exclude:
                out[self.item_ids[k]] = float(scores[k])
        return out

    # -- attribution for explanations ------------------------------------------------------------
    def best_seed(self, seeds: dict[str, float], item: str) -> tuple[str, float] | None:
        """The seed contributing most to ``item``'s item-item score, with that link (its EASE
        weight; the cosine of rater columns where EASE links none)."""
        if self._ease is not None:
            best = self._strongest(seeds, item, lambda s, k: _entry(self._ease, s, k))
            if best is not None:
                return best
        return self._strongest(seeds, item, lambda s, k: _row_dot(self._xn_t, s, k))

    def best_predecessor(self, recent: dict[str, float], item: str) -> tuple[str, float] | None:
        """The recent item most often followed by ``item``, with P(item | it)."""
        return self._strongest(recent, item, lambda s, k: _entry(self._transitions, s, k))

    def _strongest(self, sources: dict[str, float], item: str,
                   link: Callable[[int, int], float]) -> tuple[str, float] | None:
        """The source maximising weight x link(source row, item row), with its link; None if none > 0."""
        k = self.index.get(item)
        known = [(s, w) for s, w in sources.items() if s in self.index and s != item]
        if k is None or not known:
            return None
        links = np.array([link(self.index[s], k) for s, _ in known])
        best = int(np.argmax(links * np.array([w for _, w in known])))
        return (known[best][0], float(links[best])) if links[best] > 0 else None

    def liked_together(self, seed: str, item: str) -> LikedTogether | None:
        a, b = self.index.get(seed), self.index.get(item)
        if a is None or b is None:
            return None
        fans = _row_indices(self._liked_t, a)
        raters = len(np.intersect1d(fans, _row_indices(self._seen_t, b), assume_unique=True))
        liked = len(np.intersect1d(fans, _row_indices(self._liked_t, b), assume_unique=True))
        return LikedTogether(seed, raters, liked) if raters else None


# Single rows and entries read straight from CSR arrays: scipy's row slicing costs ~50 µs a call,
# and explanations make a few hundred such reads per turn.
def _row_indices(m: sparse.csr_matrix, row: int) -> np.ndarray:
    return m.indices[m.indptr[row]:m.indptr[row + 1]]


def _row_dot(m: sparse.csr_matrix, a: int, b: int) -> float:
    """Dot product of rows ``a`` and ``b`` of a CSR matrix with sorted, unique column indices."""
    _, ia, ib = np.intersect1d(_row_indices(m, a), _row_indices(m, b), assume_unique=True, return_indices=True)
    return float(m.data[m.indptr[a] + ia] @ m.data[m.indptr[b] + ib])


def _entry(m: sparse.csr_matrix, row: int, col: int) -> float:
    cols = _row_indices(m, row)
    j = int(np.searchsorted(cols, col))
    return float(m.data[m.indptr[row] + j]) if j < len(cols) and cols[j] == col else 0.0
