"""A learned match between what a person has said and an item's text.

``score(context, item) = (context_vector @ W) . item_vector``: both vectors come from the same
sentence encoder (the context: the seeker's words so far; the item: its catalogue document), and
``W`` is learned from conversations -- which films recommenders went on to suggest after those
words (softmax over the training catalogue, :func:`evaluation.training.fit_text_scorer`).
Because it scores item *text*, never item ids, it ranks items it never saw in training, in any
catalogue whose items have documents.

Example::

    scorer = TextScorer(W)
    scorer.scores(encode("my kids love dinosaurs"), item_vectors)   # one float per item
"""

from __future__ import annotations

import numpy as np


class TextScorer:
    def __init__(self, weights: np.ndarray):
        if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
            raise ValueError(f"text scorer weights must be a square matrix, got shape {weights.shape}")
        self.weights = weights.astype(np.float32)

    @property
    def dimension(self) -> int:
        return self.weights.shape[0]

    def project(self, context: np.ndarray) -> np.ndarray:
        """The context mapped into item-vector space (score an item by a dot product with it)."""
        return context.astype(np.float32) @ self.weights

    def scores(self, context: np.ndarray, item_vectors: np.ndarray) -> np.ndarray:
        """Raw scores, one per row of ``item_vectors``; see :func:`squash` for 0..1 values."""
        return item_vectors @ self.project(context)


def squash(raw: np.ndarray) -> np.ndarray:
    """Raw scores as 0..1 values comparable across contexts: each score's standing among the
    scored items (a z-score through a logistic), so a ranker weight means the same in every turn."""
    if raw.size == 0:
        return raw.astype(np.float32)
    sd = float(raw.std()) or 1.0
    return (1.0 / (1.0 + np.exp(-(raw - float(raw.mean())) / sd))).astype(np.float32)
