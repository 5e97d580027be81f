"""Personalisation: a person's profile turned into ranking signals, candidates and grounded facts.

A profile joins the catalogue's interactions for a user id (e.g. MovieLens ``ml:42``) with the
chat feedback kept in the :class:`~retrieval.profiles.ProfileStore`. From it come

* the interest distribution (Dirichlet posteriors, a view per scene) -> the ``profile`` feature;
* item-item collaborative scores seeded by history and this conversation's likes -> ``collaborative``;
* transitions from the most recent items -> ``sequence``.

The interest posteriors are cached per person in the profile store (``profile_vectors``), keyed
by a fingerprint of the evidence and the settings, so a long history is not re-read each start.

Example::

    p = Personalizer(engine, ProfileStore(path), ProfileSettings(), lx.MOOD_GENRES)
    ctx = p.context("ml:42", state)        # per turn
    ctx.features(["1", "2"])               # {'collaborative': {...}, 'profile': {...}, 'sequence': {...}}
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from agent.grounding import Fact
from agent.results import InterestShare, InterestSnapshot
from agent.settings import ProfileSettings
from agent.state import DialogueState
from retrieval.attributes import AttributeSpace
from retrieval.collaborative import CollaborativeModel, EaseSettings, Interaction
from retrieval.engine import CatalogueEngine
from retrieval.interest import Evidence, InterestModel, InterestProfile, InterestView, population_prior
from retrieval.profiles import ProfileEvent, ProfileStore

FEEDBACK_WEIGHT = {"like": 1.0, "accept": 1.0, "seen": 0.3, "dislike": -1.0}
EXCLUDING_KINDS = ("rating", "dislike", "seen", "accept")  # never recommend these again
SHOWN_PER_FAMILY = 4
USER_MODELS_CACHED = 2048  # people whose models stay in memory (least recently built dropped first)


def scene_key(state: DialogueState) -> str | None:
    """The scene a turn happens in: who's watching first, else the occasion."""
    return state.scene.companions or state.scene.occasion


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


def ratings_by_user(interactions: Sequence[Interaction]) -> dict[str, list[HistoryEntry]]:
    """The catalogue's ratings as each person's history."""
    base: dict[str, list[HistoryEntry]] = defaultdict(list)
    for user, item, rating, ts in interactions:
        base[user].append(HistoryEntry(item, "rating", rating, float(ts or 0)))
    return dict(base)


