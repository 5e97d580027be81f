"""Ranking metrics for single-gold instances: Recall@k, NDCG@k, MRR@k and catalogue coverage@k.

With one relevant item per instance the ideal DCG is 1, so NDCG@k = 1/log2(rank+1) when the
gold is within the top k (rank counted from 1) and 0 otherwise; MRR@k = 1/rank likewise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

RECALL_KS = (1, 10, 50)
CURVE_KS = (1, 2, 3, 5, 10, 20, 30, 50)


def rank_of(gold: str, ranking: Sequence[str]) -> int | None:
    """1-based position of ``gold`` in ``ranking``; None when absent."""
    try:
        return ranking.index(gold) + 1
    except ValueError:
        return None


def recall_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def ndcg_at(rank: int | None, k: int) -> float:
    return 1.0 / math.log2(rank + 1) if rank is not None and rank <= k else 0.0


def mrr_at(rank: int | None, k: int) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


@dataclass
class MetricAccumulator:
    """Adds up instances (gold, ranking) and reports the mean metrics."""

    catalogue_size: int
    ranks: list[int | None] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # union of top-10 lists, for coverage@10

    def add_point(self, ranking: Sequence[str], golds: Sequence[str]) -> None:
        if not golds:
            return
        self.shown.update(ranking[:10])
        for g in golds:
            self.ranks.append(rank_of(g, list(ranking)))

    def _mean(self, fn, k: int) -> float:
        return sum(fn(r, k) for r in self.ranks) / len(self.ranks) if self.ranks else 0.0

    def recall(self, k: int) -> float:
        return self._mean(recall_at, k)

    def summary(self) -> dict[str, float]:
        out = {f"recall@{k}": self.recall(k) for k in RECALL_KS}
        out["ndcg@10"] = self._mean(ndcg_at, 10)
        out["mrr@10"] = self._mean(mrr_at, 10)
        out["coverage@10"] = len(self.shown) / self.catalogue_size if self.catalogue_size else 0.0
        return {k: round(v, 4) for k, v in out.items()}

    def curve(self, ks: Sequence[int] = CURVE_KS) -> dict[int, float]:
        return {k: round(self.recall(k), 4) for k in ks}
