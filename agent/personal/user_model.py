"""A person's user model: everything derived from their history (interest posteriors, item-item
seeds, recent items, what they consumed), built once per version of their events and kept in
a bounded cache; the posteriors are also kept in the profile store, keyed by a fingerprint of
the evidence and the settings, so a long history is not re-read each start."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agent.personal.history import EXCLUDING_KINDS, FEEDBACK_WEIGHT, HistoryEntry, rating_weight
from agent.settings import ProfileSettings
from retrieval.attributes import AttributeSpace
from retrieval.interest import Evidence, InterestModel, InterestProfile, InterestView
from retrieval.profiles import ProfileStore

USER_MODELS_CACHED = 2048  # people whose models stay in memory (least recently built dropped first)


@dataclass
class UserModel:
    """Everything derived from one person's history (cached until it changes)."""

    user_id: str
    history: list[HistoryEntry]
    profile: InterestProfile
    seeds: dict[str, float]  # item-item seeds: centred, recency-weighted
    recent: dict[str, float]  # the latest items, for transitions
    consumed: set[str]  # rated, seen, rejected or accepted: never recommended again
    ratings: dict[str, float]  # latest star rating per item (for explanations)
    liked: set[str]  # liked or accepted in chat


def build_user_model(user_id: str, history: list[HistoryEntry], settings: ProfileSettings,
                     profile_of: Callable[[list[Evidence]], InterestProfile]) -> UserModel:
    """The model of a history; ``profile_of`` turns the interest evidence into posteriors."""
    # recency by position: the n-th most recent event counts 0.5 ** (n / half-life). Positions, not
    # clock time: a dataset's ratings from 2001 must not vanish next to feedback given today.
    ordered = sorted(history, key=lambda h: h.ts)
    half_life = settings.half_life_events
    evidence, seeds, ratings = [], defaultdict(float), {}
    for age, h in enumerate(reversed(ordered)):
        decay = 0.5 ** (age / half_life) if half_life > 0 else 1.0
        w = rating_weight(h.rating) if h.kind == "rating" else FEEDBACK_WEIGHT[h.kind]
        evidence.append(Evidence(h.item_id, w * decay, h.scene))
        centred = (h.rating - 2.5) / 2.5 if h.kind == "rating" and h.rating is not None else w
        seeds[h.item_id] += centred * decay
        if h.kind == "rating" and h.rating is not None:
            ratings.setdefault(h.item_id, h.rating)  # the latest rating wins
    recent_ids = list(dict.fromkeys(h.item_id for h in reversed(ordered) if h.kind != "dislike"))
    recent_ids = recent_ids[: settings.recent_items]
    return UserModel(
        user_id=user_id, history=history, profile=profile_of(evidence), seeds=dict(seeds),
        recent={i: 0.8 ** k for k, i in enumerate(recent_ids)},
        consumed={h.item_id for h in history if h.kind in EXCLUDING_KINDS},
        ratings=ratings, liked={h.item_id for h in history if h.kind in ("like", "accept")},
    )


def stored_posteriors(profiles: ProfileStore, interest: InterestModel, space: AttributeSpace, user_id: str,
                      evidence: list[Evidence], fingerprint: str) -> InterestProfile:
    """The interest posteriors, from the profile store's cache when the evidence is unchanged."""
    if not evidence:  # cold start: the prior, nothing worth caching
        return interest.build([])
    cached = profiles.get_vectors(user_id, fingerprint)
    if cached and len(next(iter(cached.values()))) == len(interest.prior) + 1:
        views = {name.removeprefix("interest:"): InterestView(v[:-1], float(v[-1])) for name, v in cached.items()}
        return InterestProfile(space, interest.prior, views)
    profile = interest.build(evidence)
    profiles.put_vectors(user_id, fingerprint, {f"interest:{s}": np.append(v.alpha, v.evidence)
                                                for s, v in profile.views.items()})
    return profile


class UserModelCache:
    """The latest user models by person, each with the version of the events it was built from."""

    def __init__(self, size: int = USER_MODELS_CACHED):
        self.size = size
        self._lock = threading.Lock()
        self._models: OrderedDict[str, tuple[int, UserModel]] = OrderedDict()

    def get(self, user_id: str, version: int) -> UserModel | None:
        with self._lock:
            hit = self._models.get(user_id)
        return hit[1] if hit and hit[0] == version else None

    def put(self, user_id: str, version: int, model: UserModel) -> None:
        with self._lock:
            self._models[user_id] = (version, model)
            self._models.move_to_end(user_id)
            while len(self._models) > self.size:  # API keys may name any number of users
                self._models.popitem(last=False)

    def drop(self, user_id: str) -> None:
        with self._lock:
            self._models.pop(user_id, None)

    def clear(self) -> None:
        with self._lock:
            self._models.clear()
