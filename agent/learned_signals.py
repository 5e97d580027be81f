"""What the models learned from conversations say about each item, for one dialogue state.

A :class:`retrieval.learned.ModelBundle` knows films by name ("Title (Year)"); this maps those
names onto one catalogue's ids (normalised title + year, a year off allowed) and turns a state into
the learned ranking features (``retrieval.ranking.LEARNED_FEATURES``), as arrays in the
catalogue's row order:

- ``co_mention``: what recommenders suggested after the films mentioned so far;
- ``text_match``: the learned match between the person's own words and each item's text;
- ``dialogue_popularity``: how often recommenders suggested it at all (with ``conversation``, at
  ``TOPIC_PRIOR_SCALE`` while the person describes a topic and has named no film);
- ``conversation``: what recommenders suggested next after these words and films (the
  conversation model's log-probability, as 0..1 near its best films, over the model's own span);
- ``conversation_rank``: the same model's order, deep into the list (0 until the person names a
  film: before that its order is mostly what recommenders suggest to anyone, and a popular horror
  film would outrank the person's "something cosy").
  For both, an item the training conversations never named takes the value of the known item most
  like it (by their text vectors), times that similarity: a film newer than ReDial is not ranked as
  if no one would suggest it.

Example::

    signals = LearnedSignals(bundle, ids, items, matrix, encode)
    signals.arrays(state)["co_mention"]       # one value per catalogue row
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from agent.state import DialogueState
from retrieval.items import Item
from retrieval.learned import ModelBundle
from retrieval.text_scorer import squash
from retrieval.titles import map_names

CANDIDATES = 60  # items the learned scores add to a live turn's candidate pool
# Before any film is named, a person who says what the film should be about ("a film about drugs")
# gets the conversation model's scores and the recommenders' popularity at this scale: there both say
# mostly what recommenders suggest to anyone (It, Die Hard), and at full weight they outranked every
# film about the topic. Chosen on validation with the shipped bundle: ReDial dev dedup R@10 / R@50
# .2108 / .4287 at 1, .2092 / .4284 at 0.5, .2061 / .4240 at 0.25; INSPIRED dev .1581 / .3715,
# .1621 / .3755, .1581 / .3794; benchmarks/described_requests.py precision@5 .415, .480, .540.
TOPIC_PRIOR_SCALE = 0.5


def nearest_known(matrix: np.ndarray, known: np.ndarray, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """For every row of ``matrix`` (unit item vectors) outside ``known``: the known row most like it and
    their cosine similarity (clipped at 0); -1 and 0 for a known row."""
    known = np.unique(known)
    nearest = np.full(len(matrix), -1, np.int64)
    similarity = np.zeros(len(matrix), np.float32)
    if not len(known):
        return nearest, similarity
    cold = np.setdiff1d(np.arange(len(matrix)), known)
    base = matrix[known].T
    for start in range(0, len(cold), chunk):
        rows = cold[start:start + chunk]
        sims = matrix[rows] @ base
        best = sims.argmax(axis=1)
        nearest[rows] = known[best]
        similarity[rows] = np.clip(sims[np.arange(len(rows)), best], 0.0, 1.0)
    return nearest, similarity


def topical(state: DialogueState) -> bool:
    """Whether the person has described what the film should be about ("a film about drugs", "with
    dinosaurs"): topic words or descriptive wishes, not only a genre, mood or scene."""
    return bool(state.keywords or state.liked_attributes)


class LearnedSignals:
    def __init__(self, bundle: ModelBundle, ids: list[str], items: list[Item], matrix: np.ndarray | None,
                 encode: Callable[[str], np.ndarray], row_of: dict[str, int] | None = None,
                 neighbours: tuple[np.ndarray, np.ndarray] | None = None):
        """``row_of``: the bundle's film names already mapped onto these items' rows (``map_names``,
        ~0.5 s at 9k items; a warm cache keeps it), else mapped here; ``neighbours``: the same for
        :func:`nearest_known` (computed here when not given)."""
        self.bundle = bundle
        self.ids = ids
        self.pos = {i: r for r, i in enumerate(ids)}
        self.matrix = matrix
        self.encode = encode
        self.weights = bundle.weights
        co, conv = bundle.comention, bundle.conversation
        known = (co.known if co else set()) | set(conv.names if conv else ())
        self.row_of = row_of if row_of is not None else map_names(sorted(known), items)
        self.name_of = {r: n for n, r in self.row_of.items()}
        self.popularity = self._popularity(co, items) if co else np.zeros(len(ids), np.float32)
        # the conversation model's films -> catalogue rows (-1: not in this catalogue)
        self._conversation_rows = np.asarray([self.row_of.get(n, -1) for n in conv.names]) if conv else None
        if neighbours is None and self._conversation_rows is not None and matrix is not None and len(matrix):
            neighbours = nearest_known(matrix, self._conversation_rows[self._conversation_rows >= 0])
        self.neighbours = neighbours

    def _popularity(self, co, items: list[Item]) -> np.ndarray:
        """How often recommenders suggest each item; for an item the training catalogue did not have,
        its own catalogue popularity on the same scale (the ratio of the two over the items both know),
        so a catalogue the conversations barely cover is not left without a popularity prior."""
        learned = co.popularity()
        known = np.zeros(len(items), bool)
        out = np.zeros(len(items), np.float32)
        for name, row in self.row_of.items():
            known[row] = True
            out[row] = learned.get(name, 0.0)
        own = np.log1p(np.asarray([it.popularity for it in items], np.float32))
        own = own / (own.max() or 1.0)
        both = known & (own > 0)
        ratio = float(out[both].mean() / own[both].mean()) if both.any() and own[both].mean() > 0 else 1.0
        return np.where(known, out, own * ratio).astype(np.float32)

    @property
    def coverage(self) -> float:
        """Share of this catalogue's items the training catalogue had."""
        return len(self.row_of) / max(1, len(self.ids))

    def arrays(self, state: DialogueState) -> dict[str, np.ndarray]:
        n = len(self.ids)
        seeds = [self.name_of[r] for i in state.named_items() if (r := self.pos.get(i)) is not None and r in self.name_of]
        co = np.zeros(n, np.float32)
        if self.bundle.comention is not None:
            for name, value in self.bundle.comention.scores(seeds).items():
                if name in self.row_of:
                    co[self.row_of[name]] += value
        text = np.zeros(n, np.float32)
        said = state.recent_said_text()
        if self.bundle.text_scorer is not None and self.matrix is not None and said and self.weights.get("text_match"):
            text = squash(self.bundle.text_scorer.scores(self.encode(said), self.matrix))
        conversation, conversation_rank = self._conversation(state, seeds, n)
        popularity = self.popularity
        if not seeds and topical(state):  # "a film about drugs": what is suggested to anyone counts less
            conversation, popularity = conversation * TOPIC_PRIOR_SCALE, popularity * TOPIC_PRIOR_SCALE
        return {"co_mention": co, "text_match": text, "dialogue_popularity": popularity,
                "conversation": conversation, "conversation_rank": conversation_rank}

    def _conversation(self, state: DialogueState, seeds: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
        model, rows = self.bundle.conversation, self._conversation_rows
        if model is None or rows is None or not (self.weights.get("conversation") or self.weights.get("conversation_rank")):
            return np.zeros(n, np.float32), np.zeros(n, np.float32)
        if not (seeds and self.weights.get("conversation_rank")):
            # before any film is named the model's order is mostly its prior (what is suggested to
            # anyone): the rank feature stays 0, and the films are not sorted for it
            return self._on_catalogue(model.feature(state.said_text(), seeds), rows, n), np.zeros(n, np.float32)
        near, order = model.features(state.said_text(), seeds)
        return self._on_catalogue(near, rows, n), self._on_catalogue(order, rows, n)

    def _on_catalogue(self, values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
        """One value per film of the model -> one per catalogue row; an item the model does not know
        takes its nearest known item's value times their similarity."""
        out = np.zeros(n, np.float32)
        mapped = rows >= 0
        np.maximum.at(out, rows[mapped], values[mapped])
        if self.neighbours is not None:
            nearest, similarity = self.neighbours
            cold = nearest >= 0
            out[cold] = out[nearest[cold]] * similarity[cold]
        return out

    def for_items(self, arrays: dict[str, np.ndarray], item_ids: list[str]) -> dict[str, dict[str, float]]:
        """The arrays as the live ranker's per-item dicts, for some items."""
        rows = [(i, self.pos[i]) for i in item_ids if i in self.pos]
        return {name: {i: float(values[r]) for i, r in rows if values[r]} for name, values in arrays.items()}

    def top(self, arrays: dict[str, np.ndarray], n: int = CANDIDATES) -> list[str]:
        """The items the learned part of the score likes best (candidates for a live turn)."""
        score = sum(self.weights.get(name, 0.0) * values for name, values in arrays.items())
        if not np.any(score):
            return []
        n = min(n, len(score))
        top = np.argpartition(-score, n - 1)[:n]
        return [self.ids[r] for r in top[np.argsort(-score[top])]]
