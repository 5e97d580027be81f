"""A person's history: the catalogue's ratings and their chat feedback, as entries, and what
each kind of entry is worth as evidence of interest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.collaborative import Interaction

FEEDBACK_WEIGHT = {"like": 1.0, "accept": 1.0, "seen": 0.3, "dislike": -1.0}
EXCLUDING_KINDS = ("rating", "dislike", "seen", "accept")  # never recommend these again


def rating_weight(rating: float | None) -> float:
    """Interest evidence of a 0-5 rating: 5 -> 1, 2 -> 0, 0.5 -> -0.5."""
    return 0.6 if rating is None else max(-0.5, min(1.0, (rating - 2.0) / 3.0))


@dataclass(frozen=True)
class HistoryEntry:
    item_id: str
    kind: str  # "rating" or a feedback kind
    rating: float | None
    ts: float
    scene: str | None = None


def ratings_by_user(interactions: Sequence[Interaction]) -> dict[str, list[HistoryEntry]]:
    """The catalogue's ratings as each person's history."""
    base: dict[str, list[HistoryEntry]] = defaultdict(list)
    for user, item, rating, ts in interactions:
        base[user].append(HistoryEntry(item, "rating", rating, float(ts or 0)))
    return dict(base)
