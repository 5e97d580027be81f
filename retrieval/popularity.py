"""Recency-weighted popularity: how much an item is rated *lately*, not over all time.

A rating ``age`` days older than the newest rating in the data counts ``0.5 ** (age / half_life)``;
``half_life_days=None`` counts every rating once (all-time popularity). Relative to the data's own
newest rating, not to today, so an old dataset is not faded to nothing.

``benchmarks/popularity_recency.py`` fits the half-life on MovieLens ratings alone: the counts up to
a cut-off one year before the newest rating rank the items, scored by how many of the next year's
ratings fall on the top-ranked items. Example::

    counts = recent_counts(interactions, half_life_days=365)   # {item id: weighted count}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

DAY = 86_400.0


def recent_counts(interactions: Iterable[tuple], half_life_days: float | None,
                  now: float | None = None) -> dict[str, float]:
    """Per item, its ratings weighted by age (``(user, item, rating, ts)`` rows; ``now`` defaults
    to the newest timestamp; ratings after ``now`` or without a timestamp are not counted when
    decaying)."""
    rows = list(interactions)
    if half_life_days is None:
        out: dict[str, float] = defaultdict(float)
        for _, item, _, _ in rows:
            out[item] += 1.0
        return dict(out)
    stamps = [float(ts) for *_, ts in rows if ts]
    if now is None:
        now = max(stamps, default=0.0)
    scale = half_life_days * DAY
    out = defaultdict(float)
    for _, item, _, ts in rows:
        if ts and float(ts) <= now:
            out[item] += 0.5 ** ((now - float(ts)) / scale)
    return dict(out)
