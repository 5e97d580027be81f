"""A person's interest distribution over item attributes, as Dirichlet posteriors.

Per attribute family (genre, era, mood, runtime band) the posterior is
``Dirichlet(strength * prior + evidence)``: the prior is the population's distribution (from the
catalogue's ratings), the evidence each rating or feedback's attribute mass times its signed,
recency-decayed weight (clipped at zero, so dislikes cancel earlier interest but never go below
the prior). A new person sits exactly at the prior; the distribution sharpens with evidence.

Scene views (kids, partner, date night …) are Dirichlets smoothed towards the person's *global*
posterior: feedback given in a scene lands fully in that scene's view and only partly
(``spillover``) in the global one. Example::

    model = InterestModel(space, population_prior(space, ratings))
    profile = model.build([Evidence("1", 1.0), Evidence("2", 1.0, scene="kids")])
    profile.view("kids").mean()          # posterior mean per attribute
    profile.affinity(rows, scene="kids") # per-item log-lift over the population, squashed to -1..1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from retrieval.attributes import FAMILIES, AttributeSpace
from retrieval.defaults import PRIOR_STRENGTH, SCENE_SPILLOVER, SCENE_STRENGTH

GLOBAL = "*"


@dataclass(frozen=True)
class Evidence:
    item_id: str
    weight: float  # signed: > 0 interest, < 0 disinterest (already recency-decayed)
    scene: str | None = None


def population_prior(space: AttributeSpace, item_ids: Iterable[str], floor: float = 1e-3) -> np.ndarray:
    """Each family's share of attribute mass over all interactions (``item_ids`` may repeat)."""
    counts = np.zeros(space.matrix.shape[0])
    for i in item_ids:
        r = space.item_index.get(i)
        if r is not None:
            counts[r] += 1.0
    if not counts.any():  # a catalogue without interactions: every item counts once
        counts[:] = 1.0
    mass = np.asarray(space.matrix.T @ counts).ravel() + floor
    return _normalise_per_family(mass, space)


def _normalise_per_family(v: np.ndarray, space: AttributeSpace) -> np.ndarray:
    out = np.array(v, dtype=float)
    for cols in space.family_slices.values():
        if len(cols):
            total = out[cols].sum()
            out[cols] = out[cols] / total if total > 0 else 1.0 / len(cols)
    return out


@dataclass
class InterestView:
    """One Dirichlet per family, stored as a single concentration vector over all attributes."""

    alpha: np.ndarray
    evidence: float  # total attribute mass of the evidence in this view

    def mean(self, space: AttributeSpace) -> np.ndarray:
        return _normalise_per_family(self.alpha, space)


@dataclass
class InterestProfile:
    space: AttributeSpace
    prior: np.ndarray
    views: dict[str, InterestView] = field(default_factory=dict)

    def view(self, scene: str | None = None) -> InterestView:
        return self.views.get(scene or GLOBAL) or self.views[GLOBAL]

    def lift(self, scene: str | None = None) -> np.ndarray:
        """log(posterior mean / population prior) per attribute (0 everywhere at cold start)."""
        return np.log(self.view(scene).mean(self.space) / self.prior)

    def affinity(self, rows: np.ndarray, scene: str | None = None) -> np.ndarray:
        """Per item: its attribute mass times the log-lift, averaged over families, squashed."""
        if len(rows) == 0:
            return np.zeros(0)
        m = self.space.matrix[rows]
        raw = np.asarray(m @ self.lift(scene)).ravel()
        families = np.maximum(np.asarray(m.sum(axis=1)).ravel(), 1.0)
        return np.tanh(raw / families * 2.0)


class InterestModel:
    """Builds profiles from evidence; holds the population prior and the smoothing strengths."""

    def __init__(self, space: AttributeSpace, prior: np.ndarray, strength: float = PRIOR_STRENGTH,
                 scene_strength: float = SCENE_STRENGTH, spillover: float = SCENE_SPILLOVER):
        self.space, self.prior = space, prior
        self.strength, self.scene_strength, self.spillover = strength, scene_strength, spillover

    def _mass(self, evidence: list[Evidence]) -> np.ndarray:
        rows = [self.space.item_index.get(e.item_id) for e in evidence]
        keep = [k for k, r in enumerate(rows) if r is not None]
        if not keep:
            return np.zeros(len(self.prior))
        w = np.array([evidence[k].weight for k in keep])
        m = self.space.matrix[np.array([rows[k] for k in keep])]
        return np.maximum(np.asarray(m.T @ w).ravel(), 0.0)

    def build(self, evidence: Iterable[Evidence]) -> InterestProfile:
        by_scene: dict[str, list[Evidence]] = defaultdict(list)
        for e in evidence:
            by_scene[e.scene or GLOBAL].append(e)
        scene_mass = {s: self._mass(ev) for s, ev in by_scene.items() if s != GLOBAL}
        global_mass = self._mass(by_scene.get(GLOBAL, []))
        for m in scene_mass.values():
            global_mass = global_mass + self.spillover * m
        g = InterestView(self.strength * self.prior + global_mass, float(global_mass.sum()) / len(FAMILIES))
        profile = InterestProfile(self.space, self.prior, {GLOBAL: g})
        g_mean = g.mean(self.space)
        for s, m in scene_mass.items():
            profile.views[s] = InterestView(self.scene_strength * g_mean + m, float(m.sum()) / len(FAMILIES))
        return profile
