"""Hybrid ranking with per-feature contributions and MMR diversity.

Every score is decomposable: ``Ranked.contributions`` holds each feature's weighted part and
``score`` is their sum. Example::

    ranked = rank(candidates, RankRequest(genre_weights={"Comedy": 1.0}), weights, k=5)
    ranked[0].contributions   # {'content': 0.41, 'genre': 0.36, 'popularity': 0.12, ...}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from retrieval.described import Wish, described_score, normalised_text
from retrieval.items import Item


@dataclass
class Candidate:
    item: Item
    similarity: float = 0.0  # cosine similarity to the semantic query
    embedding: np.ndarray | None = None
    sources: set[str] = field(default_factory=set)  # "semantic", "popular", "genre", ...


@dataclass
class RankRequest:
    genre_weights: dict[str, float] = field(default_factory=dict)  # explicit likes / dislikes
    scene_genre_weights: dict[str, float] = field(default_factory=dict)  # from scene and mood
    people_weights: dict[str, float] = field(default_factory=dict)  # directors / cast asked for
    anchor_vectors: list[np.ndarray] = field(default_factory=list)  # liked / "more like" items
    collaborative: dict[str, float] = field(default_factory=dict)  # item id -> 0..1
    profile: dict[str, float] = field(default_factory=dict)  # item id -> -1..1 interest affinity
    sequence: dict[str, float] = field(default_factory=dict)  # item id -> 0..1 "watched next"
    # features learned from conversations (see LEARNED_FEATURES): feature -> item id -> value
    learned: dict[str, dict[str, float]] = field(default_factory=dict)
    has_semantic_query: bool = True
    message_vector: np.ndarray | None = None  # the person's last message as written, embedded
    # descriptive wishes ("heist", "french") and aversions ("gore"): phrases, +1 / -1 (retrieval.described)
    described: list[Wish] = field(default_factory=list)
    diversity: float = 0.25  # MMR: 0 = pure relevance


# Features learned from conversations (retrieval.comention, retrieval.text_scorer,
# retrieval.conversation_model), 0 for an item without them: co_mention (suggested after the films
# mentioned so far), text_match (what was said vs the item's text), dialogue_popularity (how often
# recommenders suggest it at all), conversation (what recommenders suggested next in conversations
# with these words and films, near the model's best films) and conversation_rank (the same model's
# order, deep into the list).
LEARNED_FEATURES = ("co_mention", "text_match", "dialogue_popularity", "conversation", "conversation_rank")
# The learned features that report what recommenders did in conversations (a reason credits them as
# such, never as a claim about the item); text_match compares the item's own text instead.
CONVERSATION_FEATURES = tuple(name for name in LEARNED_FEATURES if name != "text_match")


# Each feature's name for a label, and as a person would say what weighed in a pick (the UIs and
# the agent's "why it was picked" read these: one home for every feature's words).
FEATURE_NAMES = {
    "content": "matches your words", "genre": "genres you asked for", "scene": "fits the scene",
    "liked_items": "close to titles you liked", "collaborative": "liked by people with your taste",
    "profile": "your interest profile", "sequence": "what people watch next", "popularity": "popular",
    "quality": "well rated", "diversity": "variety in the list", "people": "people you asked for",
    "message": "matches your last message", "described": "what you described",
}
# The same features as a person would say what weighed in a pick.
FEATURE_WORDS = {
    "content": "how closely it matches what you said", "genre": "the genres you asked for",
    "scene": "how well it suits who's watching", "liked_items": "how close it is to titles you liked",
    "collaborative": "people with your taste liked it", "profile": "your interest profile",
    "sequence": "what people watched next", "popularity": "how many people watched it",
    "quality": "how well it's rated", "diversity": "keeping the list varied",
    "people": "the people you asked for", "co_mention": "what recommenders suggest after the films you named",
    "text_match": "how its story matches what you said", "dialogue_popularity": "how often recommenders suggest it",
    "conversation": "what recommenders suggested in conversations like this one",
    "conversation_rank": "what recommenders suggested in conversations like this one",  # one model: one reason
    "message": "how closely it matches your last message",
    "described": "the things you described, found in its own text",
}


def weighed_in_words(contributions: dict[str, float]) -> list[tuple[str, float]]:
    """The positive contributions to a score by what a person would call them (features with the
    same words, e.g. the conversation model's two, count as one), largest first."""
    by_words: dict[str, float] = {}
    for name, value in contributions.items():
        if value > 0:
            words = FEATURE_WORDS.get(name, name.replace("_", " "))
            by_words[words] = by_words.get(words, 0.0) + value
    return sorted(by_words.items(), key=lambda kv: -kv[1])


@dataclass
class Ranked:
    item: Item
    score: float
    contributions: dict[str, float]


def _genre_score(values: list[str], weights: dict[str, float]) -> float:
    """tanh of the summed weights of an item's values (its genres, or its people)."""
    if not weights or not values:
        return 0.0
    total = sum(weights.get(v, 0.0) for v in values)
    return math.tanh(total)


def quality_of(item: Item) -> float:
    """0..1 quality from IMDb rating (shrunk by vote count) or the catalogue's mean rating."""
    if item.rating is not None:
        votes = item.votes or 0
        shrink = votes / (votes + 500.0)
        return (shrink * item.rating + (1 - shrink) * 6.0) / 10.0
    if item.mean_rating is not None and item.popularity:
        shrink = item.popularity / (item.popularity + 10.0)
        return (shrink * item.mean_rating + (1 - shrink) * 3.3) / 5.0
    return 0.5


def content_score(similarity: float) -> float:
    """The cosine similarity itself, clipped to 0..1: a query that matches nothing well gives
    every item a low score, instead of promoting its best weak match to 1."""
    return min(1.0, max(0.0, similarity))


def feature_values(c: Candidate, req: RankRequest, max_pop: float) -> dict[str, float]:
    content = content_score(c.similarity) if req.has_semantic_query else 0.0
    anchor = message = 0.0
    if req.message_vector is not None and c.embedding is not None:
        message = content_score(float(np.dot(c.embedding, req.message_vector)))
    if req.anchor_vectors and c.embedding is not None:
        anchor = max(float(np.dot(c.embedding, a)) for a in req.anchor_vectors)
    return {
        "content": content,
        "genre": _genre_score(c.item.genres, req.genre_weights),
        "scene": _genre_score(c.item.genres, req.scene_genre_weights),
        "people": _genre_score(c.item.people, req.people_weights) if req.people_weights else 0.0,
        "liked_items": anchor,
        "collaborative": req.collaborative.get(c.item.id, 0.0),
        "profile": req.profile.get(c.item.id, 0.0),
        "sequence": req.sequence.get(c.item.id, 0.0),
        "popularity": math.log1p(c.item.popularity) / math.log1p(max_pop) if max_pop > 0 else 0.0,
        "quality": quality_of(c.item),
        "message": message,
        "described": described_score(normalised_text(c.item), req.described) if req.described else 0.0,
    } | {name: req.learned.get(name, {}).get(c.item.id, 0.0) for name in LEARNED_FEATURES}


def rank(candidates: list[Candidate], req: RankRequest, weights: dict[str, float], k: int) -> list[Ranked]:
    """Score candidates, then pick ``k`` with maximal marginal relevance."""
    if not candidates:
        return []
    max_pop = max(c.item.popularity for c in candidates)
    scored = []
    for c in candidates:
        feats = feature_values(c, req, max_pop)
        scored.append((sum(weights.get(name, 0.0) * v for name, v in feats.items()), c, feats))
    scored.sort(key=lambda p: -p[0])
    # only the MMR pool is shown or explained: its contributions are itemised, the rest only scored
    pool = [(c, _itemised(c, feats, weights)) for _, c, feats in scored[: max(k * 8, 40)]]
    pool.sort(key=lambda p: -p[1].score)
    return _mmr(pool, k, req.diversity)


def _itemised(c: Candidate, feats: dict[str, float], weights: dict[str, float]) -> Ranked:
    contrib = {name: round(weights.get(name, 0.0) * v, 4) for name, v in feats.items()}
    contrib = {n: v for n, v in contrib.items() if v != 0.0}
    return Ranked(c.item, round(sum(contrib.values()), 4), contrib)


def _mmr(pool: list[tuple[Candidate, Ranked]], k: int, diversity: float) -> list[Ranked]:
    if diversity <= 0 or any(c.embedding is None for c, _ in pool):
        return [r for _, r in pool[:k]]
    scores = np.array([r.score for _, r in pool])
    spread = float(scores.max() - scores.min()) or 1.0
    vecs = np.stack([c.embedding for c, _ in pool])
    chosen: list[int] = []
    penalties: list[float] = []
    max_sim = np.full(len(pool), -1.0)
    while len(chosen) < min(k, len(pool)):
        mmr = (1 - diversity) * (scores - scores.min()) / spread - diversity * np.maximum(max_sim, 0)
        mmr[chosen] = -np.inf
        best = int(np.argmax(mmr))
        penalties.append(diversity * max(0.0, float(max_sim[best])) if chosen else 0.0)
        chosen.append(best)
        max_sim = np.maximum(max_sim, vecs @ vecs[best])
    out = []
    for i, penalty in zip(chosen, penalties):
        r = pool[i][1]
        if penalty:
            r.contributions["diversity"] = -round(penalty, 4)
            r.score = round(r.score - penalty, 4)
        out.append(r)
    return out
