"""Turn a dialogue state into what retrieval and ranking need: the hard filters, the genre
priors, the semantic query vector, the anchor items, the candidate query and the rank request
(personal signals are added by the personalizer).

Shared by the live turn (:meth:`agent.core.SceneRecAgent._recommend`) and batch scoring
(:mod:`agent.batch`), so both rank from exactly the same reading of the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agent.grounding import attribute_phrases
from agent.state import DialogueState
from agent.understanding import lexicon as lx
from retrieval.engine import CandidateQuery
from retrieval.items import Item
from retrieval.people import PeopleIndex
from retrieval.ranking import RankRequest
from retrieval.vector_store import Filters, mpaa_up_to

MOOD_WORDS = {"funny": "funny comedy", "light": "light-hearted fun", "thrilling": "thrilling suspense",
              "scary": "scary horror", "romantic": "romantic love story", "thoughtful": "thought-provoking drama",
              "sad": "sad emotional drama", "uplifting": "uplifting feel-good", "relaxing": "relaxing easy",
              "dark": "dark gritty", "epic": "epic adventure"}
COMPANION_WORDS = {"kids": "children family animation", "family": "family", "partner": "romantic",
                   "friends": "fun", "colleagues": "", "alone": ""}
PEOPLE_POOL = 40  # candidates per person asked for (their most popular films)


@dataclass
class RecommendationPlan:
    text: str
    vector: np.ndarray | None
    anchors: list[str]
    query: CandidateQuery
    request: RankRequest


def family_safe(state: DialogueState) -> bool:
    """With children, or under the family ceiling ("family friendly", "G or PG"): no Horror either."""
    c = state.constraints.mpaa_max
    return state.scene.companions in lx.FAMILY_SAFE_COMPANIONS or (
        c is not None and c in mpaa_up_to(lx.FAMILY_SAFE_MPAA_CEILING, allow_unknown=False))


def filters_for(state: DialogueState) -> Filters:
    """The hard filters a state asks for (constraints, a scene's time budget, family safety, the
    genres and years asked for now)."""
    c = state.constraints
    ceiling = c.mpaa_max
    exclude = list(c.exclude_genres)
    for a in state.avoid_attributes:
        attribute = lx.ATTRIBUTES.get(a)
        _add(exclude, *(g for g in (attribute.exclude_when_avoided if attribute else []) if g not in state.liked_genres))
    if family_safe(state):
        # an explicit ceiling ("my teenage son, PG-13 max") wins over the kids default
        ceiling = ceiling or lx.FAMILY_SAFE_MPAA_CEILING
        _add(exclude, *lx.FAMILY_SAFE_EXCLUDED_GENRES)
    max_runtime = min(filter(None, [c.max_runtime, state.scene.time_budget_min]), default=None)
    return Filters(
        item_type=c.item_type, year_min=c.year_min if state.years_now else None,
        year_max=c.year_max if state.years_now else None,
        min_runtime=c.min_runtime, max_runtime=max_runtime,
        mpaa_allowed=mpaa_up_to(ceiling) if ceiling else None,
        exclude_genres=exclude, min_rating=c.min_rating,
        any_genres=[g for g in (c.require_genres or asked_genres(state)) if g not in exclude],
    )


def asked_genres(state: DialogueState) -> list[str]:
    """The genres a film must have one of: those asked for now (``state.genres_now``) and their
    neighbours (``related_genres`` in the vocabulary). Genres liked earlier only weigh in the ranking."""
    asked = list(state.genres_now)
    for g in state.genres_now:
        asked += [r for r in lx.RELATED_GENRES.get(g, []) if r not in asked]
    return asked


def genre_weights(state: DialogueState) -> dict[str, float]:
    """Soft genre preferences from explicit likes, moods, companions and occasion."""
    w: dict[str, float] = {}

    def bump(table: dict[str, float], scale: float = 1.0) -> None:
        for g, v in table.items():
            w[g] = w.get(g, 0.0) + v * scale

    for g in state.liked_genres:
        bump({g: 1.0})
    for g in state.avoid_genres:
        bump({g: -1.0})
    for m in state.scene.mood:
        bump(lx.MOOD_GENRES.get(m, {}), 0.8)
    for a in state.liked_attributes:
        bump(lx.ATTRIBUTES[a].weights if a in lx.ATTRIBUTES else {}, 0.6)
    for a in state.avoid_attributes:  # soft: an explicitly liked genre keeps its own weight
        bump(lx.ATTRIBUTES[a].weights if a in lx.ATTRIBUTES else {}, -0.6)
    if state.scene.companions:
        bump(lx.COMPANION_GENRES.get(state.scene.companions, {}), 0.7)
    if state.scene.occasion:
        bump(lx.OCCASION_GENRES.get(state.scene.occasion, {}), 0.5)
    return {g: v for g, v in w.items() if abs(v) > 1e-9}


def _add(seq: list[str], *values: str) -> None:
    for v in values:
        if v and v not in seq:
            seq.append(v)


def query_text(state: DialogueState) -> str:
    words = [MOOD_WORDS.get(m, m) for m in state.scene.mood]
    words += [g.lower() for g in state.liked_genres]
    words += [COMPANION_WORDS.get(state.scene.companions or "", "")]
    words += [attribute_query(a) for a in state.liked_attributes]
    words += state.keywords
    return " ".join(w for w in dict.fromkeys(words) if w).strip()


def attribute_query(name: str) -> str:
    """The words a descriptive wish is looked for with in the items' text."""
    a = lx.ATTRIBUTES.get(name)
    return a.query if a and a.query else name


