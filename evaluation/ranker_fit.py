"""The ranker's part of ``scenerec train``: per recommendation point, candidate films with every
feature (:func:`ranker_block`), and one weight per feature fitted over all points
(:func:`fit_ranker_weights`). ``FEATURE_ORDER`` is the order of the features' columns.

Example::

    blocks = [b for b in (ranker_block(scored, golds, ids, 100, rng) for ...) if b is not None]
    weights = fit_ranker_weights(blocks, TrainConfig())      # {"content": 1.2, ...}
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from retrieval.ranking import LEARNED_FEATURES

if TYPE_CHECKING:
    from evaluation.training import TrainConfig

FEATURE_ORDER: tuple[str, ...] = ("content", "genre", "scene", "people", "liked_items", "collaborative", "profile",
                                  "sequence", "popularity", "quality", "message", *LEARNED_FEATURES)


def candidate_rows(scored, golds: list[int], n: int, rng: random.Random) -> np.ndarray:
    """Golds, the best ``n`` by each single feature that matters most, and ``n`` random films, all
    among those the hard filters allow (the caller drops the excluded ones: films named earlier)."""
    total = len(scored.allowed)
    ok = scored.allowed.copy()
    picked: set[int] = set(golds)
    k = min(n, total - 1)
    for name in ("content", "collaborative", "co_mention", "text_match", "conversation", "popularity"):
        values = np.where(ok, scored.features[name], -np.inf)
        picked.update(int(i) for i in np.argpartition(-values, k)[:k] if np.isfinite(values[i]))
    allowed = np.flatnonzero(ok).tolist()
    picked.update(rng.sample(allowed, min(n, len(allowed))))
    return np.asarray(sorted(picked))


def ranker_block(scored, golds: list[int], ids: list[str], n: int,
                 rng: random.Random) -> tuple[np.ndarray, np.ndarray] | None:
    """One point's (candidates x features) matrix and gold mask, or None when no gold can be ranked.
    The ranker orders only the films the hard filters allow and the state does not exclude; a gold
    outside them (15% on ReDial: a genre carried over from earlier, a misread year) would teach it
    that matching the person's genres is bad, so it is left out."""
    golds = [g for g in golds if scored.allowed[g] and ids[g] not in scored.exclude]
    if not golds:
        return None
    rows = candidate_rows(scored, golds, n, rng)
    rows = rows[[ids[r] not in scored.exclude for r in rows]]
    return np.stack([scored.features[name][rows] for name in FEATURE_ORDER], axis=1), np.isin(rows, golds)


def fit_ranker_weights(blocks: list[tuple[np.ndarray, np.ndarray]], cfg: TrainConfig) -> dict[str, float]:
    """Non-negative weights, each at least its ``weight_floors`` value (the others are fitted around
    a floor), that best rank the golds among each point's candidates by ``cfg.ranker_objective``.
    ``blocks``: per point, a (candidates x features) matrix and a 0/1 gold mask."""
    import torch

    torch.manual_seed(cfg.seed)
    floors = torch.tensor([cfg.weight_floors.get(name, 0.0) for name in FEATURE_ORDER])
    w = torch.maximum(torch.full((len(FEATURE_ORDER),), 0.5), floors).requires_grad_()
    opt = torch.optim.Adam([w], lr=0.05)
    mats = [torch.from_numpy(m.astype(np.float32)) for m, _ in blocks]
    golds = [torch.from_numpy(g.astype(bool)) for _, g in blocks]
    # one padded batch: points x max candidates x features
    width = max(m.shape[0] for m in mats)
    feats = torch.zeros(len(mats), width, len(FEATURE_ORDER))
    valid = torch.zeros(len(mats), width, dtype=torch.bool)
    gold = torch.zeros(len(mats), width, dtype=torch.bool)
    for k, (m, g) in enumerate(zip(mats, golds)):
        feats[k, : len(m)] = m
        valid[k, : len(m)] = True
        gold[k, : len(m)] = g
    for _ in range(cfg.ranker_epochs):
        scores = (feats @ w).masked_fill(~valid, -1e9)
        loss = _ranker_loss(scores, gold, cfg) + cfg.ranker_l2 * (w ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            w.copy_(torch.maximum(w, floors))
    return {name: round(float(v), 4) for name, v in zip(FEATURE_ORDER, w.detach())}


def _ranker_loss(scores, gold, cfg: TrainConfig):
    """``scores``: points x candidates (padding at -1e9); ``gold``: the same shape, True at golds."""
    if cfg.ranker_objective == "softmax":
        log_p = scores.log_softmax(dim=1)
        return -(log_p.masked_fill(~gold, 0).sum(1) / gold.sum(1)).mean()
    if cfg.ranker_objective != "recall":
        raise ValueError(f"ranker_objective must be 'recall' or 'softmax', not {cfg.ranker_objective!r}")
    # smooth recall at K: each gold's margin over the K-th best other candidate, through a sigmoid
    others = scores.masked_fill(gold, -1e9)
    kth = others.topk(min(cfg.ranker_recall_at, others.shape[1]), dim=1).values[:, -1:]
    inside = (scores - kth).div(cfg.ranker_tau).sigmoid()
    return -(inside.masked_fill(~gold, 0).sum(1) / gold.sum(1)).mean()
