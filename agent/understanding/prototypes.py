"""Mood by meaning: when no lexicon word names a mood, compare the message's embedding with
prototype sentences per mood (e.g. "something to cheer me up after a bad day" -> uplifting).

Example::

    moods = MoodPrototypes(embedder)
    moods.closest("I need something to forget my awful week")   # 'uplifting' (or None)
"""

from __future__ import annotations

import numpy as np

from agent.understanding.lexicon import MOOD_PROTOTYPES


class MoodPrototypes:
    def __init__(self, embedder, threshold: float = 0.55, margin: float = 0.03):
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin  # over the best prototype of any other mood
        self._labels: list[str] = []
        self._matrix: np.ndarray | None = None

    def _prototypes(self) -> np.ndarray:
        if self._matrix is None:
            sentences = [(mood, s) for mood, ss in MOOD_PROTOTYPES.items() for s in ss]
            self._labels = [m for m, _ in sentences]
            self._matrix = self.embedder.encode([s for _, s in sentences])
        return self._matrix

    def warm_up(self) -> None:
        """Embed the prototypes now rather than in the first turn that needs them."""
        self._prototypes()

    def closest(self, text: str) -> str | None:
        """The best mood whose prototype is similar enough, else None."""
        sims = self._prototypes() @ self.embedder.encode_query(text)
        best = int(np.argmax(sims))
        label = self._labels[best]
        runner_up = max((float(s) for s, lab in zip(sims, self._labels) if lab != label), default=-1.0)
        if float(sims[best]) >= self.threshold and float(sims[best]) - runner_up >= self.margin:
            return label
        return None
