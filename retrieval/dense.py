"""The ranker's features over a whole catalogue at once, as numpy arrays.

The same features and weights as :mod:`retrieval.ranking` (content, genre, scene, people, liked items,
collaborative, profile, sequence, popularity, quality), computed for every item in one pass instead of for a
Chroma candidate pool: for batch evaluation and small catalogues. No MMR (a full ranking is
wanted, not a diverse top-k). Example::

    index = DenseIndex.build(items, vectors)
    scores = index.scores(request, query_vector, weights)      # one float per item
    index.top(scores, 50, exclude={"1"})                        # ids, best first
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from retrieval.described import Wish, holds, normalised_text
from retrieval.items import Item
from retrieval.ranking import LEARNED_FEATURES, RankRequest, quality_of
from retrieval.vector_store import Filters

@dataclass
class DenseIndex:
    ids: list[str]
    items: list[Item]
    vectors: np.ndarray  # n x d, L2-normalised
    genres: list[str]
    genre_matrix: np.ndarray  # n x g, 0/1
    popularity: np.ndarray  # log1p(popularity) / log1p(max)
    quality: np.ndarray
    # person -> rows featuring them: positions in this index (items with vectors), not PeopleIndex's ids
    people: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, items: list[Item], vectors: dict[str, np.ndarray]) -> DenseIndex:
        items = [it for it in items if it.id in vectors]
        genres = sorted({g for it in items for g in it.genres})
        gpos = {g: j for j, g in enumerate(genres)}
        gm = np.zeros((len(items), len(genres)), np.float32)
        for i, it in enumerate(items):
            for g in it.genres:
                gm[i, gpos[g]] = 1.0
        pop = np.log1p(np.asarray([it.popularity for it in items], np.float32))
        people: dict[str, list[int]] = {}
        for i, it in enumerate(items):
            for name in it.people:
                people.setdefault(name, []).append(i)
        return cls(
            ids=[it.id for it in items], items=items,
            vectors=np.stack([vectors[it.id] for it in items]).astype(np.float32),
            genres=genres, genre_matrix=gm,
            popularity=pop / (pop.max() or 1.0),
            quality=np.asarray([quality_of(it) for it in items], np.float32),
            people={name: np.asarray(rows) for name, rows in people.items()},
        )

    def __post_init__(self):
        self.pos = {item_id: i for i, item_id in enumerate(self.ids)}
        self._texts: list[str] | None = None  # normalised documents, for the described feature
        self._phrase_masks: dict[tuple[str, ...], np.ndarray] = {}
        self._filter_masks: dict[str, np.ndarray] = {}

    def vector(self, item_id: str) -> np.ndarray | None:
        i = self.pos.get(item_id)
        return None if i is None else self.vectors[i]

    def _genre_feature(self, weights: dict[str, float]) -> np.ndarray:
        w = np.asarray([weights.get(g, 0.0) for g in self.genres], np.float32)
        return np.tanh(self.genre_matrix @ w) if w.any() else np.zeros(len(self.ids), np.float32)

    def _people_feature(self, weights: dict[str, float]) -> np.ndarray:
        total = np.zeros(len(self.ids), np.float32)
        for name, w in weights.items():
            if name in self.people:
                total[self.people[name]] += w
        return np.tanh(total)

    def features(self, req: RankRequest, query: np.ndarray | None,
                 personal: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Every feature for every item; ``personal`` holds the collaborative, sequence, profile and
        learned arrays (aligned with ``ids``) that the live ranker reads from the request's dicts."""
        n = len(self.ids)
        zeros = np.zeros(n, np.float32)
        content = zeros
        if query is not None and req.has_semantic_query:
            content = np.clip(self.vectors @ query, 0.0, 1.0)  # as ranking.content_score
        liked = zeros
        if req.anchor_vectors:
            liked = (self.vectors @ np.stack(req.anchor_vectors).T).max(axis=1)
        personal = personal or {}
        message = zeros if req.message_vector is None else np.clip(self.vectors @ req.message_vector, 0.0, 1.0)
        return {
            "content": content,
            "genre": self._genre_feature(req.genre_weights),
            "scene": self._genre_feature(req.scene_genre_weights),
            "people": self._people_feature(req.people_weights),
            "liked_items": liked,
            "collaborative": personal.get("collaborative", zeros),
            "profile": personal.get("profile", zeros),
            "sequence": personal.get("sequence", zeros),
            "popularity": self.popularity,
            "quality": self.quality,
            "message": message,
            "described": self._described_feature(req.described) if req.described else zeros,
        } | {name: personal.get(name, zeros) for name in LEARNED_FEATURES}

    def _described_feature(self, wishes: list[Wish]) -> np.ndarray:
        """As ``ranking.feature_values``: the wishes each item's own text holds, summed and clipped
        to -1..1 (each wish's mask is cached: the same wishes come back in many states)."""
        total = np.zeros(len(self.ids), np.float32)
        for phrases, sign in wishes:
            total += sign * self._holds(phrases)
        return np.clip(total, -1.0, 1.0)

    def _holds(self, phrases: tuple[str, ...]) -> np.ndarray:
        if phrases not in self._phrase_masks:
            if self._texts is None:
                self._texts = [normalised_text(it) for it in self.items]
            self._phrase_masks[phrases] = np.fromiter((holds(t, phrases) for t in self._texts), bool, len(self._texts))
        return self._phrase_masks[phrases]

    def scores(self, req: RankRequest, query: np.ndarray | None, weights: dict[str, float],
               personal: dict[str, np.ndarray] | None = None) -> np.ndarray:
        feats = self.features(req, query, personal)
        return sum(weights.get(name, 0.0) * values for name, values in feats.items())

    def allowed(self, filters: Filters) -> np.ndarray:
        """Boolean mask of the items the hard filters accept (cached per distinct filter)."""
        key = repr(filters)
        if key not in self._filter_masks:
            self._filter_masks[key] = np.asarray([filters.accepts(it) for it in self.items])
        return self._filter_masks[key]

    def top(self, scores: np.ndarray, n: int, exclude: Iterable[str] = (),
            allowed: np.ndarray | None = None) -> list[str]:
        """The ``n`` best ids; excluded and filtered-out items go last (never dropped)."""
        s = scores.astype(np.float64).copy()
        if allowed is not None:
            s[~allowed] -= 1e6
        for item_id in exclude:
            i = self.pos.get(item_id)
            if i is not None:
                s[i] -= 1e9
        n = min(n, len(s))
        top = np.argpartition(-s, n - 1)[:n]
        return [self.ids[i] for i in top[np.argsort(-s[top], kind="stable")]]