class Personalizer:
    def __init__(self, engine: CatalogueEngine, profiles: ProfileStore, settings: ProfileSettings,
                 mood_genres: dict[str, dict[str, float]], interactions: Sequence[Interaction] | None = None,
                 fitted: dict | None = None):
        """``fitted``: the :meth:`fitted_state` of a Personalizer built earlier on the same catalogue
        version and settings (a warm cache), used instead of fitting again."""
        self.engine, self.profiles, self.settings = engine, profiles, settings
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[int, UserModel]] = OrderedDict()
        if fitted is not None:
            self.__dict__.update({k: fitted[k] for k in self.FITTED})
            return
        self.space = AttributeSpace(engine.items.values(), mood_genres)
        self._fit(interactions if interactions is not None else engine.store.interactions(engine.catalogue))

    FITTED = ("space", "collab", "interest", "base", "_n_interactions")
    on_refit: Callable[[], None] | None = None  # called after the models were fitted again (a person forgotten)

    def fitted_state(self) -> dict:
        """The fitted models, for a warm cache (see ``fitted`` above)."""
        return {k: getattr(self, k) for k in self.FITTED}

    def _fit(self, interactions: Sequence[Interaction]) -> None:
        self.collab = CollaborativeModel(interactions, [it.id for it in self.space.items],
                                         self.settings.transition_window,
                                         EaseSettings(l2=self.settings.collaborative_l2), self._ease_cache())
        self.interest = InterestModel(self.space, population_prior(self.space, (i for _, i, _, _ in interactions)),
                                      self.settings.prior_strength, self.settings.scene_strength,
                                      self.settings.scene_spillover)
        self._n_interactions = len(interactions)
        self.base = ratings_by_user(interactions)  # the catalogue's ratings per user id
        self._cache.clear()

    def _ease_cache(self) -> Path:
        """Where the item-item weights are kept between starts: beside the catalogue database."""
        return self.engine.store.path.parent / "cache" / f"ease-{self.engine.catalogue}.npz"

    # -- the person's model -----------------------------------------------------------------------
    def user_model(self, user_id: str) -> UserModel:
        """The person's model: one version read, rebuilt only when their events changed."""
        return self._cached(user_id, self.profiles.version(user_id)) or self.rebuild(user_id)

    def rebuild(self, user_id: str) -> UserModel:
        """The person's model from their events as stored now (e.g. right after this turn's feedback):
        events and version come from one read."""
        version, events = self.profiles.history(user_id)
        hit = self._cached(user_id, version)  # another thread may have built it meanwhile
        if hit:
            return hit
        history = list(self.base.get(user_id, [])) + [
            HistoryEntry(e.item_id, e.kind, e.rating, e.ts, e.scene) for e in events]
        model = self._build(user_id, history, self._fingerprint(version, len(history)))
        with self._lock:
            self._cache[user_id] = (version, model)
            self._cache.move_to_end(user_id)
            while len(self._cache) > USER_MODELS_CACHED:  # API keys may name any number of users
                self._cache.popitem(last=False)
        return model

    def _cached(self, user_id: str, version: int) -> UserModel | None:
        with self._lock:
            hit = self._cache.get(user_id)
        return hit[1] if hit and hit[0] == version else None

    def _model(self, user: str | UserModel | None) -> UserModel | None:
        """A person's model from their id, or the one already built this turn; None for nobody."""
        if isinstance(user, UserModel):
            return user
        return self.user_model(user) if user else None

    def _fingerprint(self, version: int, n_history: int) -> str:
        """Identifies the evidence and model a cached posterior was computed from."""
        basis = f"{version}/{n_history}/{self._n_interactions}/{self.settings.model_dump_json()}"
        return hashlib.sha1(basis.encode()).hexdigest()[:16]

    def _build(self, user_id: str, history: list[HistoryEntry], fingerprint: str) -> UserModel:
        # recency by position: the n-th most recent event counts 0.5 ** (n / half-life). Positions, not
        # clock time: a dataset's ratings from 2001 must not vanish next to feedback given today.
        ordered = sorted(history, key=lambda h: h.ts)
        half_life = self.settings.half_life_events
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
        recent_ids = recent_ids[: self.settings.recent_items]
        return UserModel(
            user_id=user_id, history=history, profile=self._profile(user_id, evidence, fingerprint), seeds=dict(seeds),
            recent={i: 0.8 ** k for k, i in enumerate(recent_ids)},
            consumed={h.item_id for h in history if h.kind in EXCLUDING_KINDS},
            ratings=ratings, liked={h.item_id for h in history if h.kind in ("like", "accept")},
        )

    def _profile(self, user_id: str, evidence: list[Evidence], fingerprint: str) -> InterestProfile:
        """The interest posteriors, from the SQLite cache when the evidence is unchanged."""
        if not evidence:  # cold start: the prior, nothing worth caching
            return self.interest.build([])
        cached = self.profiles.get_vectors(user_id, fingerprint)
        if cached and len(next(iter(cached.values()))) == len(self.interest.prior) + 1:
            views = {name.removeprefix("interest:"): InterestView(v[:-1], float(v[-1])) for name, v in cached.items()}
            return InterestProfile(self.space, self.interest.prior, views)
        profile = self.interest.build(evidence)
        self.profiles.put_vectors(user_id, fingerprint, {f"interest:{s}": np.append(v.alpha, v.evidence)
                                                         for s, v in profile.views.items()})
        return profile

    # -- one turn ---------------------------------------------------------------------------------
    def context(self, person: str | UserModel | None, state: DialogueState) -> PersonalContext:
        """One turn's signals for a user id (or their model, already built this turn) or nobody."""
        user = self._model(person)
        seeds = dict(user.seeds) if user else {}
        recent = dict(user.recent) if user else {}
        boost = self.settings.session_seed_weight
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
        profile = user.profile if user else self.interest.build(Evidence(i, w) for i, w in session.items())
        exclude = set(state.excluded_ids()) | (user.consumed if user else set())
        collab = self.collab.item_scores(seeds)
        seq = self.collab.transition_scores(recent)
        return PersonalContext(user, scene_key(state), seeds, recent, collab, seq, exclude, profile,
                               index=self.collab.index,
                               scales=(_scale(self.collab, collab, exclude), _scale(self.collab, seq, exclude)),
                               discussed=frozenset(discussed), profiled=user is not None or bool(session))

    def candidates(self, ctx: PersonalContext) -> dict[str, list[str]]:
        """Personal candidate ids by source (best first)."""
        n = self.settings.collaborative_pool
        return {"collaborative": list(self.collab.top(ctx.collaborative, n, ctx.exclude)),
                "sequence": list(self.collab.top(ctx.sequence, n // 4, ctx.exclude))}

    # -- grounded facts for explanations -----------------------------------------------------------
    def facts(self, ctx: PersonalContext, item_id: str, contributions: dict[str, float]) -> list[Fact]:
        """What the personal features say about one pick, naming only items that drove it."""
        out: list[Fact] = []
        if contributions.get("collaborative", 0.0) > 0:
            fact = self._collaborative_fact(ctx, item_id, contributions["collaborative"])
            if fact:
                out.append(fact)
        if contributions.get("sequence", 0.0) > 0:
            best = self.collab.best_predecessor(ctx.recent, item_id)
            if best:
                out.append(Fact("sequence", {"title": self._title(best[0])}, contributions["sequence"], (best[0],)))
        if contributions.get("profile", 0.0) > 0 and ctx.user:
            fact = self._profile_fact(ctx, item_id, contributions["profile"])
            if fact:
                out.append(fact)
        return out

    def _collaborative_fact(self, ctx: PersonalContext, item_id: str, weight: float) -> Fact | None:
        best = self.collab.best_seed({s: w for s, w in ctx.seeds.items() if w > 0 and s not in ctx.discussed}, item_id)
        if not best:
            return None
        seed = best[0]
        together = self.collab.liked_together(seed, item_id)
        strong = bool(together and together.raters >= 5 and 2 * together.liked >= together.raters)
        data = {"title": self._title(seed)}
        if strong:
            data |= {"raters": f"{together.raters:,}", "liked": f"{together.liked:,}"}
        stars = ctx.user.ratings.get(seed) if ctx.user and seed not in ctx.user.liked else None
        if stars is not None and stars >= 3.5:
            kind = "history" if strong else "history_plain"
            data["stars"] = f"{stars:g}"
        else:
            kind = "liked_seed" if strong else "liked_seed_plain"
        return Fact(kind, data, weight, (seed,))

    def _profile_fact(self, ctx: PersonalContext, item_id: str, weight: float) -> Fact | None:
        row = self.space.item_index.get(item_id)
        if row is None:
            return None
        cols = self.space.matrix[row].indices
        lift = ctx.profile.lift(ctx.scene)
        mean = ctx.profile.view(ctx.scene).mean(self.space)
        best = max(cols, key=lambda c: lift[c], default=None)
        if best is None or lift[best] <= 0:
            return None
        share, prior = round(100 * mean[best]), round(100 * ctx.profile.prior[best])
        if share <= prior:
            return None
        a = self.space.attributes[best]
        return Fact("profile", {"value": _attribute_words(a.family, a.value), "share": share, "prior": prior}, weight)

    def _title(self, item_id: str) -> str:
        item = self.engine.get(item_id)
        return item.display_title if item else item_id

    # -- feedback, inspection, privacy ----------------------------------------------------------
    def record(self, user_id: str, items: dict[str, list[str]], scene: str | None, session_id: str | None) -> int:
        """Store chat feedback ({kind: [item ids]}) in the profile at once."""
        return self.profiles.add(ProfileEvent(user_id, i, kind, scene=scene, session_id=session_id)
                                 for kind, ids in items.items() for i in ids)

    def snapshot(self, person: str | UserModel | None, scene: str | None = None,
                 before: InterestSnapshot | None = None) -> InterestSnapshot:
        """The interest distribution of a view (top values per family), with the change since ``before``;
        ``person`` is a user id or their model already built this turn."""
        user = self._model(person)
        profile = user.profile if user else self.interest.build([])
        view = profile.view(scene)
        mean = view.mean(self.space)
        was = {(a.family, a.value): a.share for a in before.attributes} if before else {}
        shares = []
        for family, cols in self.space.family_slices.items():
            for c in sorted(cols, key=lambda c: -mean[c])[:SHOWN_PER_FAMILY]:
                a = self.space.attributes[c]
                shares.append(InterestShare(family=family, value=a.value, share=round(float(mean[c]), 4),
                                            prior=round(float(profile.prior[c]), 4),
                                            before=was.get((family, a.value))))
        return InterestSnapshot(user_id=user.user_id if user else None, scene=scene, scene_view=bool(scene and scene in profile.views),
                                evidence=round(view.evidence, 2), attributes=shares)

    def export(self, user_id: str) -> dict:
        """Everything stored about a person: catalogue ratings, chat feedback, cached vectors."""
        stored = self.profiles.export(user_id)
        ratings = [{"item_id": h.item_id, "title": self._title(h.item_id), "rating": h.rating, "ts": h.ts}
                   for h in self.base.get(user_id, [])]
        for e in stored["events"]:
            e["title"] = self._title(e["item_id"])
        return {"user_id": user_id, "ratings": ratings, "feedback": stored["events"],
                "cached_vectors": stored["cached_vectors"]}

    def known_users(self) -> list[str]:
        return sorted(set(self.base) | set(self.profiles.users()), key=_user_sort_key)

    def forget(self, user_id: str) -> int:
        """Delete the person's profile rows, catalogue interactions and cached vectors; refit the
        collaborative model and prior when the catalogue's interactions held them."""
        removed = self.profiles.delete_user(user_id)
        had_base = user_id in self.base
        removed += self.engine.store.delete_user_interactions(user_id)
        with self._lock:
            self._cache.pop(user_id, None)
        if had_base:
            self._fit(self.engine.store.interactions(self.engine.catalogue))
            if self.on_refit is not None:
                self.on_refit()  # e.g. drop the warm cache that still holds the person's ratings
        return removed


def _scale(model: CollaborativeModel, scores: np.ndarray, exclude: set[str]) -> float:
    """The best score among items that may be recommended (features are relative to it)."""
    best = model.top(scores, 1, exclude)
    return max(next(iter(best.values()), 0.0), 1e-9)


def _user_sort_key(user_id: str) -> tuple:
    prefix, _, rest = user_id.partition(":")
    return (prefix, int(rest)) if rest.isdigit() else (prefix, math.inf, rest)


def _attribute_words(family: str, value: str) -> str:
    return {"genre": value.lower(), "era": f"films from the {value}" if value[0].isdigit() else f"films from {value}",
            "mood": f"{value} films", "runtime": f"films {value}" if value[0] in "uo" else f"{value} films"}[family]