def described_wishes(state: DialogueState) -> list[tuple[tuple[str, ...], float]]:
    """The person's descriptive wishes (+1) and aversions (-1), each with the phrases an item's own
    text is searched for (the ranking's ``described`` feature). A wish the latest message said (in
    any language: the state keeps them) counts fully, an earlier one still held at ``EARLIER_WISH``."""
    return [(attribute_phrases(a), sign * (1.0 if a in state.wishes_now else EARLIER_WISH))
            for names, sign in ((state.liked_attributes, 1.0), (state.avoid_attributes, -1.0)) for a in names]


EARLIER_WISH = 0.5  # ReDial dev: an earlier wish at full weight cost R@50 (chosen on validation)


AVOID_WEIGHT = 0.25  # how far an avoided attribute ("gore") pulls the query away from its words


def plan_recommendation(state: DialogueState, lookup: Callable[[str], Item | None],
                        vectors_of: Callable[[list[str]], dict[str, np.ndarray]],
                        encode: Callable[[str], np.ndarray], candidate_pool: int,
                        people: PeopleIndex | None = None, with_message: bool = False) -> RecommendationPlan:
    """``with_message``: also embed the person's last message as written (the ``message`` feature)."""
    text = query_text(state)
    anchors = [a for a in dict.fromkeys(state.anchor_items + state.liked_items[-3:]) if lookup(a)]
    anchor_vecs = list(vectors_of(anchors).values()) if anchors else []
    vector = None
    if text or anchor_vecs:
        parts = ([encode(text)] if text else []) + anchor_vecs
        vector = np.mean(parts, axis=0)
        if state.avoid_attributes:  # a soft penalty through the items' text, never a filter
            vector = vector - AVOID_WEIGHT * encode(" ".join(attribute_query(a) for a in state.avoid_attributes))
        vector = vector / (np.linalg.norm(vector) or 1.0)
    weights = genre_weights(state)
    explicit = {g: 1.0 for g in state.liked_genres} | {g: -1.0 for g in state.avoid_genres}
    scene_w = {g: v for g, v in weights.items() if g not in explicit}
    avoided = {i for p in state.avoid_people for i in people.films(p)} if people else set()
    query = CandidateQuery(
        vector=vector, filters=filters_for(state),
        exclude=state.excluded_ids() | set(anchors) | avoided,
        prefer_genres=[g for g, v in sorted(weights.items(), key=lambda kv: -kv[1]) if v > 0.3][:3],
        n_semantic=candidate_pool,
        personal={"people": [i for p in state.liked_people for i in people.films(p, PEOPLE_POOL)]}
        if people and state.liked_people else {},
    )
    request = RankRequest(genre_weights=explicit, scene_genre_weights=scene_w,
                          people_weights={p: 1.0 for p in state.liked_people},
                          anchor_vectors=anchor_vecs, has_semantic_query=vector is not None,
                          message_vector=encode(state.said[-1]) if with_message and state.said else None,
                          described=described_wishes(state))
    return RecommendationPlan(text, vector, anchors, query, request)
