"""Turn a dialogue state into what retrieval and ranking need: the semantic query vector, the
anchor items, the collaborative seeds, the candidate query and the rank request.

Shared by the live turn (:meth:`agent.core.SceneRecAgent._recommend`) and batch scoring
(:mod:`agent.batch`), so both rank from exactly the same reading of the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from agent.state import DialogueState
from retrieval.engine import CandidateQuery
from retrieval.items import Item
from retrieval.ranking import RankRequest

MOOD_WORDS = {"funny": "funny comedy", "light": "light-hearted fun", "thrilling": "thrilling suspense",
              "scary": "scary horror", "romantic": "romantic love story", "thoughtful": "thought-provoking drama",
              "sad": "sad emotional drama", "uplifting": "uplifting feel-good", "relaxing": "relaxing easy",
              "dark": "dark gritty", "epic": "epic adventure"}
COMPANION_WORDS = {"kids": "children family animation", "family": "family", "partner": "romantic",
                   "friends": "fun", "colleagues": "", "alone": ""}
SEEN_SEED_WEIGHT = 0.5  # a movie someone has seen says less about their taste than one they liked


@dataclass
class RecommendationPlan:
    text: str
    vector: np.ndarray | None
    anchors: list[str]
    query: CandidateQuery
    request: RankRequest
    seeds: list[str] = field(default_factory=list)  # items the collaborative signal starts from
    seed_weights: list[float] = field(default_factory=list)


def query_text(state: DialogueState) -> str:
    words = [MOOD_WORDS.get(m, m) for m in state.scene.mood]
    words += [g.lower() for g in state.liked_genres]
    words += [COMPANION_WORDS.get(state.scene.companions or "", "")]
    words += state.keywords
    return " ".join(w for w in words if w).strip()


def collaborative_seeds(state: DialogueState) -> tuple[list[str], list[float]]:
    """Liked, anchored and accepted items count fully, seen ones half; disliked never."""
    weights: dict[str, float] = {}
    for item_id in state.seen_items:
        weights[item_id] = SEEN_SEED_WEIGHT
    for item_id in state.liked_items + state.anchor_items + state.accepted_items:
        weights[item_id] = 1.0
    for item_id in state.disliked_items:
        weights.pop(item_id, None)
    return list(weights), list(weights.values())


def plan_recommendation(state: DialogueState, lookup: Callable[[str], Item | None],
                        vectors_of: Callable[[list[str]], dict[str, np.ndarray]],
                        encode: Callable[[str], np.ndarray], candidate_pool: int) -> RecommendationPlan:
    text = query_text(state)
    anchors = [a for a in dict.fromkeys(state.anchor_items + state.liked_items[-3:]) if lookup(a)]
    anchor_vecs = list(vectors_of(anchors).values()) if anchors else []
    vector = None
    if text or anchor_vecs:
        parts = ([encode(text)] if text else []) + anchor_vecs
        vector = np.mean(parts, axis=0)
        vector = vector / (np.linalg.norm(vector) or 1.0)
    weights = state.genre_weights()
    explicit = {g: 1.0 for g in state.liked_genres} | {g: -1.0 for g in state.avoid_genres}
    scene_w = {g: v for g, v in weights.items() if g not in explicit}
    seeds, seed_weights = collaborative_seeds(state)
    query = CandidateQuery(
        vector=vector, filters=state.filters(),
        exclude=state.excluded_ids() | set(anchors),
        prefer_genres=[g for g, v in sorted(weights.items(), key=lambda kv: -kv[1]) if v > 0.3][:3],
        n_semantic=candidate_pool, collaborative_seeds=seeds,
    )
    request = RankRequest(genre_weights=explicit, scene_genre_weights=scene_w,
                          anchor_vectors=anchor_vecs, has_semantic_query=vector is not None)
    return RecommendationPlan(text, vector, anchors, query, request, seeds, seed_weights)
