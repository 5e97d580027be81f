"""One turn's personal signals: a person's user model (or nobody) and this conversation's
evidence turned into the ranker's personal features and personal candidates.

* item-item collaborative scores seeded by history and this conversation's likes -> ``collaborative``;
* transitions from the most recent items -> ``sequence``;
* the affinity of the interest distribution (a view per scene) -> ``profile``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from agent.personal.history import FEEDBACK_WEIGHT
from agent.personal.user_model import UserModel
from agent.settings import ProfileSettings
from agent.state import DialogueState
from retrieval.collaborative import CollaborativeModel
from retrieval.interest import Evidence, InterestModel, InterestProfile


def scene_key(state: DialogueState) -> str | None:
    """The scene a turn happens in: who's watching first, else the occasion."""
    return state.scene.companions or state.scene.occasion


@dataclass
class PersonalContext:
    """One turn's personal signals over the catalogue."""

    user: UserModel | None
    scene: str | None
    seeds: dict[str, float]
    recent: dict[str, float]
    collaborative: np.ndarray
    sequence: np.ndarray
    exclude: set[str]
    profile: InterestProfile
    index: dict[str, int] = field(default_factory=dict, repr=False)  # item id -> row of the score arrays
    scales: tuple[float, float] = (1.0, 1.0)  # best recommendable collaborative / sequence score
    discussed: frozenset[str] = frozenset()  # weak seeds (seen, or named by others): never "you liked"
    profiled: bool = False  # a profile from history or from this conversation (else the prior: no feature)

    def feature_arrays(self, item_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The personal features as arrays aligned with ``item_ids`` (0 for unknown items)."""
        rows = np.array([self.index.get(i, -1) for i in item_ids], dtype=int)
        known = rows >= 0
        safe = np.where(known, rows, 0)
        collab = np.clip(self.collaborative[safe] / self.scales[0], 0, 1) if len(rows) else np.zeros(0)
        seq = np.clip(self.sequence[safe] / self.scales[1], 0, 1) if len(rows) else np.zeros(0)
        aff = self.profile.affinity(safe, self.scene) if self.profiled and len(rows) else np.zeros(len(rows))
        return {name: np.where(known, values, 0.0)
                for name, values in (("collaborative", collab), ("sequence", seq), ("profile", aff))}

    def features(self, item_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Per-item values in 0..1 (profile: -1..1) for the ranker's personal features."""
        arrays = self.feature_arrays(item_ids)
        return {name: {i: float(v) for i, v in zip(item_ids, values) if v != 0} for name, values in arrays.items()}


def turn_context(user: UserModel | None, state: DialogueState, settings: ProfileSettings,
                 interest: InterestModel, collab: CollaborativeModel) -> PersonalContext:
    """One turn's signals for a person's model (or nobody) and the conversation so far."""
    seeds = dict(user.seeds) if user else {}
    recent = dict(user.recent) if user else {}
    boost = settings.session_seed_weight
    # this conversation's evidence: likes, and -- weakly, like the profile's "seen" feedback --
    # items the person has seen or that someone else named, with no verdict. Never the agent's
    # own lists: seeding from what it showed would only reinforce its own picks.
    liked = list(dict.fromkeys(state.anchor_items + state.liked_items + state.accepted_items))
    discussed = [i for i in dict.fromkeys(state.seen_items + state.discussed_items)
                 if i not in liked and i not in state.disliked_items]
    session: dict[str, float] = defaultdict(float)
    for ids, kind in ((liked, "like"), (discussed, "seen"), (state.disliked_items, "dislike")):
        for i in ids:
            session[i] += boost * FEEDBACK_WEIGHT[kind]
    for i, w in session.items():
        seeds[i] = seeds.get(i, 0.0) + w
    # "what people watched next" follows viewing: what the person chose to watch here, not every
    # title they said they like (a conversation's mentions have no viewing order)
    for i in state.accepted_items:
        recent[i] = max(recent.get(i, 0.0), 1.0)
    # a person without a profile gets one from this conversation alone (the prior when it has none)
    profile = user.profile if user else interest.build(Evidence(i, w) for i, w in session.items())
    exclude = set(state.excluded_ids()) | (user.consumed if user else set())
    collaborative = collab.item_scores(seeds)
    sequence = collab.transition_scores(recent)
    return PersonalContext(user, scene_key(state), seeds, recent, collaborative, sequence, exclude, profile,
                           index=collab.index,
                           scales=(_scale(collab, collaborative, exclude), _scale(collab, sequence, exclude)),
                           discussed=frozenset(discussed), profiled=user is not None or bool(session))


def personal_candidates(ctx: PersonalContext, collab: CollaborativeModel, pool: int) -> dict[str, list[str]]:
    """Personal candidate ids by source (best first)."""
    return {"collaborative": list(collab.top(ctx.collaborative, pool, ctx.exclude)),
            "sequence": list(collab.top(ctx.sequence, pool // 4, ctx.exclude))}


def _scale(model: CollaborativeModel, scores: np.ndarray, exclude: set[str]) -> float:
    """The best score among items that may be recommended (features are relative to it)."""
    best = model.top(scores, 1, exclude)
    return max(next(iter(best.values()), 0.0), 1e-9)
