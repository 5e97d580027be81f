"""What recommenders suggest after a film comes up in conversation, learned from dialogues.

Two counts over training conversations, keyed by film name ("Title (Year)") so that they carry
over to any catalogue that has the same films:

- ``after[a][b]``: how often a recommender first suggested ``b`` in a dialogue where ``a`` had
  already been mentioned (by either side), smoothed per seed: ``after[a][b] / (sum_b after[a] + alpha)``;
- ``suggested[b]``: how often recommenders suggested ``b`` at all (a popularity prior counted on
  training dialogues only).

Example::

    model = CoMention.fit([(["Toy Story (1995)"], ["Up (2009)", "Cars (2006)"]), ...])
    scores = model.scores(["Toy Story (1995)"])        # {"Up (2009)": 0.4, ...}
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

ALPHA = 10.0  # smoothing of each seed's row: a seed seen once says less than one seen often


class CoMention:
    def __init__(self, after: dict[str, Counter], suggested: Counter, alpha: float = ALPHA,
                 known: Iterable[str] = ()):
        self.after = after
        self.suggested = suggested
        self.alpha = alpha
        # every film of the training catalogue: one never suggested there is a real 0, while a film
        # outside it is unknown (see agent.learned_signals for how that is filled in)
        self.known = set(known) | set(suggested) | set(after)
        self._totals = {a: sum(c.values()) for a, c in after.items()}

    @classmethod
    def fit(cls, events: Iterable[tuple[list[str], list[str]]], alpha: float = ALPHA,
            known: Iterable[str] = ()) -> CoMention:
        """``events``: one ``(mentioned before, suggested now)`` pair per recommender turn; a film
        already mentioned before that turn is not counted as suggested again."""
        after: dict[str, Counter] = defaultdict(Counter)
        suggested: Counter = Counter()
        for before, now in events:
            earlier = set(before)
            fresh = [b for b in dict.fromkeys(now) if b not in earlier]
            suggested.update(fresh)
            for a in earlier:
                after[a].update(fresh)
        return cls(dict(after), suggested, alpha, known)

    def scores(self, seeds: Iterable[str]) -> dict[str, float]:
        """Films suggested after the ``seeds``, each seed's smoothed share summed."""
        out: dict[str, float] = defaultdict(float)
        for a in dict.fromkeys(seeds):
            row = self.after.get(a)
            if not row:
                continue
            norm = self._totals[a] + self.alpha
            for b, count in row.items():
                out[b] += count / norm
        return dict(out)

    def popularity(self) -> dict[str, float]:
        """log(1 + times suggested), scaled to 0..1."""
        top = max(self.suggested.values(), default=0)
        if not top:
            return {}
        scale = math.log1p(top)
        return {b: math.log1p(c) / scale for b, c in self.suggested.items()}

    # -- persistence: plain arrays, no pickles --------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        names = sorted(self.known | {b for c in self.after.values() for b in c})
        pos = {n: i for i, n in enumerate(names)}
        # sorted by (film, film after it): the same counts give the same file, whatever order they
        # were counted in (a set's order changes with Python's string hashing from run to run)
        triples = sorted((pos[a], pos[b], v) for a, c in self.after.items() for b, v in c.items())
        return {"names": np.asarray(names, dtype=object).astype(str),
                "after": np.asarray(triples, dtype=np.int64).reshape(-1, 3).T,
                "suggested": np.asarray([self.suggested.get(n, 0) for n in names], dtype=np.int64),
                "alpha": np.asarray([self.alpha])}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> CoMention:
        names = [str(n) for n in arrays["names"]]
        after: dict[str, Counter] = defaultdict(Counter)
        for r, c, v in arrays["after"].T:
            after[names[r]][names[c]] += int(v)
        suggested = Counter({n: int(v) for n, v in zip(names, arrays["suggested"]) if v})
        return cls(dict(after), suggested, float(arrays["alpha"][0]), names)
